"""Mapbox vector tiles of the map layers, drawn by the store's dialect (``ST_AsMVT`` in PostGIS,
``app.store.mvt`` elsewhere) from the generalised outlines of the tile's zoom band, through the
spatial index."""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import Select

from app.layers import TILE_FIELD_TYPES
from app.store import tile_cache
from app.store.dialect import Dialect, TileRequest
from app.store.map_layers import display_geometry, drawn_collection
from app.store.published import InvalidParameter, StoreReader

MAX_ZOOM = 18


def check_tile(z: int, x: int, y: int) -> None:
    """Raise :class:`InvalidParameter` unless z/x/y name a tile of the Web Mercator grid."""
    if not 0 <= z <= MAX_ZOOM:
        raise InvalidParameter("z", f"zoom must be 0–{MAX_ZOOM}")
    for name, value in (("x", x), ("y", y)):
        if not 0 <= value < 2**z:
            raise InvalidParameter(name, f"must be 0–{2**z - 1} at zoom {z}")


def tile(store: StoreReader, layer: str, z: int, x: int, y: int) -> bytes:
    """One tile of ``layer`` (one MVT layer of that name); empty bytes where the layer has nothing. On
    SpatiaLite the low zooms were drawn at load (:mod:`app.store.tile_cache`), the others are drawn now."""
    drawn_collection(layer, "tile layer")
    check_tile(z, x, y)
    if store.backend == "spatialite":
        with store.engine().connect() as connection:
            found = tile_cache.lookup(connection, layer, z, x, y)
        if found is not None:
            return found
    return draw(store, layer, z, x, y)


def draw(store: StoreReader, layer: str, z: int, x: int, y: int) -> bytes:
    """Tile z/x/y of ``layer`` drawn from the store's outlines by its dialect."""
    drawn_collection(layer, "tile layer")
    check_tile(z, x, y)
    return store.dialect.tile(store.engine(), layer, statement_for(store.dialect, layer, z), z, x, y)


def statement_for(dialect: Dialect, layer: str, z: int) -> Select[Any]:
    """The dialect's statement drawing ``layer``'s tiles at zoom ``z`` (that of its zoom band)."""
    return _statement(dialect, layer, display_geometry(drawn_collection(layer, "tile layer"), z).name)


@functools.cache
def _statement(dialect: Dialect, layer: str, geometry: str) -> Select[Any]:
    """The dialect's statement for ``layer``'s tiles drawn with the column ``geometry`` (a zoom band's):
    a handful exist (layers × bands), each built once."""
    target = drawn_collection(layer, "tile layer")
    properties = [target.table.c[name] for name in target.layer.tile_fields]
    where = [target.table.c[geometry].is_not(None)]
    if (collection_where := target.where()) is not None:
        where.append(collection_where)
    indexed = target.table.c[target.geometry]  # the spatial index is on the full geometry
    return dialect.tile_statement(
        TileRequest(layer, target.table, indexed, target.table.c[geometry], properties, where)
    )


def tilejson(store: StoreReader, layer: str, public_url: str) -> dict[str, Any]:
    """TileJSON 3.0.0 describing ``layer``'s tiles at the atlas's public address (``ATLAS_PUBLIC_URL``,
    never an address taken from the request)."""
    target = drawn_collection(layer, "tile layer")
    west, south, east, north = store.info().extents[layer]
    fields = {name: TILE_FIELD_TYPES.get(name, "String") for name in target.layer.tile_fields}
    return {
        "tilejson": "3.0.0",
        "name": target.layer.title,
        "description": target.layer.description,
        "attribution": "边界：天地图标准地图 Boundaries: Tianditu standard map",
        "tiles": [f"{public_url}/tiles/{layer}/{{z}}/{{x}}/{{y}}.mvt"],
        "minzoom": 0,
        "maxzoom": MAX_ZOOM,
        "bounds": [west, south, east, north],
        "center": [round((west + east) / 2, 4), round((south + north) / 2, 4), 7],
        "vector_layers": [{"id": layer, "fields": fields, "minzoom": 0, "maxzoom": MAX_ZOOM}],
    }
