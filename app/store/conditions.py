"""The SQL conditions that query values (``app.query``) become, on the store's tables."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select

from app.admin_units import Level
from app.entities import GROUP_KINDS
from app.query import BBox, Filters
from app.store import schema
from app.store.collections import Collection
from app.store.dialect import Dialect
from app.text_search import fold


def entity_conditions(filters: Filters) -> list[ColumnElement[bool]]:
    """SQL conditions on ``entities`` for the given filters (all bound parameters)."""
    entities = schema.entities
    conditions: list[ColumnElement[bool]] = []
    if filters.sector:
        tagged = (
            select(schema.entity_sectors.c.entity_id)
            .join(
                schema.sector_ancestors,
                schema.sector_ancestors.c.sector_id == schema.entity_sectors.c.sector_id,
            )
            .where(schema.sector_ancestors.c.ancestor_id == filters.sector)
        )
        conditions.append(entities.c.id.in_(tagged))
    if filters.kind:
        conditions.append(entities.c.kind.in_([kind.value for kind in filters.kind]))
    if filters.status:
        conditions.append(entities.c.status == filters.status.value)
    if filters.plan:
        cited = select(schema.plan_refs.c.subject_id).where(
            schema.plan_refs.c.subject == "entity", schema.plan_refs.c.year == filters.plan
        )
        conditions.append(entities.c.id.in_(cited))
    if filters.plans:
        quoted = select(schema.plan_refs.c.subject_id).where(
            schema.plan_refs.c.subject == "entity", schema.plan_refs.c.plan_id.in_(filters.plans)
        )
        conditions.append(entities.c.id.in_(quoted))
    if filters.place:
        conditions.append(at_place(filters.place))
    if filters.q:
        conditions.append(contains(entities.c[schema.TERMS], filters.q))
    return conditions


# Groups span several places: a county lies in those of its prefecture, as the place's profile says.
GROUP_VALUES = sorted(kind.value for kind in GROUP_KINDS)


def at_place(adcode: int) -> ColumnElement[bool]:
    """Entities at a place, the one rule of the ``place`` filter and the place's profile: those with a
    member within it (a prefecture includes its counties, the province everything), and the groups (city
    groups, corridors) with a member that holds it (a county is in the groups its prefecture is in)."""
    entities, units = schema.entities, schema.admin_units
    within = select(schema.entity_places.c.entity_id).where(schema.entity_places.c.adcode == adcode)
    holders = select(units.c.parent_adcode).where(units.c.adcode == adcode, units.c.level == Level.county.value)
    grouping = select(schema.memberships.c.entity_id).where(schema.memberships.c.adcode.in_(holders))
    return or_(entities.c.id.in_(within), and_(entities.c.kind.in_(GROUP_VALUES), entities.c.id.in_(grouping)))


def within_provinces(provinces: Sequence[int]) -> ColumnElement[bool]:
    """Administrative units in any of ``provinces`` (adcodes): the provinces, their prefectures and those
    prefectures' counties (a county's parent is its prefecture, or its province where there is none)."""
    units = schema.admin_units
    prefectures = select(units.c.adcode).where(units.c.parent_adcode.in_(provinces))
    return or_(
        units.c.adcode.in_(provinces), units.c.parent_adcode.in_(provinces), units.c.parent_adcode.in_(prefectures)
    )


def contains(column: ColumnElement[str], query: str) -> ColumnElement[bool]:
    """``column`` (folded text) contains the folded ``query``; LIKE wildcards in it are escaped."""
    needle = fold(query).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.like(f"%{needle}%", escape="\\")


def bbox_condition(
    dialect: Dialect, target: Collection, boxes: Sequence[BBox], geometry: ColumnElement[Any] | None = None
) -> ColumnElement[bool]:
    """Features intersecting any of ``boxes``, through the spatial index (on the collection's full
    geometry; ``geometry``, e.g. a generalised one, is what is tested)."""
    indexed = target.table.c[target.geometry]
    tested = indexed if geometry is None else geometry
    return or_(*(dialect.intersects(target.table, indexed, tested, box) for box in boxes))


def conditions(
    dialect: Dialect, target: Collection, filters: Filters, boxes: Sequence[BBox] | None
) -> list[ColumnElement[bool]]:
    """Every condition a feature of ``target`` must meet: membership, geometry, filters, bbox."""
    found: list[ColumnElement[bool]] = [target.table.c[target.geometry].is_not(None)]
    if (where := target.where()) is not None:
        found.append(where)
    if target.table is schema.entities:
        found += entity_conditions(filters)
    if boxes:
        found.append(bbox_condition(dialect, target, boxes))
    return found
