"""The plans' numeric targets and baselines (``data/targets.yaml``): the record, its checks and its files.

A target is a number a plan sets as a goal (2.2万亿元 by 2025), a baseline one it reports as a starting
point (16280亿元 in 2019). Each carries its unit from :data:`UNITS`, the year it is for, its scope (the
province, a sector, an entity or a place) and the plan's verbatim quote, which must hold the number as
the plan writes it, followed by the unit (white space aside): ``2.2万亿元``, ``180家``, ``3-5个``.

Targets are not a map layer (they have no geometry), so their files are small tables of their own, like
the compare-places matrix: ``/api/targets.csv`` and ``/api/targets.xlsx``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from app.catalogue import Id, Text
from app.citation import plan_citation
from app.plan_texts import PlanText, squeeze
from app.yaml_source import Path_, YamlSource, read_yaml

TARGETS_FILE = "targets.yaml"

# The units a target may have: the plans' own words, with an English gloss for files and the page.
UNITS: dict[str, str] = {
    "万亿元": "trillion yuan",
    "亿元": "100 million yuan",
    "万元": "10,000 yuan",
    "%": "per cent",
    "个百分点": "percentage points",
    "个": "count",
    "家": "firms",
    "项": "items",
    "台": "units",
    "套": "sets",
    "人": "people",
}
# How a plan may write a unit (the PDFs give half- and full-width per cent signs).
_UNIT_FORMS = {"%": ("%", "％")}
# How a plan may write a range: 3-5, 3－5, 3～5, 3—5, 3至5.
_RANGE_DASHES = "-－–—~～至到"


class TargetKind(StrEnum):
    """A goal the plan sets, or a starting point it reports."""

    target = "target"
    baseline = "baseline"


class Scope(StrEnum):
    """What a target is about."""

    province = "province"
    sector = "sector"
    entity = "entity"
    place = "place"


class Qualifier(StrEnum):
    """How the plan hedges the number: 左右, 超过/跨越, 以上."""

    about = "about"
    over = "over"
    at_least = "at_least"


class Target(BaseModel):
    """One number of a plan, with its quote."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Id
    plan: Id
    kind: TargetKind
    metric_zh: Text
    metric_en: Text
    value: float
    value_to: float | None = None
    qualifier: Qualifier | None = None
    unit: Text
    year: int | None = Field(ge=1949, le=2100)
    scope: Scope
    scope_id: Text | int | None = None
    section: Text
    quote: Text
    note: Text | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Target:
        if (self.scope is Scope.province) != (self.scope_id is None):
            raise ValueError("scope_id is required for a sector, entity or place scope, and only then")
        if self.value_to is not None and self.value_to <= self.value:
            raise ValueError("value_to must be greater than value")
        if self.year is None and not self.note:
            raise ValueError("a target without a year needs a note saying why")
        return self

    def written_forms(self) -> list[str]:
        """The ways the quote may write the number with its unit, e.g. ``3-5家``, ``3～5家``."""
        number = _written(self.value)
        if self.value_to is not None:
            numbers = [f"{number}{dash}{_written(self.value_to)}" for dash in _RANGE_DASHES]
        else:
            numbers = [number]
        return [f"{n}{unit}" for n in numbers for unit in _UNIT_FORMS.get(self.unit, (self.unit,))]

    def number_in_quote(self) -> bool:
        """True if the quote writes the number, followed by its unit, as a whole number (``80%`` is not in
        ``180%``), white space aside."""
        quote = squeeze(self.quote)
        return any(re.search(rf"(?<![0-9.．]){re.escape(form)}", quote) for form in self.written_forms())


def _written(value: float) -> str:
    """A number as a plan writes it: ``2.2``, ``5500`` (never ``5500.0`` or ``2.2e3``)."""
    return format(Decimal(repr(value)).normalize(), "f")


Report = Callable[[Path_, str, str], None]  # (location in the file, entry, message)


@dataclass(frozen=True)
class Known:
    """What a target may refer to: plans and their texts, sectors, entities and places."""

    plans: dict[str, Any]
    texts: dict[str, PlanText]
    sectors: set[str]
    entities: set[str]
    adcodes: set[int]


def targets_path(data_dir: Path) -> Path:
    """Where the targets live in a data directory."""
    return data_dir / TARGETS_FILE


def read_targets(path: Path) -> YamlSource | None:
    """The targets file read safely with the line of every value, or None when the data has none
    (a data directory without targets is valid). YAML faults raise :class:`app.yaml_source.YamlSyntaxError`."""
    if not path.exists():
        return None
    return read_yaml(path)


def check_targets(source: YamlSource, known: Known, report: Report) -> list[Target]:
    """Parse and check every target, reporting each fault with its location; return those that parse."""
    data = source.data
    if not isinstance(data, dict) or set(data) != {"targets"} or not isinstance(data["targets"], list):
        report((), "", "must be a mapping with one key, targets, holding a list")
        return []
    targets: list[Target] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(data["targets"]):
        entry = f"target {item.get('id')}" if isinstance(item, dict) and item.get("id") else "target"
        try:
            target = Target.model_validate(item)
        except ValidationError as exc:
            for error in exc.errors():
                where = ("targets", index, *error["loc"])
                if error["type"] == "extra_forbidden":
                    report(where, entry, f"unknown field {error['loc'][-1]!r}")
                elif error["type"] == "missing":
                    report(where, entry, "required field is missing")
                else:
                    report(where, entry, f"{error['msg']} (got {str(error.get('input'))[:80]!r})")
            continue
        targets.append(target)
        at = ("targets", index)
        if target.id in seen:
            report((*at, "id"), entry, f"duplicate id {target.id!r}; first used as target {seen[target.id] + 1}")
        seen.setdefault(target.id, index)
        _check_one(target, at, entry, known, report)
    return targets


def _check_one(target: Target, at: Path_, entry: str, known: Known, report: Report) -> None:
    if target.unit not in UNITS:
        report((*at, "unit"), entry, f"unknown unit {target.unit!r}; known units: {', '.join(UNITS)}")
    plan = known.plans.get(target.plan)
    if plan is None:
        report((*at, "plan"), entry, f"unknown plan {target.plan!r}; plans: {', '.join(known.plans)}")
    else:
        text = known.texts.get(target.plan)
        if text is not None and not text.contains(target.quote):
            report((*at, "quote"), entry, f"quote is not verbatim in {plan.file} (white space aside)")
    if target.unit in UNITS and not target.number_in_quote():  # an unknown unit is one fault, not two
        forms = " or ".join(dict.fromkeys(target.written_forms()[:2]))
        report((*at, "quote"), entry, f"the quote does not hold the number as written ({forms})")
    scope_known = {
        Scope.sector: lambda value: value in known.sectors,
        Scope.entity: lambda value: value in known.entities,
        Scope.place: lambda value: isinstance(value, int) and value in known.adcodes,
    }.get(target.scope)
    if scope_known is not None and not scope_known(target.scope_id):
        report((*at, "scope_id"), entry, f"unknown {target.scope.value} {target.scope_id!r}")


# --- rows and files ------------------------------------------------------------------------------------

COLUMNS: list[tuple[str, str, str]] = [
    ("id", "编号", "id"),
    ("plan_year", "规划年份", "plan year"),
    ("kind", "类型", "kind"),
    ("metric_zh", "指标", "metric (Chinese)"),
    ("metric_en", "指标（英文）", "metric"),
    ("value", "数值", "value"),
    ("value_to", "数值上限", "value up to"),
    ("qualifier", "限定", "qualifier"),
    ("unit", "单位", "unit"),
    ("year", "年份", "year"),
    ("scope", "范围", "scope"),
    ("scope_id", "范围编号", "scope id"),
    ("scope_name", "范围名称", "scope name"),
    ("section", "章节", "section"),
    ("quote", "规划原文", "the plan's words"),
    ("citation", "出处", "source"),
    ("note", "说明", "note"),
]
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def table(targets: Iterable[dict[str, Any]], lang: str = "zh") -> list[list[Any]]:
    """A header row (Chinese, or English with ``lang="en"``) and one row per target."""
    header = [en if lang == "en" else zh for _, zh, en in COLUMNS]
    suffix = "en" if lang == "en" else "zh"
    return [header, *([_cell(target, key, suffix) for key, _, _ in COLUMNS] for target in targets)]


def _cell(target: dict[str, Any], key: str, suffix: str) -> Any:
    """A target's value for a column; the scope's name in the file's language."""
    return target.get(f"scope_name_{suffix}") if key == "scope_name" else target.get(key)


def as_csv(targets: Iterable[dict[str, Any]], lang: str = "zh") -> bytes:
    """The targets as CSV, UTF-8 with a byte-order mark so that Excel shows Chinese intact."""
    buffer = io.StringIO()
    rows = [["" if cell is None else cell for cell in row] for row in table(targets, lang)]
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def as_xlsx(targets: Iterable[dict[str, Any]], lang: str = "zh", plans: Iterable[dict[str, Any]] = ()) -> bytes:
    """The targets as a workbook: a frozen, filtered header row, and a sheet 关于 About citing the plans."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Targets" if lang == "en" else "规划目标"
    for row in table(targets, lang):
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    about = book.create_sheet("关于 About")
    about.append(["湖北装备制造产业集群地图 · Hubei Cluster Atlas: 规划目标与基数 the plans' targets and baselines"])
    about.append([f"{date.today().isoformat()}"])
    for plan in plans:
        about.append([plan_citation(plan)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
