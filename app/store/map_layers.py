"""Layers for drawing on the page: every feature at once, generalised for the zoom, slim properties."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, select

from app.generalise import FULL_DECIMALS, band_for
from app.store import schema
from app.store.collections import COLLECTIONS, Collection
from app.store.features import feature_json
from app.store.store import NotFound, StoreReader

MAP_LAYERS = ("prefectures", "counties", "clusters", "corridors")


def display_geometry(target: Collection, zoom: int) -> tuple[ColumnElement[Any], int]:
    """The geometry column to draw ``target`` with at web-map ``zoom``, and its coordinate decimals:
    the generalised outline of the zoom's band, full detail past the bands; corridors as they are."""
    table = target.table
    if target.id == "corridors":  # a few points per line
        return table.c.route, FULL_DECIMALS
    band = band_for(zoom)
    if band is None:
        return table.c[target.geometry], FULL_DECIMALS
    return table.c[f"{target.geometry}_{band.name}"], band.decimals


def map_layer(store: StoreReader, layer: str, zoom: int) -> str:
    """A GeoJSON FeatureCollection of ``layer`` for drawing at web-map ``zoom``."""
    if layer not in MAP_LAYERS:
        raise NotFound(f"No map layer {layer!r}; layers: {', '.join(MAP_LAYERS)}.")
    target = COLLECTIONS[layer]
    table = target.table
    geometry, decimals = display_geometry(target, zoom)
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
