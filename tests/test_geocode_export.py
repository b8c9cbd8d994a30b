"""Footprints, corridor lines and the GeoJSON export of every layer (round trip)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely
from click.testing import Result

from app.admin_units import AdminUnits
from app.export import Layer, layer_frame
from app.geocode import footprint, route
from app.settings import REPO_DATA_DIR, Settings
from app.validation import ValidData, validate

from .conftest import run_cli


@pytest.fixture(scope="module")
def units() -> AdminUnits:
    return AdminUnits.load(REPO_DATA_DIR / "boundaries")


def test_footprint_dissolves_neighbours_into_one_valid_outline(units: AdminUnits) -> None:
    wuhan, ezhou = units.get(420100), units.get(420700)
    outline = footprint([wuhan, ezhou])
    assert outline.is_valid and outline.geom_type == "MultiPolygon"
    assert abs(outline.area - (wuhan.geometry.area + ezhou.geometry.area)) < 1e-9
    # dissolved: no interior boundary remains along the shared border
    assert len(outline.geoms) <= len(wuhan.geometry.geoms) + len(ezhou.geometry.geoms) - 1


def test_county_member_stays_at_county_level(units: AdminUnits) -> None:
    honghu, jingzhou = units.get(421083), units.get(421000)
    outline = footprint([honghu])
    assert jingzhou.geometry.buffer(1e-9).contains(outline)
    assert outline.area < jingzhou.geometry.area / 3


def test_route_follows_seats_in_the_given_order(units: AdminUnits) -> None:
    order = [420100, 420900, 421300, 420600, 420300]
    line = route([units.get(adcode) for adcode in order])
    assert list(line.coords) == [(units.get(a).seat.x, units.get(a).seat.y) for a in order]


def _export(data_dir: Path, layer: str, output: Path, file_format: str = "geojson") -> Result:
    return run_cli("export", layer, "-f", file_format, "-o", output, "--data-dir", data_dir)


def _plain(value: object) -> object:
    """A pandas cell as JSON would hold it."""
    if isinstance(value, list):
        return value
    if pd.isna(value):
        return None
    return value.item() if hasattr(value, "item") else value


@pytest.mark.parametrize("layer", list(Layer))
def test_export_round_trips(make_data_dir: Callable[..., Path], tmp_path: Path, layer: Layer) -> None:
    data_dir = make_data_dir()
    data = validate(Settings(data_dir=data_dir))
    output = tmp_path / f"{layer.value}.geojson"
    result = _export(data_dir, layer.value, output)
    assert result.exit_code == 0, result.output
    expected = layer_frame(data, layer)
    raw = json.loads(output.read_text(encoding="utf-8"))
    read_back = gpd.read_file(output)
    assert raw["type"] == "FeatureCollection" and len(raw["features"]) == len(expected) > 0
    assert read_back.crs.to_epsg() == 4326
    for feature, (_, row) in zip(raw["features"], expected.iterrows(), strict=True):
        geometry = shapely.geometry.shape(feature["geometry"])
        assert geometry.equals_exact(row.geometry, tolerance=1e-12)
        for column in expected.columns.drop("geometry"):
            assert feature["properties"][column] == _plain(row[column]), column


def test_cluster_features_carry_the_catalogue(make_data_dir: Callable[..., Path], tmp_path: Path) -> None:
    data_dir = make_data_dir()
    output = tmp_path / "clusters.geojson"
    assert _export(data_dir, "clusters", output).exit_code == 0
    features = {f["properties"]["id"]: f for f in json.loads(output.read_text(encoding="utf-8"))["features"]}
    crane = features["xianning-crane-cluster"]["properties"]
    assert crane == {
        "id": "xianning-crane-cluster",
        "name_zh": "咸宁起重机械产业集群",
        "name_en": "Xianning Crane Industrial Cluster",
        "kind": "cluster",
        "sectors": ["specialty-cranes"],
        "members": [421200],
        "status": "existing",
        "confidence": "stated",
        "note": None,
        "plan_refs": [{"plan": "fyp2021", "year": 2021, "section": "专栏5", "quote": "咸宁起重机械产业集群"}],
    }
    assert features["honghu-vessel-cluster"]["properties"]["members"] == [421083]


def test_corridors_layer_holds_ordered_lines(make_data_dir: Callable[..., Path], tmp_path: Path) -> None:
    data_dir = make_data_dir()
    output = tmp_path / "corridors.geojson"
    assert _export(data_dir, "corridors", output).exit_code == 0
    [feature] = json.loads(output.read_text(encoding="utf-8"))["features"]
    assert feature["geometry"]["type"] == "LineString"
    assert feature["properties"]["members"] == [420100, 420900, 421300, 420600, 420300]


def test_unknown_layer_and_format_are_refused(make_data_dir: Callable[..., Path], tmp_path: Path) -> None:
    data_dir = make_data_dir()
    bad_layer = _export(data_dir, "rivers", tmp_path / "x.geojson")
    assert bad_layer.exit_code == 2 and "rivers" in bad_layer.stderr
    bad_format = run_cli("export", "clusters", "--format", "pdf", "-o", tmp_path / "x.pdf")
    assert bad_format.exit_code == 2 and "geojson" in bad_format.stderr


def test_every_shipped_entity_has_a_valid_footprint(shipped: ValidData) -> None:
    frame = layer_frame(shipped, Layer.clusters)
    assert len(frame) == len(shipped.catalogue.entities)
    for row in frame.itertuples():
        assert row.geometry.is_valid and not row.geometry.is_empty, row.id


def test_unwritable_output_is_a_message(make_data_dir: Callable[..., Path], tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = _export(make_data_dir(), "counties", blocker / "counties.geojson")
    assert result.exit_code == 1
    assert "Cannot write" in result.stderr


@pytest.mark.parametrize(("file_format", "prefix"), [("gpkg", ""), ("zip", "/vsizip/"), ("kml", "")])
def test_cli_exports_the_download_formats(
    make_data_dir: Callable[..., Path], tmp_path: Path, file_format: str, prefix: str
) -> None:
    output = tmp_path / f"clusters.{file_format}"
    result = _export(make_data_dir(), "clusters", output, file_format)
    assert result.exit_code == 0, result.output
    assert len(pyogrio.read_dataframe(prefix + str(output))) == 3
