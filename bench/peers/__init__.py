"""Parts of ``bench/api_peers.py``: the data, the three servers, the load and the checks."""
