"""The plans' targets and baselines as the store serves them, filtered by plan, sector, place, year and kind.

The rules: ``sector`` selects targets about the sector or any of its sub-sectors; ``place`` those about the
place (a prefecture includes its counties), about an entity that lies there (the place filter of
``/api/clusters``), and, for the province, those about the province as a whole; ``plan`` is a plan's year.
Every target carries its plan's citation (app.citation) and the name of what it is about.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, String, cast, or_, select

from app.admin_units import PROVINCE_ADCODE
from app.citation import plan_citation
from app.store import schema
from app.store.conditions import at_place
from app.store.published import StoreReader, rows_as_dicts

_PLAN_FIELDS = ("id", "year", "title_zh", "title_en", "issuer_zh", "issuer_en", "number", "date", "period")


@dataclass(frozen=True)
class TargetFilters:
    """The filters of ``/api/targets``; None leaves a filter out."""

    plan: int | None = None
    sector: str | None = None
    place: int | None = None
    year: int | None = None
    kind: str | None = None


def plan_rows(store: StoreReader) -> dict[str, dict[str, Any]]:
    """Every plan by id with what a citation needs."""
    table = schema.plans
    with store.engine().connect() as connection:
        rows = rows_as_dicts(connection.execute(select(*(table.c[name] for name in _PLAN_FIELDS))))
    return {row["id"]: row for row in rows}


def targets(store: StoreReader, filters: TargetFilters = TargetFilters()) -> list[dict[str, Any]]:
    """The targets matching ``filters`` in data/targets.yaml's order, each with ``plan_year``,
    ``citation`` and ``scope_name_zh``/``scope_name_en``."""
    table, plans = schema.targets, schema.plans
    query = (
        select(table, plans.c.year.label("plan_year"))
        .join(plans, plans.c.id == table.c.plan_id)
        .where(*_conditions(filters))
        .order_by(table.c.position)
    )
    cited = plan_rows(store)
    with store.engine().connect() as connection:
        rows = rows_as_dicts(connection.execute(query))
        names = _scope_names(connection)
    items = []
    for row in rows:
        row.pop("position")
        row["plan"] = row.pop("plan_id")
        zh, en = (
            names.get((row["scope"], row["scope_id"]), ("湖北省", "Hubei")) if row["scope_id"] else ("湖北省", "Hubei")
        )
        items.append(row | {"citation": plan_citation(cited[row["plan"]]), "scope_name_zh": zh, "scope_name_en": en})
    return items


def _conditions(filters: TargetFilters) -> list[ColumnElement[bool]]:
    table = schema.targets
    conditions: list[ColumnElement[bool]] = []
    if filters.plan is not None:
        conditions.append(schema.plans.c.year == filters.plan)
    if filters.year is not None:
        conditions.append(table.c.year == filters.year)
    if filters.kind is not None:
        conditions.append(table.c.kind == filters.kind)
    if filters.sector is not None:
        below = select(schema.sector_ancestors.c.sector_id).where(
            schema.sector_ancestors.c.ancestor_id == filters.sector
        )
        conditions.append((table.c.scope == "sector") & table.c.scope_id.in_(below))
    if filters.place is not None:
        units = schema.admin_units
        here = select(cast(units.c.adcode, String)).where(
            (units.c.adcode == filters.place) | (units.c.parent_adcode == filters.place)
        )
        there = select(schema.entities.c.id).where(at_place(filters.place))
        options = [
            (table.c.scope == "place") & table.c.scope_id.in_(here),
            (table.c.scope == "entity") & table.c.scope_id.in_(there),
        ]
        if filters.place == PROVINCE_ADCODE:
            options.append(table.c.scope == "province")
        conditions.append(or_(*options))
    return conditions


def _scope_names(connection: Any) -> dict[tuple[str, str], tuple[str, str]]:
    """(scope, scope id) → (中文, English) name of every sector, entity and place a target may be about."""
    names: dict[tuple[str, str], tuple[str, str]] = {}
    for scope, table, key in (
        ("sector", schema.sectors, schema.sectors.c.id),
        ("entity", schema.entities, schema.entities.c.id),
        ("place", schema.admin_units, schema.admin_units.c.adcode),
    ):
        ids = select(schema.targets.c.scope_id).where(schema.targets.c.scope == scope)
        query = select(key, table.c.name_zh, table.c.name_en).where(cast(key, String).in_(ids))
        for identifier, zh, en in connection.execute(query):
            names.setdefault((scope, str(identifier)), (zh, en))
    return names
