"""Sectors a plan's words name, found through the catalogue's taxonomy (names and aliases) alone.

A sector is found by its name, its aliases, and the plain parts of its name the plans write on their own:
``高技术船舶与海洋工程装备`` is also 高技术船舶 and 海洋工程; ``航空航天装备`` also 航空航天; ``增材制造（3D打印）``
also 3D打印; ``高档数控机床`` also 数控机床. Where a sub-sector and its parent are both found, the
sub-sector alone is kept (the catalogue tags the most specific sector that fits).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.catalogue import Catalogue, Sector

# Generic ends and beginnings of sector names that the plans drop when they name the field.
_ENDS = ("装备", "设备", "制造", "产业", "产品", "系统")
_BEGINNINGS = ("高端", "高档", "高技术", "新型", "高性能", "关键")
_PARTS = re.compile(r"[与和及、]")
_BRACKETS = re.compile(r"[（(]([^）)]*)[）)]")
_WHOLE_INDUSTRY = ("装备制造业", "装备制造", "装备产业", "首（台）套装备")
_TITLE_FIELD = re.compile(r"^([\u4e00-\u9fff]{2,10}?装备)")


@dataclass(frozen=True)
class SectorHit:
    """A sector found in a text, and the words that found it."""

    sector: str
    words: str


class SectorFinder:
    """Finds the taxonomy's sectors in a text."""

    def __init__(self, catalogue: Catalogue, plan_id: str, title: str = "") -> None:
        # The plan's own taxonomy where the catalogue has one; a new plan is read with the latest plan's.
        def of_plan(plan: str) -> list[Sector]:
            return [sector for sector in catalogue.sectors if any(ref.plan == plan for ref in sector.plan_refs)]

        sectors = of_plan(plan_id)
        # A new plan is read with the taxonomy of the latest plan that has one (a city plan may have none).
        for plan in sorted(catalogue.plans, key=lambda plan: plan.year, reverse=True):
            sectors = sectors or of_plan(plan.id)
        self._parents = {sector.id: sector.parent for sector in catalogue.sectors}
        self.top_level = [sector.id for sector in sectors if sector.parent is None]
        # Words for the whole industry (data/README.md, "Sectors"): 装备制造业 and the like, and the field
        # the plan's title names (加快全省智能制造装备产业发展行动方案 → 智能制造装备).
        self._whole = list(_WHOLE_INDUSTRY)
        field = _TITLE_FIELD.match(re.split(r"全省|湖北省", title)[-1])
        if field and len(field.group(1)) >= 4:
            self._whole.insert(0, field.group(1))
        terms: dict[str, Sector] = {}
        for sector in sorted(sectors, key=lambda s: len(s.name_zh)):  # the nearest sector keeps a shared term
            for term in terms_of(sector):
                terms.setdefault(term, sector)
        self._terms = {term: sector.id for term, sector in terms.items()}
        alternatives = "|".join(re.escape(term) for term in sorted(terms, key=len, reverse=True))
        self._pattern = re.compile(alternatives) if alternatives else None

    def find(self, text: str) -> list[SectorHit]:
        """The sectors ``text`` names, in order, each once, the most specific kept."""
        hits: list[SectorHit] = []
        for match in self._pattern.finditer(text) if self._pattern else ():
            sector = self._terms[match.group()]
            if all(hit.sector != sector for hit in hits):
                hits.append(SectorHit(sector, match.group()))
        found = {hit.sector for hit in hits}
        return [hit for hit in hits if not (self._descendants_in(hit.sector, found))]

    def whole_industry(self, text: str) -> str | None:
        """The word of ``text`` that names the whole industry, or None."""
        return next((word for word in self._whole if word in text), None)

    def _descendants_in(self, sector: str, found: set[str]) -> bool:
        for other in found:
            parent = self._parents.get(other)
            while parent is not None:
                if parent == sector:
                    return True
                parent = self._parents.get(parent)
        return False


def terms_of(sector: Sector) -> set[str]:
    """The words that name ``sector``: its name, its aliases and the plain parts of its name."""
    names = {sector.name_zh, *(alias.zh for alias in sector.aliases if alias.zh)}
    terms: set[str] = set()
    for name in names:
        inside = _BRACKETS.findall(name)
        bare = _BRACKETS.sub("", name)
        parts = _PARTS.split(bare)
        terms |= _variants(bare) | {form for part in inside for form in _variants(part)} | _variants(parts[0])
        # a later part stands on its own only in full or with three characters (加工装备, not 加工)
        terms |= {form for part in parts[1:] for form in _variants(part) if form == part or len(form) >= 3}
    generic = {*_ENDS, *_BEGINNINGS}
    return {term for term in terms if len(term) >= 2 and term not in generic}


def _variants(part: str) -> set[str]:
    forms = {part}
    for end in _ENDS:
        if part.endswith(end) and len(part) - len(end) >= 2:
            forms.add(part[: -len(end)])
    for form in list(forms):
        for beginning in _BEGINNINGS:
            if form.startswith(beginning) and len(form) - len(beginning) >= 2:
                forms.add(form[len(beginning) :])
    return forms
