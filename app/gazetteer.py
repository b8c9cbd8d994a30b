"""Find administrative units by full name, short name, pinyin, English name or adcode."""

from __future__ import annotations

import re

from rapidfuzz import fuzz, process

from app.admin_units import AdminUnit, AdminUnits
from app.text_search import fold as normalise

# Generic English suffixes people leave out or add: "Xianning City", "Jiang'an", "Fang County".
_EN_SUFFIX = re.compile(r"\s+(city|district|county|prefecture|province)$", re.IGNORECASE)


class Gazetteer:
    """Resolves names to units. Where a name fits several units (荆州 = 荆州市 and 荆州区), the higher
    level wins; the full name or the adcode reaches the other."""

    def __init__(self, units: AdminUnits) -> None:
        self.units = units
        self._index: dict[str, list[AdminUnit]] = {}
        # Former names (襄樊) answer only where no current name does: a current name always wins.
        self._aliases: dict[str, list[AdminUnit]] = {}
        for unit in units:  # top-down, so each key's first unit is the highest level
            for index, keys in ((self._index, self.keys_of(unit)), (self._aliases, self.alias_keys_of(unit))):
                for key in keys:
                    bucket = index.setdefault(key, [])
                    if all(other.adcode != unit.adcode for other in bucket):
                        bucket.append(unit)

    @staticmethod
    def keys_of(unit: AdminUnit) -> set[str]:
        """Every normalised form under which ``unit`` can be found."""
        forms = {unit.name_zh, unit.short_name_zh, unit.pinyin, unit.name_en, str(unit.adcode)}
        forms.add(_EN_SUFFIX.sub("", unit.name_en))
        return {normalise(form) for form in forms if form}

    @staticmethod
    def alias_keys_of(unit: AdminUnit) -> set[str]:
        """The normalised forms of the unit's aliases (data/boundaries/aliases.csv)."""
        return {normalise(alias) for alias in unit.aliases} - {""}

    def candidates(self, query: str | int) -> list[AdminUnit]:
        """All units ``query`` names exactly, highest level first; by a former name only if no current
        name fits."""
        key = normalise(str(query))
        found = self._index.get(key)
        if found is None:
            found = self._index.get(normalise(_EN_SUFFIX.sub("", str(query))))
        if found is None:
            found = self._aliases.get(key, [])
        return list(found)

    def resolve(self, query: str | int) -> AdminUnit | None:
        """The unit ``query`` names (the highest level if several), or None."""
        found = self.candidates(query)
        return found[0] if found else None

    def suggest(self, query: str | int, limit: int = 3) -> list[AdminUnit]:
        """The units whose names are nearest to ``query`` (for "did you mean …?")."""
        choices = {key: units[0] for key, units in (self._aliases | self._index).items()}
        matches = process.extract(normalise(str(query)), list(choices), scorer=fuzz.WRatio, limit=limit * 4)
        seen: list[AdminUnit] = []
        for key, _score, _index in matches:
            unit = choices[key]
            if unit not in seen:
                seen.append(unit)
        return seen[:limit]
