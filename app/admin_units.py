"""Administrative units (province, prefectures, counties) read from ``data/boundaries/``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry


class Level(StrEnum):
    """Administrative level; declared from the top down (this order is used for preference)."""

    province = "province"
    prefecture = "prefecture"
    county = "county"


BOUNDARY_FILES: dict[Level, str] = {
    Level.province: "province.geojson",
    Level.prefecture: "prefectures.geojson",
    Level.county: "counties.geojson",
}
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


class BoundaryError(Exception):
    """The boundary files are missing or malformed; the message says which file and what to do."""


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

    def __init__(self, frame: gpd.GeoDataFrame) -> None:
        self.frame = frame
        self._units = [_unit_from_row(row) for row in frame.itertuples(index=False)]
        self._by_adcode: dict[int, AdminUnit] = {}
        for unit in self._units:  # ordered top-down, so the first unit seen for an adcode is the highest
            self._by_adcode.setdefault(unit.adcode, unit)

    @classmethod
    def load(cls, boundaries_dir: Path) -> AdminUnits:
        """Read the three boundary layers; raise :class:`BoundaryError` naming the faulty file."""
        layers = [read_layer(boundaries_dir / BOUNDARY_FILES[level], level) for level in Level]
        return cls(gpd.GeoDataFrame(pd.concat(layers, ignore_index=True), crs="EPSG:4326"))

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
    if not path.exists():
        raise BoundaryError(f"{path}: missing. Rebuild the boundaries with `atlas build-boundaries`.")
    try:
        frame = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise BoundaryError(f"{path}: not a readable GeoJSON file ({exc}).") from exc
    missing = [name for name in PROPERTIES if name not in frame.columns]
    if missing:
        raise BoundaryError(f"{path}: features lack the properties {', '.join(missing)}.")
    wrong = frame[frame["level"] != level.value]
    if not wrong.empty:
        raise BoundaryError(
            f"{path}: feature {wrong.iloc[0]['adcode']} has level {wrong.iloc[0]['level']!r}; "
            f"this file holds level {level.value!r} only."
        )
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        raise BoundaryError(f"{path}: CRS is {frame.crs}; the atlas stores EPSG:4326 (WGS 84) only.")
    frame["parent_adcode"] = frame["parent_adcode"].astype("Int64")
    return frame[[*PROPERTIES, "geometry"]]


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
