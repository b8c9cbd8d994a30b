"""Footprints, corridor lines and the GeoJSON export of every layer (round trip)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely
from click.testing import Result
from shapely.geometry.base import BaseGeometry

from app.admin_units import AdminUnits
from app.entities import entity_members, footprint, route
from app.layers import LAYERS, BoundaryRows, LayerSpec
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


def _expected_layer(data: ValidData, layer: LayerSpec) -> dict[str, tuple[BaseGeometry, dict[str, object]]]:
    """Each feature of ``layer`` straight from the data directory: id → (geometry, catalogue fields)."""
    if isinstance(layer.rows, BoundaryRows):
        return {
            str(unit.adcode): (unit.geometry, {name: getattr(unit, name) for name in ("name_zh", "name_en")})
            for unit in data.units.at_level(layer.rows.level)
        }
    expected = {}
    for entity in data.catalogue.entities:
        if layer.rows.kinds and entity.kind not in layer.rows.kinds:
            continue
        members = entity_members(data, entity)
        geometry = route(members) if layer.rows.geometry == "route" else footprint(members)
        expected[entity.id] = (geometry, {"name_zh": entity.name_zh, "kind": entity.kind.value})
    return expected


@pytest.mark.parametrize("layer", list(LAYERS.values()), ids=list(LAYERS))
def test_export_round_trips(make_data_dir: Callable[..., Path], tmp_path: Path, layer: LayerSpec) -> None:
    data_dir = make_data_dir()
    data = validate(Settings(data_dir=data_dir))
    output = tmp_path / f"{layer.id}.geojson"
    result = _export(data_dir, layer.id, output)
    assert result.exit_code == 0, result.output
    expected = _expected_layer(data, layer)
    raw = json.loads(output.read_text(encoding="utf-8"))
    assert raw["type"] == "FeatureCollection" and gpd.read_file(output).crs.to_epsg() == 4326
    assert [feature["id"] for feature in raw["features"]] == list(expected) != []
    for feature in raw["features"]:
        geometry, fields = expected[feature["id"]]
        # The store's GeoJSON keeps 6 decimals (about 0.1 m).
        assert shapely.geometry.shape(feature["geometry"]).equals_exact(geometry, tolerance=1e-6), feature["id"]
        assert fields.items() <= feature["properties"].items()


def test_cluster_features_carry_the_catalogue(make_data_dir: Callable[..., Path], tmp_path: Path) -> None:
    data_dir = make_data_dir()
    output = tmp_path / "clusters.geojson"
    assert _export(data_dir, "clusters", output).exit_code == 0
    features = {f["properties"]["id"]: f for f in json.loads(output.read_text(encoding="utf-8"))["features"]}
    crane = features["xianning-crane-cluster"]["properties"]
    catalogued = {
        "id": "xianning-crane-cluster",
        "name_zh": "咸宁起重机械产业集群",
        "name_en": "Xianning Crane Industrial Cluster",
        "kind": "cluster",
        "sectors": ["specialty-cranes"],
        "members": [421200],
        "status": "existing",
        "confidence": "stated",
        "inferred_sectors": [],
        "note": None,
        "plan_refs": [{"plan": "fyp2021", "year": 2021, "section": "专栏5", "quote": "咸宁起重机械产业集群"}],
    }
    # the catalogue's quote, cited (app.citation) as everywhere a quote is served
    [ref] = crane["plan_refs"]
    assert ref.pop("citation").startswith("《")
    assert list(crane)[: len(catalogued)] == list(catalogued)  # the catalogue's fields first, then computed ones
    assert {name: crane[name] for name in catalogued} == catalogued
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
    for entity in shipped.catalogue.entities:
        outline = footprint(entity_members(shipped, entity))
        assert outline.is_valid and not outline.is_empty, entity.id


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
