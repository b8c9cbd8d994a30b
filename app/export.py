"""The published layers, built straight from the data directory (no store needed)."""

from __future__ import annotations

from enum import StrEnum

import geopandas as gpd
import pandas as pd

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


_BOUNDARY_LEVELS = {Layer.province: Level.province, Layer.prefectures: Level.prefecture, Layer.counties: Level.county}


def layer_frame(data: ValidData, layer: Layer) -> gpd.GeoDataFrame:
    """One layer in EPSG:4326, indexed by feature id (adcode or entity id, as text): boundaries, every
    entity's footprint, or corridor lines."""
    if layer in _BOUNDARY_LEVELS:
        frame = data.units.layer(_BOUNDARY_LEVELS[layer])
        ids = frame["adcode"].astype(str)
    else:
        frame = (
            entities_frame(data, kinds=[Kind.corridor], lines=True)
            if layer is Layer.corridors
            else entities_frame(data)
        )
        ids = frame["id"]
    return frame.set_axis(pd.Index(ids.tolist(), dtype=object))
