"""Validation of ``data/lineage.yaml``: read as hostile like the catalogue, every fault at once with its
file and line. Both ends of every link exist and belong to the plan named, links run from an earlier
edition to a later one, every quote is verbatim in its plan, and nothing is both linked and dropped."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from app.catalogue import Entity, Plan, Sector
from app.lineage import LINEAGE_FILE, SECTIONS, Dropped, Lineage, Link, Side
from app.plan_texts import PlanText
from app.yaml_source import Path_, YamlSource, YamlSyntaxError, read_yaml

if TYPE_CHECKING:  # the checker imports this module when it runs
    from app.validation import _Checker


def check_lineage(
    checker: _Checker,
    plans: dict[str, Plan],
    texts: dict[str, PlanText],
    sectors: dict[str, Sector],
    entities: dict[str, Entity],
) -> Lineage:
    """The lineage file's links and dropped records that parse (faults go to ``checker``); an empty
    lineage when the data directory has no lineage file."""
    from app.validation import _explain

    path = checker.settings.data_dir / LINEAGE_FILE
    if not path.exists():
        return Lineage()
    try:
        source = read_yaml(path)
    except OSError as exc:
        checker._fault(path, None, None, None, f"cannot be read ({exc.strerror or exc})")
        return Lineage()
    except YamlSyntaxError as exc:
        for line, message in exc.problems:
            checker._fault(exc.path, line, None, None, f"not valid YAML: {message}")
        return Lineage()
    if not isinstance(source.data, dict) or set(source.data) - set(SECTIONS):
        checker._fault(path, 1, None, None, f"must be a mapping with keys {', '.join(SECTIONS)}")
        return Lineage()
    parsed: dict[str, list[tuple[int, Any]]] = {}
    for section, model in SECTIONS.items():
        items = source.data.get(section) or []
        if not isinstance(items, list):
            checker._fault(path, source.line_of((section,)), None, section, "must be a list")
            items = []
        parsed[section] = []
        for index, item in enumerate(items):
            try:
                parsed[section].append((index, model.model_validate(item)))
            except ValidationError as exc:
                for error in exc.errors():
                    checker._at(
                        source,
                        (section, index, *error["loc"]),
                        _label(section, index),
                        _explain(error, model, checker._did_you_mean),
                    )
    _Rules(checker, source, plans, texts, sectors, entities).check(parsed["links"], parsed["dropped"])
    return Lineage(links=[link for _, link in parsed["links"]], dropped=[record for _, record in parsed["dropped"]])


def _label(section: str, index: int) -> str:
    return f"{'link' if section == 'links' else 'dropped record'} {index + 1}"


class _Rules:
    def __init__(
        self,
        checker: _Checker,
        source: YamlSource,
        plans: dict[str, Plan],
        texts: dict[str, PlanText],
        sectors: dict[str, Sector],
        entities: dict[str, Entity],
    ) -> None:
        self.checker, self.source, self.plans, self.texts = checker, source, plans, texts
        self.records: dict[str, dict[str, Sector | Entity]] = {"sector": dict(sectors), "entity": dict(entities)}

    def check(self, links: list[tuple[int, Link]], dropped: list[tuple[int, Dropped]]) -> None:
        linked: dict[tuple[str, str, str, str], int] = {}  # (subject, id, from plan, to plan) → link index
        seen: dict[tuple[str, str, str, str], int] = {}
        for index, link in links:
            entry = _label("links", index)
            ends_known = all(
                self._side(("links", index, name), entry, side)
                for name, side in (("from", link.from_), ("to", link.to))
            )
            if link.from_.subject != link.to.subject:
                self._at(("links", index), entry, "a link joins two entities or two sectors, not one of each")
            if ends_known and self.plans[link.from_.plan].date >= self.plans[link.to.plan].date:
                message = (
                    "a link runs from an earlier plan to a later one; "
                    f"{link.from_.plan} is not earlier than {link.to.plan}"
                )
                self._at(("links", index, "to", "plan"), entry, message)
            pair = (link.from_.subject, link.from_.id, link.to.id, link.to.plan)
            if pair in seen:
                self._at(("links", index), entry, f"repeats link {seen[pair] + 1}")
            seen.setdefault(pair, index)
            linked.setdefault((link.from_.subject, link.from_.id, link.from_.plan, link.to.plan), index)
        for index, record in dropped:
            entry = _label("dropped", index)
            if not self._side(("dropped", index), entry, record):
                continue
            later = self.plans.get(record.by)
            if later is None:
                hint = self.checker._did_you_mean(record.by, self.plans)
                self._at(("dropped", index, "by"), entry, f"unknown plan {record.by!r}{hint}")
            elif self.plans[record.plan].date >= later.date:
                self._at(("dropped", index, "by"), entry, f"{record.by} is not later than {record.plan}")
            elif record.part is None and (key := (record.subject, record.id, record.plan, record.by)) in linked:
                message = (
                    f"{record.subject} {record.id} is dropped by {record.by} "
                    f"but link {linked[key] + 1} continues it there"
                )
                self._at(("dropped", index), entry, message)

    def _side(self, location: Path_, entry: str, side: Side) -> bool:
        """Check one end; True when its plan and record exist (so dates can be compared)."""
        plan = self.plans.get(side.plan)
        if plan is None:
            hint = self.checker._did_you_mean(side.plan, self.plans)
            self._at((*location, "plan"), entry, f"unknown plan {side.plan!r}{hint}")
            return False
        known = self.records[side.subject]
        record = known.get(side.id)
        if record is None:
            hint = self.checker._did_you_mean(side.id, known)
            self._at((*location, side.subject), entry, f"unknown {side.subject} {side.id!r}{hint}")
            return False
        cited = sorted({ref.plan for ref in record.plan_refs})
        if side.plan not in cited:
            message = f"{side.subject} {side.id} is not named in {side.plan} (its quotes are from {', '.join(cited)})"
            self._at((*location, "plan"), entry, message)
        text = self.texts.get(plan.id)
        if text is not None and not text.contains(side.quote):
            checker = self.checker
            nearest = text.nearest_passage(side.quote) if checker.nearest_passages_left > 0 else ""
            checker.nearest_passages_left -= 1
            message = f"quote is not verbatim in {plan.file} (white space aside)"
            if nearest:
                message += f"; the nearest passage reads {nearest!r}"
            self._at((*location, "quote"), entry, message)
        return True

    def _at(self, location: Path_, entry: str, message: str) -> None:
        self.checker._at(self.source, location, entry, message)
