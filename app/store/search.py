"""Search over places, entities and sectors, typed in 中文, English or pinyin.

A record is found by its names, its aliases (the catalogue's ``aliases``, data/boundaries/aliases.csv) and
the pinyin of both; an entity also by related words (its sectors and their aliases, its places). Hits are
ranked by the field they are found in and how closely (the rule is the table of ranks below); a place
that exists at two levels (仙桃, 潜江, 天门, 神农架) is one hit, at its higher level. A query that finds
nothing gets the nearest names instead (``suggest``: "did you mean …").
"""

from __future__ import annotations

from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import ColumnElement, Table, Text, case, cast, literal, or_, select, union_all

from app.store import schema
from app.store.conditions import contains
from app.store.published import InvalidParameter, StoreReader, rows_as_dicts
from app.text_search import fold, has_chinese, pinyin

MAX_QUERY_LENGTH = 100
# Ranks, best first: by field (name > alias > pinyin > related word) and closeness (whole > start > inside).
EXACT = 100  # the whole of a name (Chinese, English, a place's short name or official pinyin)
ALIAS = 90  # the whole of an alias (新能源汽车, NEV, 襄樊)
PREFIX = 80  # the start of a name or alias
INSIDE = 60  # inside a name or alias
PINYIN = 55  # the whole pinyin of a name or alias (also a Chinese query's homophones: 襄凡 → 襄樊)
PINYIN_START = 50  # the start of that pinyin
PINYIN_INSIDE = 45  # inside it
RELATED = 40  # an entity's related word: its sectors (and their aliases), its places
NEAREST = 20  # not found; one of the nearest names (the "did you mean" suggestions)
RANKS = {
    EXACT: "whole name",
    ALIAS: "whole alias",
    PREFIX: "start of a name or alias",
    INSIDE: "inside a name or alias",
    PINYIN: "whole pinyin of a name or alias",
    PINYIN_START: "start of the pinyin",
    PINYIN_INSIDE: "inside the pinyin",
    RELATED: "related word (an entity's sectors, places)",
    NEAREST: "nearest name (did-you-mean suggestions only)",
}
_TYPE_ORDER = {"place": 0, "entity": 1, "sector": 2}
# Homophones are looked for from two characters on: the pinyin of one (市 → shi) is inside nearly all.
_MIN_HOMOPHONE_LENGTH = 2


def search(store: StoreReader, query: str, limit: int = 20) -> list[dict[str, Any]]:
    """The best matches for ``query``, best first: type, id, names, rank, and kind or level."""
    folded = fold(query)
    if not folded:
        raise InvalidParameter("q", "give at least one letter or character")
    if len(query) > MAX_QUERY_LENGTH:
        raise InvalidParameter("q", f"at most {MAX_QUERY_LENGTH} characters")
    sound = _sound(query, folded)
    with store.engine().connect() as connection:
        rows = rows_as_dicts(connection.execute(union_all(*(_part(table, folded, sound) for table in _TABLES))))
    rows.sort(key=lambda row: (-row["rank"], _TYPE_ORDER[row["type"]], row["position"]))
    return _distinct(rows)[:limit]


def suggest(store: StoreReader, query: str, limit: int = 3) -> list[dict[str, Any]]:
    """The records whose names, aliases or pinyin are nearest ``query`` (rapidfuzz's WRatio), best first,
    with rank ``NEAREST``: what "did you mean …" offers when ``search`` finds nothing."""
    folded = fold(query)
    if not folded:
        return []
    sound = _sound(query, folded)
    parts = [
        _columns(table).add_columns(table.c[schema.NAMES], table.c[schema.ALIASES], table.c[schema.PINYIN])
        for table in _TABLES
    ]
    with store.engine().connect() as connection:
        rows = rows_as_dicts(connection.execute(union_all(*parts)))
    keys: list[str] = []
    owners: list[int] = []
    for index, row in enumerate(rows):
        for column in (schema.NAMES, schema.ALIASES, schema.PINYIN):
            for key in filter(None, row.pop(column).split("|")):
                keys.append(key)
                owners.append(index)
    best: dict[int, float] = {}
    for needle in dict.fromkeys((folded, sound)):
        for _key, score, position in process.extract(needle, keys, scorer=fuzz.WRatio, limit=limit * 20):
            if score > 0:
                best[owners[position]] = max(best.get(owners[position], 0.0), score)
    ordered = sorted(best, key=lambda index: (-best[index], _TYPE_ORDER[rows[index]["type"]], rows[index]["position"]))
    return _distinct([rows[index] | {"rank": NEAREST} for index in ordered])[:limit]


def _sound(query: str, folded: str) -> str:
    """What the query sounds like: the pinyin of a Chinese query (for homophones: 襄凡 finds 襄樊), else
    the folded query itself (pinyin typed as such)."""
    if has_chinese(query) and len(folded) >= _MIN_HOMOPHONE_LENGTH:
        return pinyin(query)
    return folded


_TABLES = (schema.admin_units, schema.entities, schema.sectors)
_KINDS = {schema.admin_units.name: ("place", "adcode", "level"), schema.entities.name: ("entity", "id", "kind")}


def _columns(table: Table) -> Any:
    kind, identifier, category = _KINDS.get(table.name, ("sector", "id", "plan_id"))
    return select(
        literal(kind).label("type"),
        cast(table.c[identifier], Text).label("id"),  # adcodes and text ids share one column of the union
        table.c.name_zh,
        table.c.name_en,
        table.c[category].label("category"),
        table.c.position,
    )


def _part(table: Table, folded: str, sound: str) -> Any:
    names, aliases, sounds = table.c[schema.NAMES], table.c[schema.ALIASES], table.c[schema.PINYIN]

    def either(needle: str) -> ColumnElement[bool]:
        return or_(contains(names, needle), contains(aliases, needle))

    rank = case(
        (contains(names, f"|{folded}|"), EXACT),
        (contains(aliases, f"|{folded}|"), ALIAS),
        (either(f"|{folded}"), PREFIX),
        (either(folded), INSIDE),
        (contains(sounds, f"|{sound}|"), PINYIN),
        (contains(sounds, f"|{sound}"), PINYIN_START),
        (contains(sounds, sound), PINYIN_INSIDE),
        else_=RELATED,
    )
    # An entity's search column holds its names, aliases and pinyin as well as the related words.
    found = table.c.get(schema.TERMS)
    matched = or_(either(folded), contains(sounds, sound), *([] if found is None else [contains(found, folded)]))
    return _columns(table).add_columns(rank.label("rank")).where(matched)


def _distinct(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each record once, at its first (best) place: a unit at two levels (仙桃) shares its adcode."""
    seen: set[tuple[str, str]] = set()
    kept = []
    for row in rows:
        row["id"] = str(row["id"])
        if (row["type"], row["id"]) not in seen:
            seen.add((row["type"], row["id"]))
            kept.append({key: value for key, value in row.items() if key != "position"})
    return kept
