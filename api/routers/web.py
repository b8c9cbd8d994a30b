"""``/``: the map page, and ``/static``: its scripts, styles and vendored libraries."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from app.basemaps import basemaps
from app.generalise import BANDS
from app.layers import map_layers

WEB_DIR = Path(__file__).resolve().parent.parent.parent / "web"
STATIC_DIR = WEB_DIR / "static"

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=WEB_DIR / "templates")


@router.get("/", response_class=HTMLResponse)
def page(request: Request) -> HTMLResponse:
    """The interactive atlas."""
    settings = request.app.state.settings
    tiles = basemaps(settings)
    config = {
        "approval_number": settings.map_approval_number,
        "basemaps": tiles,
        "bands": [{"name": band.name, "max_zoom": band.max_zoom} for band in BANDS],
        "layers": [layer.id for layer in map_layers()],  # the page names layers in its own words (i18n.js)
        "public_url": settings.public_url,  # the share dialog's permalink and QR code are links from it
        # A review server (atlas serve --preview) loads preview.js and its proposed layer; the public page never.
        "preview": settings.preview_proposals is not None,
    }
    response = templates.TemplateResponse(request, "index.html", {"config": config})
    response.headers["Content-Security-Policy"] = content_security_policy(tiles)
    return response


# The 404 page loads nothing but its stylesheet and icon.
NOT_FOUND_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
# Starlette's text for a path no route matches: the page says that in its own words.
_ROUTE_NOT_FOUND = "Not Found"


def not_found_page(request: Request, description: str) -> HTMLResponse:
    """The 404 a browser gets: in the atlas's style, naming what was asked for, with the way back to the map."""
    context = {"path": request.url.path, "description": "" if description == _ROUTE_NOT_FOUND else description}
    response = templates.TemplateResponse(request, "not_found.html", context, status_code=404)
    response.headers["Content-Security-Policy"] = NOT_FOUND_POLICY
    response.headers["Cache-Control"] = "no-store"
    response.headers["Vary"] = "Accept"
    return response


def content_security_policy(tiles: list[dict[str, Any]]) -> str:
    """Self only: no inline script or style, no other origin but a configured base map's tile host."""
    tile_hosts = sorted({urlsplit(url).scheme + "://" + urlsplit(url).netloc for tile in tiles for url in tile["urls"]})
    image_sources = " ".join(["'self'", "data:", *(host.replace("{s}", "*") for host in tile_hosts)])
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        f"img-src {image_sources}; connect-src 'self'; font-src 'self'; object-src 'none'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
