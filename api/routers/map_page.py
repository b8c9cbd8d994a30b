"""``/api/map/{layer}``: the layers the map page draws, generalised for its zoom (not a data API)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from api.dependencies import StoreDep
from api.limits import limits
from api.routers.common import AsciiInteger, only_declared_parameters
from app.layers import map_layers, names
from app.query import parse_filters, parse_provinces
from app.store import map_layers as drawn

router = APIRouter(prefix="/api/map", tags=["地图页 Map page"], dependencies=[Depends(only_declared_parameters)])


@router.get(
    "/{layer}",
    summary="A layer for drawing on the map page",
    responses={
        200: {"content": {"application/geo+json": {}}, "description": "A GeoJSON FeatureCollection."},
        503: {"description": "Busy with other layers: try again after Retry-After seconds."},
    },
    response_class=Response,
)
async def map_layer(
    request: Request,
    store: StoreDep,
    layer: Annotated[
        str,
        Path(
            max_length=20,
            description=f"One of {names(map_layers())}.",
            json_schema_extra={"enum": [layer.id for layer in map_layers()]},
        ),
    ],
    zoom: Annotated[
        int, Query(ge=0, le=22, description="Web-map zoom: geometry is generalised to suit it."), AsciiInteger
    ] = 7,
    plans: Annotated[
        str | None,
        Query(
            max_length=2000,
            description="Entity layers only: plan ids (see /api/plans), comma-separated — only the entities "
            "any of them quotes. Absent: every plan's.",
        ),
    ] = None,
    provinces: Annotated[
        str | None,
        Query(
            max_length=300,
            description="Boundary layers only: adcodes of provinces, comma-separated (420000,430000) — only "
            "their units. Absent: every unit of the store.",
        ),
    ] = None,
) -> Response:
    """Every feature of the layer with outlines generalised for the zoom (neighbours keep shared borders)
    and only what the page draws and filters by. Data users: take /ogc or /downloads (full resolution)."""
    chosen = parse_filters(store.info(), plans=plans).plans
    within = parse_provinces(store.info(), provinces)
    body = await limits(request).layers.run(drawn.map_layer, store, layer, zoom, chosen, within)
    return Response(body, media_type="application/geo+json")
