"""What people browse: the sector tree, entities, places and place profiles."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select

from app.query import Filters, is_plausible_id
from app.store import schema
from app.store.conditions import GROUP_KINDS, at_place, entity_conditions, within_provinces
from app.store.features import COORDINATE_DECIMALS
from app.store.published import NotFound, StoreReader, rows_as_dicts


def sector_tree(store: StoreReader) -> list[dict[str, Any]]:
    """Top-level sectors with nested ``children``; each with the number of entities tagged with it or a
    sub-sector, its plan, and as the load worked them out its ``colour`` and its ``descendants`` (its own
    id, then its sub-sectors' at every depth)."""
    sectors, tags, ancestors = schema.sectors, schema.entity_sectors, schema.sector_ancestors
    counts = (
        select(ancestors.c.ancestor_id, func.count(func.distinct(tags.c.entity_id)).label("entity_count"))
        .join(tags, tags.c.sector_id == ancestors.c.sector_id)
        .group_by(ancestors.c.ancestor_id)
        .subquery()
    )
    query = (
        select(
            sectors.c.id,
            sectors.c.parent_id,
            sectors.c.name_zh,
            sectors.c.name_en,
            sectors.c.plan_id,
            schema.plans.c.year.label("plan_year"),
            sectors.c.note,
            func.coalesce(counts.c.entity_count, 0).label("entity_count"),
            sectors.c.colour,
            sectors.c.descendants,
        )
        .join(schema.plans, schema.plans.c.id == sectors.c.plan_id)
        .outerjoin(counts, counts.c.ancestor_id == sectors.c.id)
        .order_by(sectors.c.position)
    )
    with store.engine().connect() as connection:
        rows = rows_as_dicts(connection.execute(query))
    by_id = {row["id"]: row | {"descendants": json.loads(row["descendants"]), "children": []} for row in rows}
    roots = []
    for row in by_id.values():
        parent = row.pop("parent_id")
        (by_id[parent]["children"] if parent else roots).append(row)
    return roots


def entity_summaries(
    store: StoreReader, filters: Filters, limit: int | None = None, offset: int = 0
) -> tuple[int, list[dict[str, Any]]]:
    """Entities matching ``filters`` in catalogue order: the total and one page of their properties."""
    entities = schema.entities
    where = entity_conditions(filters)
    page = select(entities.c.properties).where(*where).order_by(entities.c.position).offset(offset).limit(limit)
    with store.engine().connect() as connection:
        total = connection.execute(select(func.count()).select_from(entities).where(*where)).scalar_one()
        properties = connection.execute(page).scalars().all()
    return total, [json.loads(text) for text in properties]


def entity_detail(store: StoreReader, entity_id: str) -> dict[str, Any]:
    """One entity: properties, member places and sectors spelled out, footprint and route GeoJSON."""
    if not is_plausible_id(entity_id):
        raise NotFound(f"No entity {entity_id!r}.")
    entities = schema.entities
    query = select(
        entities.c.properties,
        func.ST_AsGeoJSON(entities.c.footprint, COORDINATE_DECIMALS).label("geometry"),
        func.ST_AsGeoJSON(entities.c.route, COORDINATE_DECIMALS).label("route"),
    ).where(entities.c.id == entity_id)
    with store.engine().connect() as connection:
        row = connection.execute(query).first()
        if row is None:
            raise NotFound(f"No entity {entity_id!r}.")
        detail = json.loads(row.properties)
        detail["member_places"] = _member_places(connection, entity_id)
        detail["sector_names"] = _sector_names(connection, detail["sectors"])
    detail["geometry"] = json.loads(row.geometry)
    detail["route"] = json.loads(row.route) if row.route else None
    return detail


def places(
    store: StoreReader, level: str | None = None, parent: int | None = None, provinces: tuple[int, ...] | None = None
) -> list[dict[str, Any]]:
    """Administrative units (without geometry), optionally of one level, under one parent or in some
    provinces (app.store.conditions.within_provinces)."""
    units = schema.admin_units
    query = select(units.c.properties).order_by(units.c.position)
    if provinces:
        query = query.where(within_provinces(provinces))
    if level is not None:
        query = query.where(units.c.level == level)
    if parent is not None:
        query = query.where(units.c.parent_adcode == parent, units.c.adcode != parent)
    with store.engine().connect() as connection:
        return [json.loads(text) for text in connection.execute(query).scalars()]


def place_profile(store: StoreReader, adcode: int) -> dict[str, Any]:
    """A place: what the plans put there (county entities rolled up into their prefecture), the groups and
    corridors it belongs to (directly or through its prefecture), and the sectors of what is there."""
    units, entities = schema.admin_units, schema.entities
    with store.engine().connect() as connection:
        unit = connection.execute(
            select(
                units.c.properties,
                func.ST_AsGeoJSON(units.c.geom, COORDINATE_DECIMALS).label("geometry"),
            )
            .where(units.c.adcode == adcode)
            .order_by(units.c.position)  # the higher level first for the four shared adcodes
        ).first()
        if unit is None:
            raise NotFound(f"No place with adcode {adcode}.")
        profile = json.loads(unit.properties)
        # The place filter's rule (conditions.at_place): a profile lists what /downloads?place= holds.
        here = select(entities.c.properties).where(at_place(adcode)).order_by(entities.c.position)
        there = here.where(entities.c.kind.not_in(GROUP_KINDS))
        groups = here.where(entities.c.kind.in_(GROUP_KINDS))
        profile["entities"] = [json.loads(text) for text in connection.execute(there).scalars()]
        profile["groups"] = [json.loads(text) for text in connection.execute(groups).scalars()]
        sector_ids = list(dict.fromkeys(s for entity in profile["entities"] for s in entity["sectors"]))
        profile["sectors"] = _sector_names(connection, sector_ids)
    profile["geometry"] = json.loads(unit.geometry)
    return profile


def _member_places(connection: Any, entity_id: str) -> list[dict[str, Any]]:
    units, members = schema.admin_units, schema.memberships
    query = (
        select(units.c.adcode, units.c.level, units.c.name_zh, units.c.name_en)
        .join(members, members.c.unit_key == units.c.key)
        .where(members.c.entity_id == entity_id)
        .order_by(members.c.position)
    )
    return rows_as_dicts(connection.execute(query))


def _sector_names(connection: Any, sector_ids: list[str]) -> list[dict[str, Any]]:
    sectors = schema.sectors
    query = select(sectors.c.id, sectors.c.name_zh, sectors.c.name_en, sectors.c.parent_id).where(
        sectors.c.id.in_(sector_ids)
    )
    found = {row["id"]: row for row in rows_as_dicts(connection.execute(query))}
    return [found[sector_id] for sector_id in sector_ids if sector_id in found]
