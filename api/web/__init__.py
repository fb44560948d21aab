"""The web interface: a map of the pilots, a city dashboard of sources and a supplier page.

Pages for people over the same app's open API; everything they load ships in ``static/``
(the map library is vendored from npm by ``web/build.mjs``). ``router()`` is all the app
factory needs.
"""

from api.web.routes import router

__all__ = ["router"]
