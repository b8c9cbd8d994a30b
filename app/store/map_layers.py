"""Layers for drawing on the page: every feature at once, generalised for the zoom, slim properties."""

from __future__ import annotations

from sqlalchemy import func, select

from app.generalise import FULL_DECIMALS, band_for
from app.store import schema
from app.store.collections import COLLECTIONS
from app.store.features import feature_json
from app.store.store import NotFound, Store

MAP_LAYERS = ("prefectures", "counties", "clusters", "corridors")


def map_layer(store: Store, layer: str, zoom: int) -> str:
    """A GeoJSON FeatureCollection of ``layer`` for drawing at web-map ``zoom``."""
    if layer not in MAP_LAYERS:
        raise NotFound(f"No map layer {layer!r}; layers: {', '.join(MAP_LAYERS)}.")
    target = COLLECTIONS[layer]
    table = target.table
    band = band_for(zoom)
    if layer == "corridors":  # a few points per line: always drawn as they are
        geometry, decimals = table.c.route, FULL_DECIMALS
    else:
        column = target.geometry if band is None else f"{target.geometry}_{band.name}"
        geometry, decimals = table.c[column], FULL_DECIMALS if band is None else band.decimals
    properties = table.c.map_properties if table is schema.entities else table.c.properties
    query = (
        select(table.c[target.id_column], func.ST_AsGeoJSON(geometry, decimals), properties)
        .where(geometry.is_not(None))
        .order_by(table.c.position)
    )
    if (where := target.where()) is not None:
        query = query.where(where)
    with store.engine().connect() as connection:
        rows = connection.execute(query).all()
    return '{"type":"FeatureCollection","features":[' + ",".join(feature_json(*row) for row in rows) + "]}"
