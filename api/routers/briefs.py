"""``/briefs``: a place's one-page brief as PDF (:mod:`app.brief` makes it)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response

from api.dependencies import StoreDep
from api.limits import limits
from api.routers.common import AsciiInteger, only_declared_parameters, public_url
from app.brief import place_brief

router = APIRouter(prefix="/briefs", tags=["简报 Briefs"], dependencies=[Depends(only_declared_parameters)])


@router.get(
    "/places/{adcode}.pdf",
    summary="A place's one-page brief (PDF)",
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": {}}, "description": "The brief, A4."},
        404: {"description": "No place with this adcode."},
        503: {"description": "Busy making other files: try again after Retry-After seconds."},
    },
)
async def place(
    request: Request, store: StoreDep, adcode: Annotated[int, Path(ge=100000, le=999999), AsciiInteger]
) -> Response:
    """地区简报: the place on a small map with what the plans put there, every entry with the plan's words,
    plan, section and document number, its groups and sectors, the data's date, the sources and the 审图号
    line — one A4 page for most places (a place with very many entries runs on). Made from the request's
    store build, so its ETag and the read cache follow the data like every download."""
    settings = request.app.state.settings

    def build() -> Response:
        brief = place_brief(store, adcode, approval_number=settings.map_approval_number, public_url=public_url(request))
        disposition = f'inline; filename="{brief.filename}"'
        return Response(brief.content, media_type="application/pdf", headers={"Content-Disposition": disposition})

    # Laying out a PDF is a second or more of CPU: off the event loop, a few at a time, as downloads are.
    return await limits(request).downloads.run(build)
