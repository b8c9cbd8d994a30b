"""``/``: the map page, and ``/static``: its scripts, styles and vendored libraries."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from app.basemaps import basemaps
from app.palette import NO_SECTOR, SECTOR_PALETTE

WEB_DIR = Path(__file__).resolve().parent.parent.parent / "web"
STATIC_DIR = WEB_DIR / "static"

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=WEB_DIR / "templates")


@router.get("/", response_class=HTMLResponse)
def page(request: Request) -> HTMLResponse:
    """The interactive atlas."""
    settings = request.app.state.settings
    config = {
        "approval_number": settings.map_approval_number,
        "basemaps": basemaps(settings),
        "palette": {"sectors": list(SECTOR_PALETTE), "none": NO_SECTOR},
    }
    return templates.TemplateResponse(request, "index.html", {"config": config})
