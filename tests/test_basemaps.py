"""Base maps: none by default; only WGS 84-registered tiles can be configured (never GCJ-02)."""

from __future__ import annotations

import pydantic
import pytest

from app.basemaps import basemaps
from app.settings import Settings


def test_no_base_map_by_default() -> None:
    assert basemaps(Settings()) == []


def test_osm_and_tianditu_by_settings() -> None:
    assert basemaps(Settings(basemap="osm"))[0]["id"] == "osm"
    assert basemaps(Settings(basemap="tianditu")) == []  # no key, no tiles
    [tianditu] = basemaps(Settings(basemap="tianditu", tianditu_key="abc123"))
    assert all("tk=abc123" in url and "_w/wmts" in url for url in tianditu["urls"])


@pytest.mark.parametrize("gcj02_source", ["amap", "gaode", "tencent", "baidu"])
def test_gcj02_tiles_cannot_be_configured(gcj02_source: str) -> None:
    with pytest.raises(pydantic.ValidationError):
        Settings(basemap=gcj02_source)
