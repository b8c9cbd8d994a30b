"""Administrative units (province, prefectures, counties) read from ``data/boundaries/``."""

from __future__ import annotations

import csv
import math
import numbers
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

from app.errors import AtlasError


class Level(StrEnum):
    """Administrative level; declared from the top down (this order is used for preference)."""

    province = "province"
    prefecture = "prefecture"
    county = "county"


# Hubei's adcode (湖北省): the atlas's one province, parent of every prefecture-level unit.
PROVINCE_ADCODE = 420000

BOUNDARY_FILES: dict[Level, str] = {
    Level.province: "province.geojson",
    Level.prefecture: "prefectures.geojson",
    Level.county: "counties.geojson",
}
# Former names of units (襄樊 → 襄阳市), curated by hand beside names.csv: adcode, alias_zh, alias_en, note.
ALIASES_FILE = "aliases.csv"
ALIAS_COLUMNS = ("adcode", "alias_zh", "alias_en", "note")
# A few dozen former names fill a few KB; a file a hundred times that is no list of names.
MAX_ALIASES_BYTES = 256 * 1024
PROPERTIES: tuple[str, ...] = (
    "adcode",
    "name_zh",
    "short_name_zh",
    "name_en",
    "pinyin",
    "level",
    "parent_adcode",
    "seat_lon",
    "seat_lat",
)
# The largest shipped layer is about 0.3 MB; a file a hundred times that is not a boundary layer
# but a way to exhaust memory.
MAX_LAYER_BYTES = 32 * 1024 * 1024
# GEOS names the place of an invalidity as "Self-intersection[114.301234 30.600456]".
_VALIDITY_REASON = re.compile(r"^(?P<what>.*?)\[(?P<x>\S+) (?P<y>\S+)\]$")


class BoundaryError(AtlasError):
    """A boundary file is missing or malformed: ``path`` names it, ``problem`` says what to do."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path, self.problem = path, problem


@dataclass(frozen=True)
class AdminUnit:
    """One administrative unit. ``seat`` is the seat of government as given by the Tianditu table."""

    adcode: int
    level: Level
    name_zh: str
    short_name_zh: str
    name_en: str
    pinyin: str
    parent_adcode: int | None
    seat: Point
    geometry: BaseGeometry
    # Former or other names people still search by (襄樊 for 襄阳市), from ALIASES_FILE: search only.
    aliases: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """Unique key: the four province-administered units share one adcode across two levels."""
        return f"{self.level}/{self.adcode}"

    @property
    def label(self) -> str:
        """How people and error messages name the unit: ``咸宁市 (421200)``."""
        return f"{self.name_zh} ({self.adcode})"


class AdminUnits:
    """Every unit of every level, with lookups by adcode.

    The province-administered units 仙桃、潜江、天门 and 神农架 are prefecture-level units that the
    Tianditu data also lists as counties (same adcode, same outline); an adcode alone therefore means
    the highest level that has it.
    """

    def __init__(self, frame: gpd.GeoDataFrame, aliases: dict[int, tuple[str, ...]] | None = None) -> None:
        self.frame = frame
        self.aliases = aliases or {}  # adcode → its aliases, for every level that has the adcode
        self._units = [
            replace(unit, aliases=self.aliases.get(unit.adcode, ()))
            for unit in (_unit_from_row(row) for row in frame.itertuples(index=False))
        ]
        self._by_adcode: dict[int, AdminUnit] = {}
        for unit in self._units:  # ordered top-down, so the first unit seen for an adcode is the highest
            self._by_adcode.setdefault(unit.adcode, unit)

    @classmethod
    def load(cls, boundaries_dir: Path) -> AdminUnits:
        """Read the three boundary layers; raise :class:`BoundaryError` naming the faulty file."""
        layers = [read_layer(boundaries_dir / BOUNDARY_FILES[level], level) for level in Level]
        frame = gpd.GeoDataFrame(pd.concat(layers, ignore_index=True), crs="EPSG:4326")
        return cls(frame, read_aliases(boundaries_dir / ALIASES_FILE, set(frame["adcode"].astype(int))))

    def __iter__(self) -> Iterator[AdminUnit]:
        return iter(self._units)

    def __len__(self) -> int:
        return len(self._units)

    def get(self, adcode: int) -> AdminUnit | None:
        """The unit with this adcode (the highest level that has it), or None."""
        return self._by_adcode.get(adcode)

    def at_level(self, level: Level) -> list[AdminUnit]:
        """The units of one level, in file order (ascending adcode)."""
        return [unit for unit in self._units if unit.level == level]

    def layer(self, level: Level) -> gpd.GeoDataFrame:
        """The units of one level as a GeoDataFrame with the published properties."""
        return self.frame[self.frame["level"] == level.value].reset_index(drop=True)


def read_layer(path: Path, level: Level) -> gpd.GeoDataFrame:
    """Read one boundary file and check it carries the published properties at the expected level."""
    try:
        if not path.exists():
            raise BoundaryError(path, "missing. Rebuild the boundaries with `atlas build-boundaries`.")
        if not path.is_file():
            raise BoundaryError(path, "not a regular file. Rebuild the boundaries with `atlas build-boundaries`.")
        size = path.stat().st_size
        with path.open("rb") as stream:
            start = stream.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    except OSError as exc:
        raise BoundaryError(path, f"cannot be read ({exc.strerror or exc}).") from None
    if size > MAX_LAYER_BYTES:
        limit = MAX_LAYER_BYTES // (1024 * 1024)
        raise BoundaryError(path, f"larger than {limit} MB; not a boundary layer of the atlas.")
    if not start.startswith(b"{"):
        # GDAL picks a driver by content, and some (VRT above all) read other files or URLs named
        # inside: only what looks like JSON is handed to it.
        raise BoundaryError(path, "not a GeoJSON file (it does not start with '{').")
    try:
        frame = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise BoundaryError(path, f"not a readable GeoJSON file ({exc}).") from exc
    missing = [name for name in PROPERTIES if name not in frame.columns]
    if missing:
        raise BoundaryError(path, f"features lack the properties {', '.join(missing)}.")
    wrong = frame[frame["level"] != level.value]
    if not wrong.empty:
        raise BoundaryError(
            path,
            f"feature {wrong.iloc[0]['adcode']} has level {wrong.iloc[0]['level']!r}; "
            f"this file holds level {level.value!r} only.",
        )
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        raise BoundaryError(path, f"CRS is {frame.crs}; the atlas stores EPSG:4326 (WGS 84) only.")
    _check_properties(path, frame)
    frame["parent_adcode"] = frame["parent_adcode"].astype("Int64")
    return frame[[*PROPERTIES, "geometry"]]


def read_aliases(path: Path, adcodes: set[int]) -> dict[int, tuple[str, ...]]:
    """The aliases of ``path`` (optional: none without the file) by adcode; raise :class:`BoundaryError`
    for a file that is not the expected CSV, names an unknown adcode or gives an alias without a note."""
    if not path.exists():
        return {}
    try:
        if not path.is_file() or path.stat().st_size > MAX_ALIASES_BYTES:
            raise BoundaryError(path, f"not a regular file of at most {MAX_ALIASES_BYTES // 1024} KB.")
        with path.open(encoding="utf-8", newline="") as stream:
            reader = csv.DictReader(stream)
            rows = list(reader)
            columns = tuple(reader.fieldnames or ())
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise BoundaryError(path, f"cannot be read as UTF-8 CSV ({exc}).") from None
    if columns != ALIAS_COLUMNS or any(None in row for row in rows):
        raise BoundaryError(path, f"the columns must be {', '.join(ALIAS_COLUMNS)}, no more on any line.")
    aliases: dict[int, tuple[str, ...]] = {}
    for line, row in enumerate(rows, 2):
        adcode, forms, note = (row["adcode"] or "").strip(), [row["alias_zh"], row["alias_en"]], row["note"]
        if not adcode.isascii() or not adcode.isdigit() or int(adcode) not in adcodes:
            raise BoundaryError(path, f"line {line}: {adcode!r} is not the adcode of a unit.")
        if not any((form or "").strip() for form in forms) or not (note or "").strip():
            raise BoundaryError(path, f"line {line}: give an alias (alias_zh, alias_en) and a note saying why.")
        found = tuple(form.strip() for form in forms if form and form.strip())
        aliases[int(adcode)] = aliases.get(int(adcode), ()) + found
    return aliases


def _check_properties(path: Path, frame: gpd.GeoDataFrame) -> None:
    """Refuse property values the atlas cannot use, naming the first feature that has one."""
    for position, row in enumerate(frame[list(PROPERTIES)].itertuples(index=False), 1):
        problem = _property_problem(row)
        if problem:
            raise BoundaryError(path, f"feature {position}: {problem}.")


def _property_problem(row: Any) -> str | None:
    if not _is_whole(row.adcode):
        return f"adcode {_what(row.adcode)} is not a whole number"
    if not (_is_missing(row.parent_adcode) or _is_whole(row.parent_adcode)):
        return f"parent_adcode {_what(row.parent_adcode)} is not a whole number"
    for name in ("name_zh", "short_name_zh", "name_en", "pinyin"):
        if not isinstance(getattr(row, name), str):
            return f"{name} is not text"
    for name in ("seat_lon", "seat_lat"):
        value = getattr(row, name)
        if not _is_number(value) or not math.isfinite(value):
            return f"{name} {_what(value)} is not a number"
    return None


def _what(value: Any) -> str:
    if isinstance(value, str):
        # GDAL gives a property one type for all features: one text value turns every number into text.
        return f"{value[:40]!r} (text; one feature with a text value makes it text in all)"
    return repr(value)


def _is_number(value: Any) -> bool:
    # numpy's integers are Real but not int; booleans are numbers to Python but not to a GIS
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)


def _is_whole(value: Any) -> bool:
    return _is_number(value) and math.isfinite(value) and value == int(value)


def _is_missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def geometry_problem(geometry: BaseGeometry | None) -> str | None:
    """What is wrong with a unit's outline, with the place of an invalidity; None when it is sound.

    Invalid outlines pass the loaders but break generalisation and tile drawing later, so they are
    named here, where the person who can fix the file reads them.
    """
    if geometry is None:
        return "no geometry (null)"
    if not isinstance(geometry, Polygon | MultiPolygon):
        return f"geometry is a {geometry.geom_type}; a unit's outline must be a Polygon or MultiPolygon"
    if geometry.is_empty:
        return "empty geometry"
    if geometry.is_valid:
        return None
    reason = shapely.is_valid_reason(geometry)
    match = _VALIDITY_REASON.match(reason)
    if match is None:
        return f"invalid geometry: {reason}"
    try:
        where = f"{float(match['x']):.5f} {float(match['y']):.5f}"
    except ValueError:
        where = f"{match['x']} {match['y']}"
    return f"invalid geometry: {match['what']} at {where}"


def _unit_from_row(row: Any) -> AdminUnit:
    parent = row.parent_adcode
    return AdminUnit(
        adcode=int(row.adcode),
        level=Level(row.level),
        name_zh=row.name_zh,
        short_name_zh=row.short_name_zh,
        name_en=row.name_en,
        pinyin=row.pinyin,
        parent_adcode=None if pd.isna(parent) else int(parent),
        seat=Point(row.seat_lon, row.seat_lat),
        geometry=row.geometry,
    )
