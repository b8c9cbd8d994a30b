"""``/api/qr``: a QR code of a link into the atlas, for the page's share dialog (see ``app.share``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from api.routers.common import only_declared_parameters, public_url
from app import share

router = APIRouter(prefix="/api", tags=["分享 Share"], dependencies=[Depends(only_declared_parameters)])


@router.get(
    "/qr",
    summary="A QR code of a link into the atlas",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}, "description": "The QR code as SVG."}},
)
def qr(
    request: Request,
    url: Annotated[
        str,
        Query(
            description="A link into this atlas (its public address, then a path and a fragment), e.g. the "
            "page's permalink; links elsewhere are refused.",
            max_length=share.MAX_URL_LENGTH,
        ),
    ],
) -> Response:
    """The QR code (SVG, error correction M) that phones scan to open `url`: 二维码 for WeChat."""
    # Only the atlas's own links: a QR service for any URL would lend the atlas's name to anyone's.
    link = share.check_atlas_url(url, public_url(request))
    return Response(share.qr_svg(link, "湖北装备制造产业集群地图 二维码 · QR code"), media_type="image/svg+xml")
