"""Validation of the data directory: every fault at once, each with file, line, entry and field.

The rules: boundaries are readable, complete, valid polygons and on the Tianditu datum; the catalogue
parses; every record has the fields its kind needs; ids are unique; every member is a known place;
every sector exists; every plan file lies inside the data directory and every quote is verbatim in
its plan; corridors have at least two ordered members; inferred placements say why.

The data directory may come from a shared drive, so every file is read as hostile: what cannot be
read, or reads as something the atlas refuses, is a fault like any other, never a traceback.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from app.admin_units import BOUNDARY_FILES, AdminUnits, BoundaryError, geometry_problem
from app.catalogue import SECTIONS, Catalogue, Confidence, Entity, Kind, Plan, PlanRef, Sector, TextNote
from app.datum import REFERENCE_FILE, check_datum, read_reference
from app.errors import AtlasError
from app.gazetteer import Gazetteer
from app.lineage import Lineage
from app.lineage_check import check_lineage
from app.plan_texts import PlanText, PlanTextError, squeeze
from app.settings import Settings
from app.targets import Known, Target, check_targets, read_targets, targets_path
from app.text_search import did_you_mean, fold
from app.yaml_source import Path_, YamlSource, YamlSyntaxError, read_yaml

MIN_CORRIDOR_MEMBERS = 2
# Each nearest passage costs up to a few tenths of a second (see app.plan_texts); a catalogue whose
# quotes are all wrong gets this many suggestions, and the rest are named without one.
MAX_NEAREST_PASSAGES = 20
# "Did you mean" costs time in proportion to the value's length (half a second for a 5,000-character
# place name): hints are given for values up to this long, this many times.
MAX_HINTED_LENGTH = 100
MAX_HINTS = 200
# The longest name of a place is under 50 characters; looking up a longer one costs time in
# proportion to its length (20 ms for 5,000 characters), so it is an unknown place without a look-up.
MAX_PLACE_NAME = 200
# Values from the data are shown in messages up to this many characters.
SHOWN = 80


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


class DataInvalid(AtlasError):
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
    # the plans' numeric targets and baselines (data/targets.yaml; none when the file is absent)
    targets: list[Target] = field(default_factory=list)
    # links between plan editions (data/lineage.yaml; none when the file is absent)
    lineage: Lineage = field(default_factory=Lineage)


def validate(settings: Settings, widen: Callable[[AdminUnits], AdminUnits] | None = None) -> ValidData:
    """Check the whole data directory; return what was read, or raise :class:`DataInvalid`. ``widen`` turns
    the checked boundaries into the units members may name (``atlas load --scope china``: every unit of
    China, so that a neighbouring province's plan can be placed; Hubei's names resolve as before)."""
    checker = _Checker(settings, widen)
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
    def __init__(self, settings: Settings, widen: Callable[[AdminUnits], AdminUnits] | None = None) -> None:
        self.settings = settings
        self.widen = widen
        self.faults: list[Fault] = []
        self.nearest_passages_left = MAX_NEAREST_PASSAGES
        self.hints_left = MAX_HINTS

    # -- entry points ------------------------------------------------------------------------------
    def run(self) -> ValidData | None:
        units = self._check_boundaries()
        if units is not None and self.widen is not None:
            units = self.widen(units)
        gazetteer = Gazetteer(units) if units else None
        try:
            source = read_yaml(self.settings.catalogue_file)
        except FileNotFoundError:
            self._fault(self.settings.catalogue_file, None, None, None, "missing")
            return None
        except OSError as exc:  # unreadable on a shared drive: permissions, a dangling mount
            self._fault(self.settings.catalogue_file, None, None, None, f"cannot be read ({exc.strerror or exc})")
            return None
        except YamlSyntaxError as exc:
            for line, message in exc.problems:
                self._fault(exc.path, line, None, None, f"not valid YAML: {message}")
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
        self._check_aliases(source, "sectors", sectors)
        self._check_aliases(source, "entities", entities)
        lineage = check_lineage(
            self, {p.id: p for _, p in plans}, texts, {s.id: s for _, s in sectors}, {e.id: e for _, e in entities}
        )
        known = Known(
            {plan.id: plan for _, plan in plans},
            texts,
            {s.id for _, s in sectors},
            {e.id for _, e in entities},
            {unit.adcode for unit in units} if units else set(),
        )
        targets = self._check_targets(known)
        if self.faults or units is None or gazetteer is None:
            return None
        catalogue = Catalogue(
            **{name: [record for _, record in parsed] for name, parsed in records.items()},
            sector_takes_in=lineage.sector_takes_in(),
        )
        return ValidData(units, gazetteer, catalogue, members, targets, lineage)

    def _check_targets(self, known: Known) -> list[Target]:
        """The targets of data/targets.yaml, each fault named with its file and line (see app.targets)."""
        path = targets_path(self.settings.data_dir)
        try:
            source = read_targets(path)
        except OSError as exc:
            self._fault(path, None, None, None, f"cannot be read ({exc.strerror or exc})")
            return []
        except YamlSyntaxError as exc:
            for line, message in exc.problems:
                self._fault(exc.path, line, None, None, f"not valid YAML: {message}")
            return []
        if source is None:
            return []
        return check_targets(source, known, lambda where, entry, text: self._at(source, where, entry or None, text))

    def _fault(self, file: Path, line: int | None, entry: str | None, field: str | None, text: str) -> None:
        self.faults.append(Fault(file, line, entry, field, text))

    def _at(self, source: YamlSource, location: Path_, entry: str | None, message: str) -> None:
        field_path = _cut(format_location(location[2:]), 2 * SHOWN) or None
        self._fault(source.path, source.line_of(location), entry, field_path, message)

    def _hint(self, value: str, make: Callable[[], str]) -> str:
        """``make()``, a suggestion for ``value``, while the budget lasts and if ``value`` is short enough."""
        if len(value) > MAX_HINTED_LENGTH or self.hints_left <= 0:
            return ""
        self.hints_left -= 1
        return make()

    def _did_you_mean(self, value: str, choices: Iterable[str]) -> str:
        return self._hint(value, lambda: did_you_mean(value, choices))

    # -- boundaries --------------------------------------------------------------------------------
    def _check_boundaries(self) -> AdminUnits | None:
        directory = self.settings.boundaries_dir
        try:
            units = AdminUnits.load(directory)
        except BoundaryError as exc:
            self._fault(exc.path, None, None, None, exc.problem)
            return None
        outlined = self._check_geometries(units)
        reference_path = directory / REFERENCE_FILE
        if not os.path.exists(reference_path):
            self._fault(reference_path, None, None, None, "missing; rebuild with `atlas build-boundaries`")
            return units
        try:
            reference = read_reference(reference_path)
        except BoundaryError as exc:
            self._fault(exc.path, None, None, None, exc.problem)
            return units
        expected = set(reference)
        present = {unit.key for unit in units}
        for key in sorted(expected - present):
            self._fault(directory, None, key, None, "unit of the Tianditu build is missing from the files")
        for key in sorted(present - expected):
            self._fault(directory, None, key, None, "unit is not in the Tianditu build (reference.json)")
        for displacement in check_datum(outlined, reference):
            self._fault(directory, None, None, None, displacement.describe())
        return units

    def _check_geometries(self, units: AdminUnits) -> AdminUnits:
        """Fault every unit whose outline is missing, not a polygon or invalid; return those with an outline."""
        without_outline = []
        for position, unit in enumerate(units):
            problem = geometry_problem(unit.geometry)
            if problem is None:
                continue
            path = self.settings.boundaries_dir / BOUNDARY_FILES[unit.level]
            self._fault(path, None, f"{unit.level} {unit.label}", None, problem)
            if unit.geometry is None or unit.geometry.is_empty:
                without_outline.append(position)
        if not without_outline:
            return units
        # The datum check measures centroids, which need an outline; an invalid one still has a centroid.
        kept = units.frame.drop(index=units.frame.index[without_outline]).reset_index(drop=True)
        return AdminUnits(kept, aliases=units.aliases)

    # -- catalogue structure -----------------------------------------------------------------------
    def _parse_records(self, source: YamlSource) -> dict[str, list[tuple[int, Any]]] | None:
        """Each section's records that parse, paired with their position in the file."""
        if not isinstance(source.data, dict):
            self._fault(source.path, 1, None, None, f"must be a mapping with keys {', '.join(SECTIONS)}")
            return None
        for key in source.data:
            if key not in SECTIONS:
                hint = self._did_you_mean(str(key), SECTIONS)
                self._at(source, (key,), None, f"unknown top-level key {_shown(key)}{hint}")
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
                        self._at(source, location, entry, _explain(error, model, self._did_you_mean))
            records[section] = parsed
            self._check_unique_ids(source, section, items)
        return records

    def _check_unique_ids(self, source: YamlSource, section: str, items: list[Any]) -> None:
        # Only text ids can clash; any other id (a list, say) is already a fault of its record.
        ids = [item.get("id") for item in items if isinstance(item, dict) and isinstance(item.get("id"), str)]
        counts = Counter(ids)
        first_line: dict[Any, int | None] = {}
        for index, item in enumerate(items):
            if not isinstance(item, dict) or not isinstance(item.get("id"), str) or counts[item["id"]] < 2:
                continue
            line = source.line_of((section, index, "id"))
            if item["id"] in first_line:
                message = f"duplicate id {_shown(item['id'])}; first used on line {first_line[item['id']]}"
                self._at(source, (section, index, "id"), _entry_label(section, item), message)
            else:
                first_line[item["id"]] = line

    # -- plans and quotes --------------------------------------------------------------------------
    def _check_plans(self, source: YamlSource, plans: list[tuple[int, Plan]]) -> dict[str, PlanText]:
        texts = {}
        for index, plan in plans:
            location, entry = ("plans", index, "file"), f"plan {plan.id}"
            path, refusal = self._inside_data_dir(plan.file)
            if refusal is not None:
                self._at(source, location, entry, refusal)
            elif not os.path.exists(path):  # unlike Path.exists, False rather than an error when unreadable
                self._at(source, location, entry, f"no such file: {_cut(str(path), 2 * SHOWN)}")
            else:
                try:
                    texts[plan.id] = PlanText(path)
                except PlanTextError as exc:
                    self._fault(exc.path, exc.line, entry, None, exc.problem)
        return texts

    def _inside_data_dir(self, name: str) -> tuple[Path, str | None]:
        """``name`` under the data directory, and why it may not be read, if it may not.

        The catalogue names files relative to the data directory; one that leads out of it (``..``,
        an absolute path, a symbolic link pointing elsewhere) is refused before anything is read, so
        that no part of a file outside, such as /etc/passwd, can reach a fault message.
        """
        path = self.settings.data_dir / name
        if Path(name).is_absolute():
            return path, f"{_shown(name)} is an absolute path; name the file relative to the data directory"
        try:
            inside = path.resolve().is_relative_to(self.settings.data_dir.resolve())
        except (OSError, RuntimeError, ValueError) as exc:  # a symbolic-link loop, a NUL in the name
            return path, f"{_shown(name)} cannot be resolved ({exc}); name a file inside the data directory"
        if not inside:
            return path, f"{_shown(name)} leads outside the data directory; plan files must lie inside it"
        return path, None

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
            hint = self._did_you_mean(ref.plan, plans)
            self._at(source, (*location, "plan"), entry, f"unknown plan {ref.plan!r}{hint}")
            return
        if isinstance(ref, PlanRef) and ref.year != plan.year:
            message = f"year {ref.year} does not match plan {plan.id} ({plan.year})"
            self._at(source, (*location, "year"), entry, message)
        text = texts.get(plan.id)
        if text is not None and not text.contains(ref.quote):
            nearest = text.nearest_passage(ref.quote) if self.nearest_passages_left > 0 else ""
            self.nearest_passages_left -= 1
            message = f"quote is not verbatim in {_cut(plan.file, SHOWN)} (white space aside)"
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
                hint = self._did_you_mean(sector.parent, by_id)
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
                    hint = self._did_you_mean(sector, sector_ids)
                    location = ("entities", index, "sectors", sector_index)
                    self._at(source, location, entry, f"unknown sector {sector!r}{hint}")
            if entity.confidence is Confidence.inferred and not entity.note:
                message = "confidence is inferred, so a note must say what was inferred and why"
                self._at(source, ("entities", index, "confidence"), entry, message)
            if gazetteer is not None:
                members[entity.id] = self._resolve_members(source, index, entity, gazetteer)
        return members

    # -- aliases -----------------------------------------------------------------------------------
    def _check_aliases(self, source: YamlSource, section: str, records: list[tuple[int, Sector | Entity]]) -> None:
        """Each alias names one record of its section only and does not repeat a name; an entity's Chinese
        alias is the plan's wording, so it must stand in one of the entity's quotes."""
        owner: dict[str, str] = {}  # folded name or alias → the id of the record it names
        for _, record in records:
            for name in (record.name_zh, record.name_en):
                owner.setdefault(fold(name), record.id)
        for index, record in records:
            entry = _entry_label(section, record)
            quotes = [squeeze(ref.quote) for ref in record.plan_refs]
            for alias_index, alias in enumerate(record.aliases):
                location = (section, index, "aliases", alias_index)
                if isinstance(record, Entity) and alias.zh and not any(squeeze(alias.zh) in q for q in quotes):
                    message = (
                        f"{_shown(alias.zh)} is in none of the entity's quotes; an entity's alias is the plan's wording"
                    )
                    self._at(source, (*location, "zh"), entry, message)
                for form in alias.forms():
                    if not fold(form):
                        self._at(source, location, entry, f"{_shown(form)} has no letter or character to search by")
                        continue
                    other = owner.setdefault(fold(form), record.id)
                    if other == record.id and fold(form) in (fold(record.name_zh), fold(record.name_en)):
                        self._at(source, location, entry, f"{_shown(form)} repeats the record's own name")
                    elif other != record.id:
                        self._at(source, location, entry, f"{_shown(form)} already names {_SINGULAR[section]} {other}")

    def _resolve_members(self, source: YamlSource, index: int, entity: Entity, gazetteer: Gazetteer) -> list[int]:
        entry = f"entity {entity.id}"
        adcodes: list[int] = []
        for member_index, member in enumerate(entity.members):
            location = ("entities", index, "members", member_index)
            unit = gazetteer.resolve(member) if len(str(member)) <= MAX_PLACE_NAME else None
            if unit is None:
                hint = self._hint(str(member), partial(_place_hint, gazetteer, member))
                self._at(source, location, entry, f"unknown place {_shown(member)}{hint}")
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
    return f"{singular} {_cut(str(identifier), SHOWN)}" if identifier else singular


def _explain(error: ErrorDetails, model: type, hint: Callable[[str, Iterable[str]], str]) -> str:
    kind, value = error["type"], error.get("input")
    if kind == "extra_forbidden":
        name = str(error["loc"][-1])
        return f"unknown field {_shown(name)}{hint(name, model.model_fields)}"  # type: ignore[attr-defined]
    if kind == "missing":
        return "required field is missing"
    if kind == "string_pattern_mismatch":
        return f"{_shown(value)} is not a valid id: use lower-case ASCII words joined by hyphens"
    return f"{error['msg']} (got {_shown(value)})"


def _place_hint(gazetteer: Gazetteer, name: str | int) -> str:
    guesses = gazetteer.suggest(name, limit=1)
    return f"; did you mean {guesses[0].label}?" if guesses else ""


def _shown(value: Any) -> str:
    """``repr(value)`` for a message, cut short: a hostile file can hold values of megabytes."""
    return _cut(repr(value), SHOWN)


def _cut(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"
