"""Real GIS clients against a live uvicorn: GDAL's OAPIF driver and OWSLib."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from owslib.ogcapi.features import Features

from .conftest import BACKENDS

pytestmark = pytest.mark.slow  # GDAL and OWSLib against the live servers of both backends


@pytest.fixture(params=BACKENDS)
def ogc_url(request: pytest.FixtureRequest, servers: dict[str, str]) -> str:
    return f"{servers[request.param]}/ogc"


def test_ogrinfo_lists_the_collections(ogc_url: str) -> None:
    result = subprocess.run(["ogrinfo", "-ro", "-q", f"OAPIF:{ogc_url}"], capture_output=True, text=True, check=True)
    for name in ("province", "prefectures", "counties", "clusters", "corridors"):
        assert f": {name} " in result.stdout
    assert "(Line String)" in result.stdout  # the corridors


def test_ogr2ogr_reads_all_103_counties_by_paging(ogc_url: str, tmp_path: Path) -> None:
    output = tmp_path / "counties.geojson"
    subprocess.run(
        ["ogr2ogr", "-f", "GeoJSON", str(output), f"OAPIF:{ogc_url}", "counties"],
        capture_output=True,
        text=True,
        check=True,
    )
    features = json.loads(output.read_text(encoding="utf-8"))["features"]
    assert len(features) == 103
    assert len({feature["properties"]["adcode"] for feature in features}) == 103


def test_ogr2ogr_bbox_and_attribute_filter(ogc_url: str, tmp_path: Path) -> None:
    output = tmp_path / "wuhan.geojson"
    subprocess.run(
        [
            "ogr2ogr",
            "-f",
            "GeoJSON",
            str(output),
            f"OAPIF:{ogc_url}",
            "counties",
            "-spat",
            "114.2",
            "30.5",
            "114.4",
            "30.6",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    names = {feature["properties"]["name_zh"] for feature in json.loads(output.read_text(encoding="utf-8"))["features"]}
    assert {"江岸区", "江汉区", "武昌区"} <= names and all(name.endswith("区") for name in names)


def test_owslib_lists_collections_and_reads_the_17_prefectures(ogc_url: str) -> None:
    client = Features(ogc_url)
    assert [c["id"] for c in client.collections()["collections"]] == [
        "province",
        "prefectures",
        "counties",
        "clusters",
        "corridors",
    ]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in client.conformance()["conformsTo"]
    page = client.collection_items("prefectures", limit=100)
    assert page["numberMatched"] == 17 == len(page["features"])
    assert {f["properties"]["short_name_zh"] for f in page["features"]} >= {"仙桃", "潜江", "天门", "神农架"}
    assert client.collection_item("clusters", "xianning-crane-cluster")["properties"]["members"] == [421200]
