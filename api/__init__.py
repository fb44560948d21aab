"""The public HTTP API: OGC API - Features over the collections every installed pilot declares.

Built by :func:`api.app.create_app`; :mod:`api.asgi` is the only module that builds it with
settings read from the environment.
"""
