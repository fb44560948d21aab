"""The web interface's routes: four pages, their palette stylesheet and the static assets.

Pages are server-rendered shells (texts, labels, controls) in the chosen language; their
scripts read the open API of the same app for data. They are left out of the OpenAPI document,
which describes the API, not pages for people.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.staticfiles import StaticFiles

from api.dependencies import RegistryDep
from api.web.i18n import LANGUAGES, MESSAGES, Language, choose_language
from api.web.palette import LAYER_COLOURS, palette_css
from api.web.settings import WebSettings

HERE = Path(__file__).parent
PREFIX = "/web"
PROFILES = ("wheelchair", "wheelchair_assisted", "reduced_mobility", "blind", "deaf")
LangQuery = Annotated[str | None, Query(description="nl or en")]


def content_security_policy(settings: WebSettings) -> str:
    """Scripts, styles and data from this server only; images also from the tile server."""
    images = " ".join(filter(None, ("'self'", "data:", settings.tile_origin())))
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        f"img-src {images}; connect-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    )


class Pages:
    """Renders the page templates with what every page shares."""

    def __init__(self, settings: WebSettings) -> None:
        self.settings = settings
        self.environment = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.policy = content_security_policy(settings)

    def render(
        self,
        request: Request,
        template: str,
        page: str,
        script_data: Mapping[str, Any] | None = None,
        **context: Any,
    ) -> HTMLResponse:
        """The page in the request's language; ``script_data`` goes to its script as JSON."""
        language = choose_language(
            request.query_params.get("lang"), request.headers.get("accept-language")
        )
        root = request.scope.get("root_path", "")
        config = {
            "lang": language,
            "page": page,
            "api": root,
            "messages": MESSAGES[language],
            "colours": LAYER_COLOURS,
            "tileUrl": self.settings.web_tile_url,
            "tileAttribution": self.settings.web_tile_attribution,
            "refreshSeconds": self.settings.web_refresh_seconds,
            "crowdingDays": self.settings.web_crowding_days,
            "profiles": PROFILES,
            **(script_data or {}),
        }
        html = self.environment.get_template(template).render(
            lang=language,
            other=_other(language),
            switch_href=_switch_href(request, _other(language)),
            t=MESSAGES[language],
            page=page,
            root=root,
            static=f"{root}{PREFIX}/static",
            config=config,
            **context,
        )
        return HTMLResponse(
            html,
            headers={
                "Content-Security-Policy": self.policy,
                "Content-Language": language,
                # The language may come from Accept-Language, and the app's cache middleware
                # sets its own Vary: keep shared caches out, let browsers revalidate (ETag).
                "Cache-Control": "private, no-cache",
                "Referrer-Policy": "same-origin",
                "X-Content-Type-Options": "nosniff",
            },
        )


def _other(language: Language) -> Language:
    return next(other for other in LANGUAGES if other != language)


def _switch_href(request: Request, language: Language) -> str:
    """The same page and query in the other language."""
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    query.append(("lang", language))
    return request.url.path + "?" + "&".join(f"{k}={_quote(v)}" for k, v in query)


def _quote(value: str) -> str:
    return quote(value, safe="")


def router(settings: WebSettings | None = None) -> APIRouter:
    """The web interface under ``/web``; settings from the environment unless given."""
    pages = Pages(settings if settings is not None else WebSettings())
    routes = APIRouter(include_in_schema=False)

    @routes.get(PREFIX, response_class=RedirectResponse)
    @routes.get(PREFIX + "/", response_class=RedirectResponse)
    def home(request: Request) -> RedirectResponse:
        lang = request.query_params.get("lang")
        suffix = f"?lang={_quote(lang)}" if lang in LANGUAGES else ""
        return RedirectResponse(f"{request.scope.get('root_path', '')}{PREFIX}/map{suffix}", 307)

    @routes.get(PREFIX + "/map", response_class=HTMLResponse)
    def map_page(request: Request, lang: LangQuery = None) -> HTMLResponse:
        return pages.render(request, "map.html", "map", profiles=PROFILES)

    @routes.get(PREFIX + "/dashboard", response_class=HTMLResponse)
    def dashboard_page(request: Request, lang: LangQuery = None) -> HTMLResponse:
        return pages.render(request, "dashboard.html", "dashboard")

    @routes.get(PREFIX + "/quarantine", response_class=HTMLResponse)
    def quarantine_page(
        request: Request,
        source: Annotated[str, Query(min_length=1, description="the source id")],
        lang: LangQuery = None,
    ) -> HTMLResponse:
        return pages.render(
            request, "quarantine.html", "quarantine", {"source": source}, source=source
        )

    @routes.get(PREFIX + "/supplier", response_class=HTMLResponse)
    def supplier_page(
        request: Request, registry: RegistryDep, lang: LangQuery = None
    ) -> HTMLResponse:
        pilots = [
            {"id": pilot.id, "title": pilot.title, "formats": sorted(pilot.adapters)}
            for pilot in sorted(registry, key=lambda pilot: pilot.id)
        ]
        return pages.render(request, "supplier.html", "supplier", {"pilots": pilots}, pilots=pilots)

    @routes.get(PREFIX + "/palette.css")
    def palette() -> Response:
        return Response(palette_css(), media_type="text/css")

    routes.mount(PREFIX + "/static", StaticFiles(directory=HERE / "static"), name="web-static")
    return routes
