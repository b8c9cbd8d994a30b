"""Places a plan names: Hubei's units by full or short name, and the plans' abbreviations (“汉孝随襄十”).

Everything comes from the gazetteer's units, none from a hand list: a unit is found by its full name
(宜昌市) or its short name (宜昌, two characters or more), the longest name first. An abbreviation is a
quoted run of characters each of which stands for one prefecture-level unit: the first character of
its short name (襄 = 襄阳, 荆 = 荆州 or 荆门), else another character no other prefecture begins with
(汉 = 武汉). A character shared by several prefectures (荆, 黄) stands for them in the order of how often
the plan names them in full (then which it names first): “宜荆荆恩” reads 宜昌、荆州、荆门、恩施 in a plan
that names 荆州 more often than 荆门. A plan naming neither falls back to the gazetteer's order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.admin_units import AdminUnit, Level
from app.gazetteer import Gazetteer

PROVINCE = "湖北省"
# Words that place a thing in the whole province (data/README.md, the inclusion rule).
_PROVINCE_WORDS = ("全省", "我省", "湖北省", "湖北")
_QUOTED = re.compile(r"“([^”“]{2,8})”")


@dataclass(frozen=True)
class Place:
    """A place found in a text: the words as written, the unit, and where they stand."""

    written: str
    unit: AdminUnit
    start: int
    end: int
    how: str  # "name" or "abbreviation “…”"

    @property
    def member(self) -> str:
        """The member as the catalogue writes it: the place's words as written (the gazetteer resolves them)."""
        return PROVINCE if self.unit.level is Level.province else self.written


class PlaceFinder:
    """Finds the places of Hubei a plan's text names."""

    def __init__(self, gazetteer: Gazetteer, plan_text: str) -> None:
        self.gazetteer = gazetteer
        units = [unit for unit in gazetteer.units if str(unit.adcode).startswith("42")]
        names: dict[str, AdminUnit] = {}
        for unit in units:  # top-down: a name two units share (荆州) goes to the higher level
            for name in (unit.name_zh, unit.short_name_zh, *unit.aliases):
                if name and len(name) >= 2 and _is_chinese(name):
                    names.setdefault(name, unit)
        self._names = names
        alternatives = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
        self._pattern = re.compile(alternatives) if alternatives else None  # an empty pattern matches everywhere
        prefectures = [unit for unit in units if unit.level is Level.prefecture and unit.short_name_zh]
        first_named = {unit.adcode: _prominence(plan_text, unit) for unit in prefectures}
        self._letters = _abbreviation_letters(prefectures, first_named)

    def find(self, text: str) -> list[Place]:
        """Every place ``text`` names, in the text's order: names and expanded abbreviations."""
        found = [
            Place(match.group(), self._names[match.group()], match.start(), match.end(), "name")
            for match in (self._pattern.finditer(text) if self._pattern else ())
        ]
        for match in _QUOTED.finditer(text):
            expanded = self.expand(match.group(1))
            for unit in expanded or []:
                how = f"abbreviation “{match.group(1)}”"
                found.append(Place(unit.short_name_zh, unit, match.start(), match.end(), how))
        found.sort(key=lambda place: place.start)
        return found

    def expand(self, letters: str) -> list[AdminUnit] | None:
        """The prefectures an abbreviation stands for, in its order, or None if it is no abbreviation."""
        if len(letters) < 2 or any(letter not in self._letters for letter in letters):
            return None
        used: list[AdminUnit] = []
        for letter in letters:
            # A shared letter takes the next of its units not yet used (宜荆荆恩: 荆州, then 荆门).
            choice = next((unit for unit in self._letters[letter] if unit not in used), None)
            if choice is None:
                return None
            used.append(choice)
        return used

    def province_words(self, text: str) -> list[str]:
        """The words of ``text`` that speak of the whole province (全省, 我省, 湖北)."""
        return [word for word in _PROVINCE_WORDS if word in text]


def _is_chinese(text: str) -> bool:
    return all("\u4e00" <= char <= "\u9fff" for char in text)


def _prominence(text: str, unit: AdminUnit) -> tuple[int, int]:
    """A sort key: the most often named first, then the first named (a unit never named comes last)."""
    position = text.find(unit.short_name_zh)
    return (-text.count(unit.short_name_zh), position if position >= 0 else len(text))


def _abbreviation_letters(
    prefectures: list[AdminUnit], first_named: dict[int, tuple[int, int]]
) -> dict[str, list[AdminUnit]]:
    """Letter → the prefectures it may stand for, the plan's most prominent first."""
    letters: dict[str, list[AdminUnit]] = {}
    for unit in prefectures:
        letters.setdefault(unit.short_name_zh[0], []).append(unit)
    for unit in prefectures:
        for letter in unit.short_name_zh[1:]:
            # Another letter of the name stands for it where it is in no other prefecture's name (汉 = 武汉,
            # but not 州, which 鄂州, 荆州 and 随州 share).
            holders = [other for other in prefectures if letter in other.short_name_zh]
            if letter not in letters and holders == [unit]:
                letters[letter] = [unit]
    for units in letters.values():
        units.sort(key=lambda unit: first_named[unit.adcode])
    return letters
