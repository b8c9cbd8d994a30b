"""Targets and baselines a plan states, proposed for review in ``data/targets.yaml``'s schema: every number
with a unit (app.ingest.numbers), its year, kind and scope, the clause as its verbatim quote."""

from __future__ import annotations

import re

from app.catalogue import Plan
from app.ingest import naming
from app.ingest.numbers import Quantity, quantities
from app.ingest.proposals import ProposedTarget, Review
from app.ingest.reading import Reader

_YEAR_NOTES = {
    "reported": "the sentence states no year and reports what is: taken as of the year before the plan",
    "period": "the sentence states no year: the plan period's last year",
}


def propose_targets(reader: Reader) -> list[ProposedTarget]:
    """Every number with a unit in the plan, once per clause, as a proposed target or baseline."""
    period_end = _period_end(reader.plan)
    targets: list[ProposedTarget] = []
    seen: set[tuple[float, float | None, str, str]] = set()
    for sentence in reader.sentences:
        section = reader.section(sentence)
        for quantity in quantities(sentence.text, reader.plan.year, period_end):
            key = (quantity.value, quantity.value_to, quantity.unit, quantity.clause)
            if key in seen:  # the same words twice (a passage the PDF repeats)
                continue
            seen.add(key)
            scope, scope_id, scope_from = _target_scope(reader, quantity.clause, section)
            kind = "baseline" if quantity.year is not None and quantity.year <= reader.plan.year else "target"
            note = _YEAR_NOTES.get(quantity.year_from)
            if quantity.year is None:
                note = "the sentence states no year and the plan has no period"
            metric = quantity.metric or quantity.clause[:20]
            reason = (
                f"matched number “{_written_number(quantity)}{quantity.unit}”; {kind} by the year "
                f"({quantity.year_from}); scope {scope_from}"
            )
            targets.append(
                ProposedTarget(
                    id=f"{reader.plan.id[:70].rstrip('-')}-t{len(targets) + 1:03d}",  # an id has 80 characters at most
                    plan=reader.plan.id,
                    kind=kind,
                    metric_zh=metric,
                    metric_en=naming.english_words(metric),
                    value=quantity.value,
                    value_to=quantity.value_to,
                    qualifier=quantity.qualifier,
                    unit=quantity.unit,
                    year=quantity.year,
                    scope=scope,
                    scope_id=scope_id,
                    section=section,
                    quote=quantity.clause,
                    note=note,
                    review=Review(reason=reason, context=reader.context(sentence)),
                )
            )
    return targets


def _target_scope(reader: Reader, clause: str, section: str) -> tuple[str, str | int | None, str]:
    """A place the clause names, else a sector it names, else the sector of its nearest heading that names
    one (四、行动典型载体 › （二）工业机器人 › 行动目标), else the province."""
    places = [place for place in reader.places.find(clause) if place.unit.level.value != "province"]
    if places:
        return "place", places[0].unit.adcode, f"place {places[0].written}"
    sectors = reader.sectors.find(clause)
    if sectors:
        return "sector", sectors[0].sector, f"sector from “{sectors[0].words}”"
    for heading in reversed(section.split(" › ")):  # the nearest heading that names a field
        sectors = reader.sectors.find(heading)
        if sectors:
            return "sector", sectors[0].sector, f"sector from the heading “{heading}”"
    return "province", None, "province: the clause names no place or sector"


def _written_number(quantity: Quantity) -> str:
    value, upper = quantity.value, quantity.value_to
    text = f"{value:g}"
    return f"{text}-{upper:g}" if upper is not None else text


def _period_end(plan: Plan) -> int | None:
    years = re.findall(r"(?:19|20)\d{2}", plan.period or "")
    return int(years[-1]) if years else None
