"""The plans the catalogue quotes, as sources are cited: titles, issuers, document numbers and dates."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from app.citation import plan_citation
from app.plan_groups import Unit, plan_origin, unit_json
from app.store import schema
from app.store.published import StoreReader, rows_as_dicts

FIELDS = ("id", "year", "title_zh", "title_en", "issuer_zh", "issuer_en", "number", "date", "period", "note")


def plans(store: StoreReader) -> list[dict[str, Any]]:
    """Every plan, newest first: id, year, titles, issuers, document number (None where the text bears none
    of its own), date (ISO), period, the curators' note and the ``citation`` every quote is cited with
    (app.citation); and what a plan picker groups by: ``province`` and ``city`` (app.plan_groups, from the
    issuer; city None for a province's plan) and ``entities``, how many entities quote the plan."""
    table, units, refs = schema.plans, schema.admin_units, schema.plan_refs
    query = select(*(table.c[name] for name in FIELDS)).order_by(table.c.year.desc(), table.c.id)
    unit_query = select(units.c.adcode, units.c.name_zh, units.c.name_en, units.c.level, units.c.parent_adcode).where(
        units.c.level.in_(("province", "prefecture"))
    )
    counted = (
        select(refs.c.plan_id, func.count(func.distinct(refs.c.subject_id)))
        .where(refs.c.subject == "entity")
        .group_by(refs.c.plan_id)
    )
    with store.engine().connect() as connection:
        rows = rows_as_dicts(connection.execute(query))
        known = [Unit(**row) for row in rows_as_dicts(connection.execute(unit_query))]
        counts = dict(connection.execute(counted).all())
    found = []
    for row in rows:
        origin = plan_origin(row["issuer_zh"], known)
        found.append(
            row
            | {
                "date": str(row["date"]),
                "citation": plan_citation(row),
                "province": unit_json(origin.province),
                "city": unit_json(origin.city),
                "entities": counts.get(row["id"], 0),
            }
        )
    return found
