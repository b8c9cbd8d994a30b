"""Search over places, entities and sectors, typed in 中文, English or pinyin."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, Text, case, cast, literal, select, union_all

from app.store import schema
from app.store.conditions import contains
from app.store.published import InvalidParameter, StoreReader, rows_as_dicts
from app.text_search import fold

MAX_QUERY_LENGTH = 100
# Ranks: the whole of a name, the start of a name, inside a name, a related word (sector, member place).
EXACT, PREFIX, INSIDE, RELATED = 100, 80, 60, 40
_TYPE_ORDER = {"place": 0, "entity": 1, "sector": 2}


def search(store: StoreReader, query: str, limit: int = 20) -> list[dict[str, Any]]:
    """The best matches for ``query``, best first: type, id, names, rank, and kind or level."""
    folded = fold(query)
    if not folded:
        raise InvalidParameter("q", "give at least one letter or character")
    if len(query) > MAX_QUERY_LENGTH:
        raise InvalidParameter("q", f"at most {MAX_QUERY_LENGTH} characters")
    units, entities, sectors = schema.admin_units, schema.entities, schema.sectors
    parts = [
        _part(units, "place", units.c.adcode, units.c.level, folded, query, related=None),
        _part(
            entities,
            "entity",
            entities.c.id,
            entities.c.kind,
            folded,
            query,
            related=entities.c[schema.TERMS],
        ),
        _part(sectors, "sector", sectors.c.id, sectors.c.plan_id, folded, query, related=None),
    ]
    with store.engine().connect() as connection:
        rows = rows_as_dicts(connection.execute(union_all(*parts)))
    rows.sort(key=lambda row: (-row["rank"], _TYPE_ORDER[row["type"]], row["position"]))
    for row in rows:
        row["id"] = str(row["id"])
        row.pop("position")
    return rows[:limit]


def _part(table: Table, kind: str, identifier: Any, category: Any, folded: str, query: str, related: Any) -> Any:
    names = table.c[schema.NAMES]
    rank = case(
        (contains(names, f"|{folded}|"), EXACT),
        (contains(names, f"|{folded}"), PREFIX),
        (contains(names, query), INSIDE),
        else_=RELATED,
    )
    matched = contains(names, query) if related is None else contains(related, query)
    return select(
        literal(kind).label("type"),
        cast(identifier, Text).label("id"),  # adcodes and text ids share one column of the union
        table.c.name_zh,
        table.c.name_en,
        category.label("category"),
        rank.label("rank"),
        table.c.position,
    ).where(matched)
