"""Writing the atlas's layers to files."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import geopandas as gpd

from app.admin_units import Level
from app.catalogue import Kind
from app.geocode import entities_frame
from app.validation import ValidData


class Layer(StrEnum):
    """The published layers."""

    province = "province"
    prefectures = "prefectures"
    counties = "counties"
    clusters = "clusters"
    corridors = "corridors"


class Format(StrEnum):
    """Output formats of ``atlas export``."""

    geojson = "geojson"


_BOUNDARY_LEVELS = {
    Layer.province: Level.province,
    Layer.prefectures: Level.prefecture,
    Layer.counties: Level.county,
}


def layer_frame(data: ValidData, layer: Layer) -> gpd.GeoDataFrame:
    """One layer as a GeoDataFrame in EPSG:4326: boundaries, every entity's footprint, or corridor lines."""
    if layer in _BOUNDARY_LEVELS:
        return data.units.layer(_BOUNDARY_LEVELS[layer])
    if layer is Layer.corridors:
        return entities_frame(data, kinds=[Kind.corridor], lines=True)
    return entities_frame(data)


def write_layer(frame: gpd.GeoDataFrame, output: Path, file_format: Format = Format.geojson) -> None:
    """Write ``frame`` to ``output`` (RFC 7946 GeoJSON: WGS 84 longitude/latitude, UTF-8)."""
    output.parent.mkdir(parents=True, exist_ok=True)
    if file_format is Format.geojson:
        output.write_text(frame.to_json(drop_id=True, ensure_ascii=False, na="null"), encoding="utf-8")
