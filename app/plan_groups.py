"""Where a plan comes from — its province and, for a city's plan, its city — read from the plan record.

With tens of plans (issue 13) a reader picks them by province, city and year. The catalogue's plans name
their issuer (湖北省经济和信息化厅, 武汉市人民政府), so the group is derived from that record rather than
typed again: the longest province- or prefecture-level name the issuer starts with. County-level names are
left out on purpose: across China they repeat (朝阳区, 鼓楼区), so a prefix could pick the wrong one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Unit:
    """A province- or prefecture-level unit, as far as grouping plans needs it."""

    adcode: int
    name_zh: str
    name_en: str
    level: str  # "province" or "prefecture"
    parent_adcode: int | None


@dataclass(frozen=True)
class PlanOrigin:
    """The province a plan belongs to and, for a city's plan, the city (None: a province-level plan)."""

    province: Unit | None
    city: Unit | None


def plan_origin(issuer_zh: str, units: Iterable[Unit]) -> PlanOrigin:
    """The units the issuer's name starts with: its prefecture (and that one's province) if any, else its
    province; neither when the issuer names no known unit (e.g. a ministry, or a place outside the store)."""
    known = list(units)
    by_adcode = {unit.adcode: unit for unit in known}
    matches = [unit for unit in known if unit.name_zh and issuer_zh.startswith(unit.name_zh)]
    if not matches:
        return PlanOrigin(None, None)
    best = max(matches, key=lambda unit: (len(unit.name_zh), unit.level == "prefecture"))
    if best.level == "prefecture":
        return PlanOrigin(by_adcode.get(best.parent_adcode or 0), best)
    return PlanOrigin(best, None)


def unit_json(unit: Unit | None) -> dict[str, Any] | None:
    """A unit as the API publishes it (adcode and both names), or None."""
    return None if unit is None else {"adcode": unit.adcode, "name_zh": unit.name_zh, "name_en": unit.name_en}
