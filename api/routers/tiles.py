"""``/tiles``: Mapbox vector tiles of the map layers, with TileJSON."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response

from api.dependencies import StoreDep
from api.limits import limits
from api.routers.common import AsciiInteger, only_declared_parameters, public_url
from app.layers import map_layers, names
from app.store import tiles

router = APIRouter(prefix="/tiles", tags=["瓦片 Tiles"], dependencies=[Depends(only_declared_parameters)])
MVT = "application/vnd.mapbox-vector-tile"
Layer = Annotated[
    str,
    Path(
        max_length=20,
        description=f"One of {names(map_layers())}.",
        json_schema_extra={"enum": [layer.id for layer in map_layers()]},
    ),
]


@router.get("/{layer}/tilejson.json", summary="TileJSON of a layer")
def tilejson(request: Request, store: StoreDep, layer: Layer) -> dict[str, Any]:
    """TileJSON 3.0.0: the tile URL template, bounds, zooms and the fields of the layer."""
    return tiles.tilejson(store, layer, public_url(request))


@router.get(
    "/{layer}/{z}/{x}/{y}.mvt",
    summary="A vector tile",
    response_class=Response,
    responses={
        200: {"content": {MVT: {}}, "description": "A Mapbox vector tile (empty where nothing is)."},
        503: {"description": "Busy drawing other tiles: try again after Retry-After seconds."},
    },
)
async def tile(
    request: Request,
    store: StoreDep,
    layer: Layer,
    z: Annotated[int, Path(ge=0, le=tiles.MAX_ZOOM), AsciiInteger],
    x: Annotated[int, Path(ge=0, le=2**tiles.MAX_ZOOM), AsciiInteger],
    y: Annotated[int, Path(ge=0, le=2**tiles.MAX_ZOOM), AsciiInteger],
) -> Response:
    """Web Mercator tile z/x/y of the layer; outlines are generalised for the zoom as on the page."""
    data = await limits(request).tiles.run(tiles.tile, store, layer, z, x, y)
    return Response(data, media_type=MVT)
