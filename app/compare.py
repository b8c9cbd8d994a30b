"""Compare editions: for a sector or a place, what an earlier plan and a later one say — what continued
(with the relation and the plans' words on both sides), what is new in the later plan, what was dropped
from the earlier — and, for one entity, its counterparts in other editions.

Everything comes from the store (``lineage`` rows written from ``data/lineage.yaml``, entities and their
quotes); nothing here names an edition, so a third plan with its links is compared like the first two.
No HTTP: ``api/routers/compare.py`` is a thin layer over this.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, and_, or_, select

from app.errors import InvalidParameter, NotFound
from app.query import Filters, is_plausible_id
from app.store import schema
from app.store.conditions import entity_conditions
from app.store.published import StoreReader, rows_as_dicts
from app.text_search import did_you_mean

PLAN_FIELDS = ("id", "year", "title_zh", "title_en", "issuer_zh", "issuer_en", "number", "date")
_SIDE_FIELDS = ("plan", "subject", "id", "section", "quote")


def compare(store: StoreReader, from_plan: str, to_plan: str, filters: Filters) -> dict[str, Any]:
    """The two editions side by side for ``filters`` (``sector`` and/or ``place``; neither: the whole plans).

    ``continued``: links from ``from_plan`` to ``to_plan`` with an end in the scope (``in_scope`` says
    which end is; an entity both plans cite is continued as itself). Plans need not be adjacent: links
    compose through the editions between them (2014 → 2021 → 2026), each composed link naming the
    records it passed through in ``via`` and its ``relation`` composed by :func:`composed_relation`;
    a direct link has ``via: []``. ``new``: entities of the later plan
    in the scope with no link from the earlier; ``dropped``: entities of the earlier plan in the scope
    with no link to the later, with the curators' record where there is one; ``sectors``: the sector
    links and dropped sector records within a chosen sector.
    """
    with store.engine().connect() as connection:
        plans = _plans(connection)
        for name, plan_id in (("from", from_plan), ("to", to_plan)):
            if plan_id not in plans:
                raise InvalidParameter(name, f"unknown plan {plan_id!r}{did_you_mean(plan_id, plans, 60)}")
        if plans[from_plan]["date"] >= plans[to_plan]["date"]:
            raise InvalidParameter("to", f"{to_plan!r} is not a later plan than {from_plan!r}")
        earlier = _in_scope(connection, from_plan, filters)
        later = _in_scope(connection, to_plan, filters)
        rows = _lineage_rows(connection, from_plan, to_plan)
        ordered: list[tuple[tuple[int, int], dict[str, Any]]] = []
        linked_from, linked_to = set(), set()
        for path in _entity_paths(connection, plans, from_plan, to_plan):
            first, last = path[0], path[-1]
            if first["from_id"] in earlier or last["to_id"] in later:
                position = first.get("position")  # none for a record cited by both plans
                key = (0, position) if position is not None else (1, earlier.get(first["from_id"], 0))
                ordered.append((key, _chained(path, earlier, later)))
            linked_from.add(first["from_id"])
            linked_to.add(last["to_id"])
        # The curators' links in the order of data/lineage.yaml, then records both plans cite, in the earlier's order.
        continued = [link for _key, link in sorted(ordered, key=lambda pair: pair[0])]
        recorded = {
            row["from_id"]: row
            for row in rows
            if row["kind"] == "dropped" and row["from_subject"] == "entity" and row["part"] is None
        }
        dropped = [
            {"entity": entity_id, "recorded": _recorded(recorded.get(entity_id))}
            for entity_id in earlier
            if entity_id not in linked_from
        ]
        new = [{"entity": entity_id} for entity_id in later if entity_id not in linked_to]
        sectors = _sector_lineage(connection, rows, filters.sector)
        _spell_out(connection, continued, new, dropped, from_plan, to_plan)
        scope = _scope(connection, filters)
    return {
        "from": plans[from_plan],
        "to": plans[to_plan],
        "scope": scope,
        "continued": continued,
        "new": new,
        "dropped": dropped,
        "sectors": sectors,
    }


def entity_lineage(store: StoreReader, entity_id: str) -> dict[str, Any]:
    """An entity's counterparts in other editions: ``earlier`` (links into it) and ``later`` (links from
    it), each with the relation, the other side spelled out and both quotes; ``dropped`` records of it."""
    if not is_plausible_id(entity_id):
        raise NotFound(f"No entity {entity_id!r}.")
    table = schema.lineage
    with store.engine().connect() as connection:
        found = connection.execute(select(schema.entities.c.id).where(schema.entities.c.id == entity_id)).first()
        if found is None:
            raise NotFound(f"No entity {entity_id!r}.")
        plans = _plans(connection)
        query = (
            select(table)
            .where(
                or_(
                    and_(table.c.from_subject == "entity", table.c.from_id == entity_id),
                    and_(table.c.to_subject == "entity", table.c.to_id == entity_id),
                )
            )
            .order_by(table.c.position)
        )
        rows = rows_as_dicts(connection.execute(query))
        earlier, later, dropped = [], [], []
        for row in rows:
            if row["kind"] == "dropped":
                dropped.append(_recorded(row) | {"by": _plan_label(plans[row["to_plan"]])})
                continue
            link = _link(row, {}, {})
            (later if row["from_id"] == entity_id else earlier).append(link)
        _spell_out(connection, earlier + later, [], [], None, None)
    for link in earlier + later:
        for end in ("from", "to"):
            link[end]["plan_year"] = plans[link[end]["plan"]]["year"]
    return {"id": entity_id, "earlier": earlier, "later": later, "dropped": dropped}


def _plans(connection: Connection) -> dict[str, dict[str, Any]]:
    table = schema.plans
    query = select(*(table.c[name] for name in PLAN_FIELDS)).order_by(table.c.date)
    return {row["id"]: row | {"date": str(row["date"])} for row in rows_as_dicts(connection.execute(query))}


def _plan_label(plan: dict[str, Any]) -> dict[str, Any]:
    return {key: plan[key] for key in ("id", "year", "title_zh", "title_en")}


def _in_scope(connection: Connection, plan_id: str, filters: Filters) -> dict[str, int]:
    """Entity id → catalogue position for the plan's entities that the sector and place filters select."""
    entities = schema.entities
    cited = select(schema.plan_refs.c.subject_id).where(
        schema.plan_refs.c.subject == "entity", schema.plan_refs.c.plan_id == plan_id
    )
    query = (
        select(entities.c.id, entities.c.position)
        .where(entities.c.id.in_(cited), *entity_conditions(Filters(sector=filters.sector, place=filters.place)))
        .order_by(entities.c.position)
    )
    return {row.id: row.position for row in connection.execute(query)}


def _lineage_rows(connection: Connection, from_plan: str, to_plan: str) -> list[dict[str, Any]]:
    table = schema.lineage
    query = select(table).where(table.c.from_plan == from_plan, table.c.to_plan == to_plan).order_by(table.c.position)
    return rows_as_dicts(connection.execute(query))


def composed_relation(relations: list[str]) -> str:
    """The relation of links followed one after another: ``continues`` if every step continues, the one
    change if every other step continues (continues + widened = widened), else ``changed`` (widened then
    narrowed says nothing simpler; ``via`` holds each step's own)."""
    changes = {relation for relation in relations if relation != "continues"}
    if not changes:
        return "continues"
    return changes.pop() if len(changes) == 1 else "changed"


def _entity_paths(
    connection: Connection, plans: dict[str, dict[str, Any]], from_plan: str, to_plan: str
) -> list[list[dict[str, Any]]]:
    """Every chain of entity links from a record of ``from_plan`` to one of ``to_plan`` through the editions
    dated between them: a direct link is a chain of one. A record that a later edition cites itself (no
    link) goes on as itself, a ``continues`` step."""
    start, end = plans[from_plan]["date"], plans[to_plan]["date"]
    window = [plan_id for plan_id, plan in plans.items() if start <= plan["date"] <= end]  # by date
    table, refs = schema.lineage, schema.plan_refs
    query = (
        select(table)
        .where(
            table.c.kind == "link",
            table.c.from_subject == "entity",
            table.c.from_plan.in_(window),
            table.c.to_plan.in_(window),
        )
        .order_by(table.c.position)
    )
    links = rows_as_dicts(connection.execute(query))
    cited: dict[str, set[str]] = {}
    for row in connection.execute(
        select(refs.c.subject_id, refs.c.plan_id).where(refs.c.subject == "entity", refs.c.plan_id.in_(window))
    ):
        cited.setdefault(row.subject_id, set()).add(row.plan_id)
    onward: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in links:
        onward.setdefault((row["from_plan"], row["from_id"]), []).append(row)

    def steps(plan_id: str, entity_id: str) -> list[dict[str, Any]]:
        found = list(onward.get((plan_id, entity_id), []))
        if not found:  # no link onward: the record itself, where the next edition to cite it does
            later = [each for each in window[window.index(plan_id) + 1 :] if each in cited.get(entity_id, ())]
            if later:
                found.append(_itself(entity_id, plan_id, later[0]))
        return found

    paths: list[list[dict[str, Any]]] = []

    def walk(path: list[dict[str, Any]]) -> None:
        last = path[-1]
        if last["to_plan"] == to_plan:
            paths.append(path)
            return
        for step in steps(last["to_plan"], last["to_id"]):
            if window.index(step["to_plan"]) <= window.index(to_plan) and len(path) < len(window):
                walk([*path, step])

    starts = [entity_id for entity_id, plan_ids in cited.items() if from_plan in plan_ids]
    starts += [row["from_id"] for row in links if row["from_plan"] == from_plan and row["from_id"] not in starts]
    for entity_id in starts:
        for step in steps(from_plan, entity_id):
            walk([step])
    return paths


def _itself(entity_id: str, from_plan: str, to_plan: str) -> dict[str, Any]:
    """A record cited by two editions, as a link step (its quotes are filled in by :func:`_spell_out`)."""
    return {
        "relation": "continues",
        "note": None,
        **{f"{end}_{name}": None for end in ("from", "to") for name in ("section", "quote")},
        "from_plan": from_plan,
        "to_plan": to_plan,
        "from_subject": "entity",
        "to_subject": "entity",
        "from_id": entity_id,
        "to_id": entity_id,
    }


def _chained(path: list[dict[str, Any]], earlier: dict[str, int], later: dict[str, int]) -> dict[str, Any]:
    """A chain of links as one link from its first record to its last, with the records between."""
    first, last = path[0], path[-1]
    link = _link({**first, **{key: value for key, value in last.items() if key.startswith("to_")}}, earlier, later)
    link["relation"] = composed_relation([step["relation"] for step in path])
    link["note"] = first["note"] if len(path) == 1 else None
    link["via"] = [{"plan": step["to_plan"], "id": step["to_id"]} for step in path[:-1]]
    link["steps"] = [step["relation"] for step in path]
    return link


def _side(row: dict[str, Any], end: str) -> dict[str, Any]:
    return {name: row[f"{end}_{name}"] for name in _SIDE_FIELDS}


def _link(row: dict[str, Any], earlier: dict[str, int], later: dict[str, int]) -> dict[str, Any]:
    return {
        "relation": row["relation"],
        "note": row["note"],
        "from": _side(row, "from") | {"in_scope": row["from_id"] in earlier},
        "to": _side(row, "to") | {"in_scope": row["to_id"] in later},
    }


def _recorded(row: dict[str, Any] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {key: row[key] for key in ("part", "note")} | {"section": row["from_section"], "quote": row["from_quote"]}


def _sector_lineage(connection: Connection, rows: list[dict[str, Any]], sector: str | None) -> dict[str, Any]:
    """Sector links and dropped sector records of the pair of plans whose either end lies within
    ``sector`` (its published descendants: sub-sectors and earlier editions' sectors rolled into it)."""
    wanted: set[str] | None = None
    if sector is not None:
        text = connection.execute(select(schema.sectors.c.descendants).where(schema.sectors.c.id == sector)).scalar()
        wanted = set(json.loads(text or "[]"))
    names = {
        row["id"]: row
        for row in rows_as_dicts(
            connection.execute(select(schema.sectors.c.id, schema.sectors.c.name_zh, schema.sectors.c.name_en))
        )
    }
    links, dropped = [], []
    for row in rows:
        if row["from_subject"] != "sector":
            continue
        ends = [row["from_id"]] + ([row["to_id"]] if row["kind"] == "link" else [])
        if wanted is not None and not wanted & set(ends):
            continue
        if row["kind"] == "link":
            link = _link(row, {}, {})
            for end in ("from", "to"):
                link[end] |= _names(names[link[end]["id"]])
                del link[end]["in_scope"]
            links.append(link)
        else:
            dropped.append({"sector": _names(names[row["from_id"]]) | {"id": row["from_id"]}} | (_recorded(row) or {}))
    return {"continued": links, "dropped": dropped}


def _names(row: dict[str, Any]) -> dict[str, Any]:
    return {"name_zh": row["name_zh"], "name_en": row["name_en"]}


def _spell_out(
    connection: Connection,
    continued: list[dict[str, Any]],
    new: list[dict[str, Any]],
    dropped: list[dict[str, Any]],
    from_plan: str | None,
    to_plan: str | None,
) -> None:
    """Put each entity's names, kind and status in place of its id, and the plan's quotes where a side
    has none of its own (new, dropped and same-record entries)."""
    ids = {link[end]["id"] for link in continued for end in ("from", "to")}
    ids |= {step["id"] for link in continued for step in link.get("via", [])}
    ids |= {entry["entity"] for entry in new + dropped}
    if not ids:
        return
    entities, refs = schema.entities, schema.plan_refs
    found = {
        row["id"]: row
        for row in rows_as_dicts(
            connection.execute(
                select(entities.c.id, entities.c.name_zh, entities.c.name_en, entities.c.kind, entities.c.status).where(
                    entities.c.id.in_(ids)
                )
            )
        )
    }
    quotes: dict[tuple[str, str], list[dict[str, Any]]] = {}
    query = (
        select(refs.c.subject_id, refs.c.plan_id, refs.c.section, refs.c.quote)
        .where(refs.c.subject == "entity", refs.c.subject_id.in_(ids))
        .order_by(refs.c.subject_id, refs.c.position)
    )
    for row in connection.execute(query):
        quotes.setdefault((row.subject_id, row.plan_id), []).append({"section": row.section, "quote": row.quote})
    for link in continued:
        for step in link.get("via", []):
            step |= {key: found[step["id"]][key] for key in ("name_zh", "name_en", "kind", "status")}
        for end in ("from", "to"):
            side = link[end]
            side |= {key: found[side["id"]][key] for key in ("name_zh", "name_en", "kind", "status")}
            if side["quote"] is None:  # the same record in both plans: its own quotes of this plan
                first = quotes.get((side["id"], side["plan"]), [{"section": None, "quote": None}])[0]
                side |= first
    for entries, plan in ((new, to_plan), (dropped, from_plan)):
        for entry in entries:
            entity_id = entry.pop("entity")
            entry["entity"] = {"id": entity_id} | {
                key: found[entity_id][key] for key in ("name_zh", "name_en", "kind", "status")
            }
            entry["quotes"] = quotes.get((entity_id, plan or ""), [])


def _scope(connection: Connection, filters: Filters) -> dict[str, Any]:
    sector = place = None
    if filters.sector is not None:
        row = connection.execute(
            select(schema.sectors.c.id, schema.sectors.c.name_zh, schema.sectors.c.name_en).where(
                schema.sectors.c.id == filters.sector
            )
        ).first()
        sector = dict(row._mapping) if row else None
    if filters.place is not None:
        units = schema.admin_units
        row = connection.execute(
            select(units.c.adcode, units.c.name_zh, units.c.name_en)
            .where(units.c.adcode == filters.place)
            .order_by(units.c.position)
        ).first()
        place = dict(row._mapping) if row else None
    return {"sector": sector, "place": place}
