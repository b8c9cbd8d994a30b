"""Layers for drawing on the page: every feature at once, generalised for the zoom, slim properties."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, select

from app.errors import InvalidParameter
from app.generalise import band_for
from app.layers import EntityRows, map_layers, names
from app.query import FilterName, Filters
from app.store import ready_geojson
from app.store.collections import COLLECTIONS, Collection
from app.store.conditions import entity_conditions, within_provinces
from app.store.features import feature_json
from app.store.published import NotFound, StoreReader


def drawn_collection(layer: str, what: str) -> Collection:
    """The collection of ``layer`` if the page draws it (and /tiles serves it), else :class:`NotFound`
    naming ``what`` was asked for."""
    if layer not in COLLECTIONS or not COLLECTIONS[layer].layer.on_map:
        raise NotFound(f"No {what} {layer!r}; layers: {names(map_layers())}.")
    return COLLECTIONS[layer]


def display_geometry(target: Collection, zoom: int) -> ColumnElement[Any]:
    """The geometry column to draw ``target`` with at web-map ``zoom``: the generalised outline of the
    zoom's band, full detail past the bands; corridors as they are."""
    table = target.table
    rows = target.layer.rows
    if isinstance(rows, EntityRows) and rows.geometry == "route":  # a few points per line, not generalised
        return table.c.route
    band = band_for(zoom)
    if band is None:
        return table.c[target.geometry]
    return table.c[f"{target.geometry}_{band.name}"]


def map_layer(
    store: StoreReader,
    layer: str,
    zoom: int,
    plans: tuple[str, ...] | None = None,
    provinces: tuple[int, ...] | None = None,
) -> str:
    """A GeoJSON FeatureCollection of ``layer`` for drawing at web-map ``zoom``; of an entity layer, only
    the entities ``plans`` quote when given (with tens of plans the page loads the chosen ones only); of a
    boundary layer, only the units in ``provinces`` when given (those of the chosen plans)."""
    target = drawn_collection(layer, "map layer")
    entity_layer = FilterName.plans in target.layer.filters
    if plans and not entity_layer:
        raise InvalidParameter("plans", f"the layer {layer!r} holds no plan entities")
    if provinces and entity_layer:
        raise InvalidParameter("provinces", f"the layer {layer!r} holds no boundaries")
    table = target.table
    geometry = display_geometry(target, zoom)
    properties = table.c[target.map_properties]
    # The outline's GeoJSON as the load wrote it, with the band's decimals (app.store.ready_geojson).
    query = (
        select(table.c[target.id_column], ready_geojson.column(table, geometry.name), properties)
        .where(geometry.is_not(None))
        .order_by(table.c.position)
    )
    if (where := target.where()) is not None:
        query = query.where(where)
    if plans:
        query = query.where(*entity_conditions(Filters(plans=plans)))
    if provinces:
        query = query.where(within_provinces(provinces))
    with store.engine().connect() as connection:
        rows = connection.execute(query).all()
    return '{"type":"FeatureCollection","features":[' + ",".join(feature_json(*row) for row in rows) + "]}"
