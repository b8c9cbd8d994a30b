"""The plans the catalogue quotes, as sources are cited: titles, issuers, document numbers and dates."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.citation import plan_citation
from app.store import schema
from app.store.published import StoreReader, rows_as_dicts

FIELDS = ("id", "year", "title_zh", "title_en", "issuer_zh", "issuer_en", "number", "date", "period", "note")


def plans(store: StoreReader) -> list[dict[str, Any]]:
    """Every plan, newest first: id, year, titles, issuers, document number (None where the text bears none
    of its own), date (ISO), period, the curators' note and the ``citation`` every quote is cited with
    (app.citation)."""
    table = schema.plans
    query = select(*(table.c[name] for name in FIELDS)).order_by(table.c.year.desc(), table.c.id)
    with store.engine().connect() as connection:
        rows = rows_as_dicts(connection.execute(query))
    return [row | {"date": str(row["date"]), "citation": plan_citation(row)} for row in rows]
