"""Geometry of entities: footprints from member boundaries, and corridor lines through member seats."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import shapely
from shapely.geometry import LineString, MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from app.admin_units import PROVINCE_ADCODE, AdminUnit
from app.catalogue import Confidence, Entity, Kind
from app.citation import plan_citation
from app.palette import entity_colour
from app.validation import ValidData

ENTITY_COLUMNS: tuple[str, ...] = (
    "id",
    "name_zh",
    "name_en",
    "kind",
    "sectors",
    "members",
    "status",
    "confidence",
    "inferred_sectors",
    "note",
    "plan_refs",
)


def footprint(members: Sequence[AdminUnit]) -> MultiPolygon:
    """The valid, dissolved union of the members' outlines."""
    merged = shapely.make_valid(shapely.union_all([member.geometry for member in members]))
    return MultiPolygon(_polygons(merged))


def route(members: Sequence[AdminUnit]) -> LineString:
    """A line through the members' seats in the given (the plan's) order."""
    return LineString([member.seat for member in members])


def entity_members(data: ValidData, entity: Entity) -> list[AdminUnit]:
    """The entity's members as units, in catalogue order."""
    return [unit for adcode in data.members[entity.id] if (unit := data.units.get(adcode)) is not None]


def places_holding(data: ValidData, entity: Entity) -> list[int]:
    """The entity's members and every unit above them, each once, in the order met: the places it lies
    within (the load's ``entity_places`` rows; the store-free place rule of ``atlas map``)."""
    places: dict[int, None] = {}
    for unit in entity_members(data, entity):
        # units.get() answers an adcode with its highest level, so the four province-administered units
        # (their own parent at county level) climb to the prefecture level, then the province.
        current: AdminUnit | None = unit
        while current is not None and current.adcode not in places:
            places[current.adcode] = None
            current = None if current.parent_adcode is None else data.units.get(current.parent_adcode)
    return list(places)


# Kinds that group places: a place belongs to the groups one of its holders belongs to (the place rule).
GROUP_KINDS = frozenset({Kind.city_group, Kind.corridor})

# Kinds whose members form a sequence (a corridor's stops, a city group's abbreviation: 汉孝随襄十).
SEQUENCE_KINDS = frozenset({Kind.corridor, Kind.city_group})


def in_plan_order(entity: Entity) -> bool:
    """Whether the entity's members are in an order the plan gives: a corridor or city group whose places
    the plan states (in its abbreviation, in its sentence). An inferred placement has no plan order, so the
    atlas draws no route and numbers no stops for it (汉江千里产业走廊: the plan names no stops)."""
    return entity.kind in SEQUENCE_KINDS and entity.confidence is Confidence.stated


def has_route(entity: Entity) -> bool:
    """Whether the entity is drawn as a line through its members' seats: a corridor in the plan's order."""
    return entity.kind is Kind.corridor and in_plan_order(entity)


def is_province_wide(data: ValidData, entity: Entity) -> bool:
    """Whether the plan places the entity in no place below the province: its one member is Hubei itself.
    Such an entity has no footprint worth drawing; lists show it apart."""
    return list(data.members[entity.id]) == [PROVINCE_ADCODE]


def entity_properties(data: ValidData, entity: Entity) -> dict[str, Any]:
    """The published properties of an entity (members as adcodes, in catalogue order), then what readers
    would otherwise each work out again: ``plans`` (years, ascending), ``top_sector`` (of the first
    sector, or null), ``colour`` (the top sector's, see app.palette), ``province_wide`` and ``ordered``
    (:func:`in_plan_order`: the page numbers the stops of such an entity, and no other's). Each of its
    ``plan_refs`` carries its plan's ``citation`` (app.citation), so every list, feature and file that
    holds a quote cites it the same way."""
    published = entity.model_dump(mode="json", include=set(ENTITY_COLUMNS))
    for ref in published["plan_refs"]:
        ref["citation"] = plan_citation(data.catalogue.plan(ref["plan"]).model_dump())
    return {
        **published,
        "members": list(data.members[entity.id]),
        "plans": entity.plan_years(),
        "top_sector": data.catalogue.entity_top_sector(entity),
        "colour": entity_colour(data.catalogue, entity),
        "province_wide": is_province_wide(data, entity),
        "ordered": in_plan_order(entity),
    }


def _polygons(geometry: BaseGeometry) -> list[Polygon]:
    if isinstance(geometry, Polygon):
        return [geometry]
    if hasattr(geometry, "geoms"):
        return [polygon for part in geometry.geoms for polygon in _polygons(part)]
    return []  # make_valid can leave stray lines or points where outlines only touch
