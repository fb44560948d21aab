"""HTML pages of the API (OGC API - Features "html" class): layout, inline SVG maps, resources."""
