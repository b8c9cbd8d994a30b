"""Generalised outlines for the page: topology kept (no slivers or gaps), lighter, and never served to
data users, who get full resolution from /ogc and /downloads."""

from __future__ import annotations

import json

import httpx
import pytest
import shapely

from app.admin_units import AdminUnits, Level
from app.generalise import BANDS, band_for, dissolve, label_point, simplify_units
from app.settings import REPO_DATA_DIR
from app.validation import ValidData


@pytest.fixture(scope="module")
def units() -> AdminUnits:
    return AdminUnits.load(REPO_DATA_DIR / "boundaries")


def holes(geometry: shapely.Geometry) -> int:
    return sum(len(part.interiors) for part in shapely.get_parts(geometry))


def vertices(geometries: list[shapely.Geometry]) -> int:
    return sum(len(shapely.get_coordinates(geometry)) for geometry in geometries)


@pytest.mark.parametrize("band", BANDS, ids=lambda band: band.name)
@pytest.mark.parametrize("level", [Level.prefecture, Level.county])
def test_coverage_keeps_its_topology(units: AdminUnits, band, level: Level) -> None:  # type: ignore[no-untyped-def]
    members = units.at_level(level)
    outlines = simplify_units(units, band)
    simplified = [outlines[unit.key] for unit in members]
    assert all(outline.is_valid and not outline.is_empty for outline in simplified)
    union = shapely.union_all(simplified)
    assert sum(outline.area for outline in simplified) == pytest.approx(union.area, abs=1e-9)  # no overlaps
    original = [unit.geometry for unit in members]
    assert vertices(simplified) < vertices(original)
    original_union = shapely.union_all(original)
    assert union.symmetric_difference(original_union).area < 0.01 * union.area
    assert holes(union) == holes(original_union)  # no gaps opened between neighbours


def test_footprints_line_up_with_the_boundaries(units: AdminUnits) -> None:
    band = BANDS[0]
    outlines = simplify_units(units, band)
    xianning = units.get(421200)
    assert dissolve([outlines[xianning.key]], band).equals(outlines[xianning.key])
    wuhan_ezhou = dissolve([outlines[units.get(420100).key], outlines[units.get(420700).key]], band)
    assert wuhan_ezhou.is_valid and len(wuhan_ezhou.geoms) <= 3


@pytest.mark.parametrize(("zoom", "band"), [(0, "z7"), (7, "z7"), (8, "z9"), (9, "z9"), (10, None), (18, None)])
def test_bands_by_zoom(zoom: int, band: str | None) -> None:
    found = band_for(zoom)
    assert (found.name if found else None) == band


def decimals(feature_collection: dict) -> int:
    coordinates = shapely.get_coordinates(shapely.geometry.shape(feature_collection["features"][0]["geometry"]))
    return max(len(repr(float(value)).split(".")[1]) for value in coordinates.ravel())


def test_map_layers_follow_the_zoom(api: httpx.Client, shipped: ValidData) -> None:
    coarse = api.get("/api/map/counties", params={"zoom": 7}).json()
    fine = api.get("/api/map/counties", params={"zoom": 12}).json()
    assert len(coarse["features"]) == len(fine["features"]) == 103
    assert decimals(coarse) <= 3 < decimals(fine)
    assert len(json.dumps(coarse)) < 0.7 * len(json.dumps(fine))
    clusters = api.get("/api/map/clusters", params={"zoom": 7}).json()["features"]
    assert len(clusters) == len(shipped.catalogue.entities)
    crane = next(feature for feature in clusters if feature["id"] == "xianning-crane-cluster")["properties"]
    assert crane["plans"] == [2021] and "plan_refs" not in crane  # the quotes come with the profile
    assert api.get("/api/map/rivers").status_code == 404
    assert api.get("/api/map/counties", params={"zoom": 30}).status_code == 400


def test_data_users_get_full_resolution(api: httpx.Client) -> None:
    shipped = json.loads((REPO_DATA_DIR / "boundaries" / "counties.geojson").read_text(encoding="utf-8"))
    original = {str(f["properties"]["adcode"]): shapely.geometry.shape(f["geometry"]) for f in shipped["features"]}
    ogc = api.get("/ogc/collections/counties/items", params={"limit": 1000}).json()["features"]
    download = api.get("/downloads/counties.geojson").json()["features"]
    for features in (ogc, download):
        for feature in features:
            assert shapely.geometry.shape(feature["geometry"]).equals_exact(original[feature["id"]], tolerance=1e-9)


def test_every_unit_has_its_label_point_well_inside() -> None:
    """Names go where the page can print them: inside the unit, farther from its edge than its centroid
    is wherever the centroid is not already the deepest point (Hubei's units are oddly shaped)."""
    units = AdminUnits.load(REPO_DATA_DIR / "boundaries")
    for unit in units:
        point = shapely.Point(label_point(unit.geometry))
        largest = max(getattr(unit.geometry, "geoms", [unit.geometry]), key=lambda part: part.area)
        assert largest.contains(point), unit.label
        depth = largest.exterior.distance(point)
        assert depth >= largest.exterior.distance(largest.centroid) * 0.8 or not largest.contains(largest.centroid)
