"""The shapes a place's small printed map draws: entity footprints and routes, and the boundary outlines
around them — generalised, as the page draws them at a middle zoom, since the map is a few centimetres wide."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import func, select

from app.query import BBox
from app.store import schema
from app.store.collections import COLLECTIONS
from app.store.conditions import bbox_condition
from app.store.published import StoreReader

# The outlines generalised for zooms 8–9 keep every bend a line 0.2 mm wide can show at this scale.
BAND = "z9"
DECIMALS = 4  # about 10 m: far below what a small map shows


@dataclass(frozen=True)
class Outline:
    """One administrative unit on the map: its code, short name, label point and outline."""

    adcode: int
    name_zh: str
    label: tuple[float, float]
    shape: BaseGeometry


@dataclass(frozen=True)
class EntityShape:
    """Where an entity is drawn: its footprint (the union of its places) and, for corridors, its route."""

    footprint: BaseGeometry
    route: BaseGeometry | None


def _shape(text: str | None) -> BaseGeometry | None:
    return shapely.from_geojson(text) if text else None


def entity_shapes(store: StoreReader, entity_ids: Sequence[str]) -> dict[str, EntityShape]:
    """The generalised footprint and the route of each of ``entity_ids`` that the store holds."""
    if not entity_ids:
        return {}
    entities = schema.entities
    query = select(
        entities.c.id,
        func.ST_AsGeoJSON(entities.c[f"footprint_{BAND}"], DECIMALS),
        func.ST_AsGeoJSON(entities.c.route, DECIMALS),
    ).where(entities.c.id.in_(list(entity_ids)))
    with store.engine().connect() as connection:
        rows = connection.execute(query).all()
    return {identifier: EntityShape(_shape(footprint), _shape(route)) for identifier, footprint, route in rows}


def unit_outlines(store: StoreReader, level: str, box: BBox, parent: int | None = None) -> list[Outline]:
    """Generalised outlines of the units of ``level`` that meet ``box`` (minlon, minlat, maxlon, maxlat),
    optionally only those under ``parent``; found through the spatial index, so that a store of all China
    hands over only the neighbourhood."""
    target = COLLECTIONS["prefectures" if level == "prefecture" else "counties"]
    units = schema.admin_units
    outline = units.c[f"geom_{BAND}"]
    query = (
        select(units.c.adcode, units.c.map_properties, func.ST_AsGeoJSON(outline, DECIMALS))
        .where(units.c.level == level, bbox_condition(store.dialect, target, [box], outline))
        .order_by(units.c.position)
    )
    if parent is not None:
        query = query.where(units.c.parent_adcode == parent)
    with store.engine().connect() as connection:
        rows = connection.execute(query).all()
    found = []
    for adcode, properties, geometry in rows:
        unit = json.loads(properties)
        label = (unit.get("label_lon", unit["seat_lon"]), unit.get("label_lat", unit["seat_lat"]))
        found.append(Outline(adcode, unit["short_name_zh"], label, shapely.from_geojson(geometry)))
    return found
