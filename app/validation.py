"""Validation of the data directory: every fault at once, each with file, line, entry and field.

The rules: boundaries are readable, complete and on the Tianditu datum; the catalogue parses; every
record has the fields its kind needs; ids are unique; every member is a known place; every sector
exists; every quote is verbatim in its plan; corridors have at least two ordered members; inferred
placements say why.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from app.admin_units import AdminUnits, BoundaryError
from app.catalogue import SECTIONS, Catalogue, Confidence, Entity, Kind, Plan, PlanRef, Sector, TextNote
from app.datum import REFERENCE_FILE, check_datum, read_reference
from app.gazetteer import Gazetteer
from app.plan_texts import PlanText
from app.settings import Settings
from app.text_search import did_you_mean
from app.yaml_source import Path_, YamlSource, YamlSyntaxError, read_yaml

MIN_CORRIDOR_MEMBERS = 2


@dataclass(frozen=True)
class Fault:
    """One thing wrong with the data, located as precisely as the data allows."""

    file: Path
    line: int | None
    entry: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else str(self.file)
        what = ", ".join(part for part in (self.entry, self.field and f"field {self.field}") if part)
        return f"{where}: {what + ': ' if what else ''}{self.message}"


class DataInvalid(Exception):
    """The data directory has faults; ``faults`` lists them all."""

    def __init__(self, faults: Sequence[Fault]) -> None:
        super().__init__(f"{len(faults)} fault(s) in the data:\n" + "\n".join(map(str, faults)))
        self.faults = list(faults)


@dataclass
class ValidData:
    """Everything validation read, once it found no fault."""

    units: AdminUnits
    gazetteer: Gazetteer
    catalogue: Catalogue
    # adcodes of each entity's members, resolved by the gazetteer, in the catalogue's order
    members: dict[str, list[int]] = field(default_factory=dict)


def validate(settings: Settings) -> ValidData:
    """Check the whole data directory; return what was read, or raise :class:`DataInvalid`."""
    checker = _Checker(settings)
    result = checker.run()
    if checker.faults or result is None:
        raise DataInvalid(checker.faults)
    return result


def format_location(location: Iterable[str | int]) -> str:
    """``("plan_refs", 0, "quote")`` → ``plan_refs[0].quote``."""
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


class _Checker:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.faults: list[Fault] = []

    # -- entry points ------------------------------------------------------------------------------
    def run(self) -> ValidData | None:
        units = self._check_boundaries()
        gazetteer = Gazetteer(units) if units else None
        try:
            source = read_yaml(self.settings.catalogue_file)
        except FileNotFoundError:
            self._fault(self.settings.catalogue_file, None, None, None, "missing")
            return None
        except YamlSyntaxError as exc:
            self._fault(exc.path, exc.line, None, None, f"not valid YAML: {exc.message}")
            return None
        records = self._parse_records(source)
        if records is None:
            return None
        plans: list[tuple[int, Plan]] = records["plans"]
        sectors: list[tuple[int, Sector]] = records["sectors"]
        entities: list[tuple[int, Entity]] = records["entities"]
        texts = self._check_plans(source, plans)
        self._check_refs(source, records, {plan.id: plan for _, plan in plans}, texts)
        self._check_sectors(source, sectors)
        members = self._check_entities(source, entities, {s.id for _, s in sectors}, gazetteer)
        if self.faults or units is None or gazetteer is None:
            return None
        catalogue = Catalogue(**{name: [record for _, record in parsed] for name, parsed in records.items()})
        return ValidData(units, gazetteer, catalogue, members)

    def _fault(self, file: Path, line: int | None, entry: str | None, field: str | None, text: str) -> None:
        self.faults.append(Fault(file, line, entry, field, text))

    def _at(self, source: YamlSource, location: Path_, entry: str | None, message: str) -> None:
        field_path = format_location(location[2:]) or None
        self._fault(source.path, source.line_of(location), entry, field_path, message)

    # -- boundaries --------------------------------------------------------------------------------
    def _check_boundaries(self) -> AdminUnits | None:
        directory = self.settings.boundaries_dir
        try:
            units = AdminUnits.load(directory)
        except BoundaryError as exc:
            self._fault(directory, None, None, None, str(exc))
            return None
        reference_path = directory / REFERENCE_FILE
        if not reference_path.exists():
            self._fault(reference_path, None, None, None, "missing; rebuild with `atlas build-boundaries`")
            return units
        reference = read_reference(reference_path)
        expected = set(reference)
        present = {unit.key for unit in units}
        for key in sorted(expected - present):
            self._fault(directory, None, key, None, "unit of the Tianditu build is missing from the files")
        for key in sorted(present - expected):
            self._fault(directory, None, key, None, "unit is not in the Tianditu build (reference.json)")
        for displacement in check_datum(units, reference):
            self._fault(directory, None, None, None, displacement.describe())
        return units

    # -- catalogue structure -----------------------------------------------------------------------
    def _parse_records(self, source: YamlSource) -> dict[str, list[tuple[int, Any]]] | None:
        """Each section's records that parse, paired with their position in the file."""
        if not isinstance(source.data, dict):
            self._fault(source.path, 1, None, None, f"must be a mapping with keys {', '.join(SECTIONS)}")
            return None
        for key in source.data:
            if key not in SECTIONS:
                hint = did_you_mean(str(key), SECTIONS)
                self._at(source, (key,), None, f"unknown top-level key {key!r}{hint}")
        records: dict[str, list[tuple[int, Any]]] = {}
        for section, model in SECTIONS.items():
            items = source.data.get(section)
            if not isinstance(items, list):
                self._fault(source.path, source.line_of((section,)), None, section, "must be a list")
                records[section] = []
                continue
            parsed = []
            for index, item in enumerate(items):
                entry = _entry_label(section, item)
                try:
                    parsed.append((index, model.model_validate(item)))
                except ValidationError as exc:
                    for error in exc.errors():
                        location = (section, index, *error["loc"])
                        self._at(source, location, entry, _explain(error, model))
            records[section] = parsed
            self._check_unique_ids(source, section, items)
        return records

    def _check_unique_ids(self, source: YamlSource, section: str, items: list[Any]) -> None:
        ids = [item.get("id") for item in items if isinstance(item, dict)]
        counts = Counter(ids)
        first_line: dict[Any, int | None] = {}
        for index, item in enumerate(items):
            if not isinstance(item, dict) or item.get("id") is None or counts[item["id"]] < 2:
                continue
            line = source.line_of((section, index, "id"))
            if item["id"] in first_line:
                message = f"duplicate id {item['id']!r}; first used on line {first_line[item['id']]}"
                self._at(source, (section, index, "id"), _entry_label(section, item), message)
            else:
                first_line[item["id"]] = line

    # -- plans and quotes --------------------------------------------------------------------------
    def _check_plans(self, source: YamlSource, plans: list[tuple[int, Plan]]) -> dict[str, PlanText]:
        texts = {}
        for index, plan in plans:
            path = self.settings.data_dir / plan.file
            if path.is_file():
                texts[plan.id] = PlanText(path)
            else:
                self._at(source, ("plans", index, "file"), f"plan {plan.id}", f"no such file: {path}")
        return texts

    def _check_refs(
        self,
        source: YamlSource,
        records: dict[str, list[tuple[int, Any]]],
        plans: dict[str, Plan],
        texts: dict[str, PlanText],
    ) -> None:
        for section in ("sectors", "entities"):
            for index, record in records[section]:
                for ref_index, ref in enumerate(record.plan_refs):
                    location = (section, index, "plan_refs", ref_index)
                    self._check_ref(source, location, _entry_label(section, record), ref, plans, texts)
        for index, note in records["text_notes"]:
            self._check_ref(source, ("text_notes", index), f"text note {index + 1}", note, plans, texts)

    def _check_ref(
        self,
        source: YamlSource,
        location: Path_,
        entry: str,
        ref: PlanRef | TextNote,
        plans: dict[str, Plan],
        texts: dict[str, PlanText],
    ) -> None:
        plan = plans.get(ref.plan)
        if plan is None:
            hint = did_you_mean(ref.plan, plans)
            self._at(source, (*location, "plan"), entry, f"unknown plan {ref.plan!r}{hint}")
            return
        if isinstance(ref, PlanRef) and ref.year != plan.year:
            message = f"year {ref.year} does not match plan {plan.id} ({plan.year})"
            self._at(source, (*location, "year"), entry, message)
        text = texts.get(plan.id)
        if text is not None and not text.contains(ref.quote):
            nearest = text.nearest_passage(ref.quote)
            message = f"quote is not verbatim in {plan.file} (white space aside)"
            if nearest:
                message += f"; the nearest passage reads {nearest!r}"
            self._at(source, (*location, "quote"), entry, message)

    # -- sectors -----------------------------------------------------------------------------------
    def _check_sectors(self, source: YamlSource, sectors: list[tuple[int, Sector]]) -> None:
        by_id = {sector.id: sector for _, sector in sectors}
        for index, sector in sectors:
            location = ("sectors", index, "parent")
            if sector.parent is None:
                continue
            if sector.parent not in by_id:
                hint = did_you_mean(sector.parent, by_id)
                self._at(source, location, f"sector {sector.id}", f"unknown parent {sector.parent!r}{hint}")
                continue
            seen, current = {sector.id}, by_id[sector.parent]
            while current.parent is not None and current.parent in by_id:
                if current.id in seen:
                    self._at(source, location, f"sector {sector.id}", "parent chain loops back on itself")
                    break
                seen.add(current.id)
                current = by_id[current.parent]

    # -- entities ----------------------------------------------------------------------------------
    def _check_entities(
        self,
        source: YamlSource,
        entities: list[tuple[int, Entity]],
        sector_ids: set[str],
        gazetteer: Gazetteer | None,
    ) -> dict[str, list[int]]:
        members: dict[str, list[int]] = {}
        for index, entity in entities:
            entry = f"entity {entity.id}"
            for sector_index, sector in enumerate(entity.sectors):
                if sector not in sector_ids:
                    hint = did_you_mean(sector, sector_ids)
                    location = ("entities", index, "sectors", sector_index)
                    self._at(source, location, entry, f"unknown sector {sector!r}{hint}")
            if entity.confidence is Confidence.inferred and not entity.note:
                message = "confidence is inferred, so a note must say what was inferred and why"
                self._at(source, ("entities", index, "confidence"), entry, message)
            if gazetteer is not None:
                members[entity.id] = self._resolve_members(source, index, entity, gazetteer)
        return members

    def _resolve_members(self, source: YamlSource, index: int, entity: Entity, gazetteer: Gazetteer) -> list[int]:
        entry = f"entity {entity.id}"
        adcodes: list[int] = []
        for member_index, member in enumerate(entity.members):
            location = ("entities", index, "members", member_index)
            unit = gazetteer.resolve(member)
            if unit is None:
                guesses = gazetteer.suggest(member, limit=1)
                hint = f"; did you mean {guesses[0].label}?" if guesses else ""
                self._at(source, location, entry, f"unknown place {member!r}{hint}")
            elif unit.adcode in adcodes:
                self._at(source, location, entry, f"{unit.label} is listed twice")
            else:
                adcodes.append(unit.adcode)
        if entity.kind is Kind.corridor and len(entity.members) < MIN_CORRIDOR_MEMBERS:
            message = f"a corridor needs at least {MIN_CORRIDOR_MEMBERS} members, in the plan's order"
            self._at(source, ("entities", index, "members"), entry, message)
        return adcodes


_SINGULAR = {"plans": "plan", "sectors": "sector", "entities": "entity", "text_notes": "text note"}


def _entry_label(section: str, item: Any) -> str:
    singular = _SINGULAR[section]
    identifier = item.get("id") if isinstance(item, dict) else getattr(item, "id", None)
    return f"{singular} {identifier}" if identifier else singular


def _explain(error: ErrorDetails, model: type) -> str:
    kind, value = error["type"], error.get("input")
    if kind == "extra_forbidden":
        name = str(error["loc"][-1])
        return f"unknown field {name!r}{did_you_mean(name, model.model_fields)}"  # type: ignore[attr-defined]
    if kind == "missing":
        return "required field is missing"
    if kind == "string_pattern_mismatch":
        return f"{value!r} is not a valid id: use lower-case ASCII words joined by hyphens"
    return f"{error['msg']} (got {value!r})"
