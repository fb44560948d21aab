"""The DCAT-AP catalogue of the published collections (``/catalog``), in JSON-LD and Turtle."""
