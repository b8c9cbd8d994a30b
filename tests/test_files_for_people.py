"""Files for people and GIS details (issue 11, points 1, 2 and 4): every table fits Excel, geometry in tables
is opt-in, an empty selection keeps its fields, the XLSX speaks to people (headers, names beside codes, an
about sheet, frozen header, autofilter), plan years and the province-wide flag travel in every export, tiles
carry sectors and plans, KML is coloured by sector, every collection has its own extent, `.shp` points to
the zip, and the GeoPackage opens in Debian's GDAL without a warning."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import httpx
import mapbox_vector_tile
import openpyxl
import pyogrio
import pytest
import shapely
from fastapi.testclient import TestClient

from app.admin_units import PROVINCE_ADCODE
from app.settings import Settings
from app.tables import EXCEL_MAX_CELL, EXCEL_MAX_COLUMNS, EXCEL_MAX_ROWS
from app.validation import ValidData

from .conftest import entity_ids, layer_entity_ids, run_cli

LAYERS = ["province", "prefectures", "counties", "clusters", "corridors"]
ENTITY_LAYERS = ["clusters", "corridors"]
GDAL_PATHS = {"geojson": "", "gpkg": "", "zip": "/vsizip/", "kml": ""}
# Far from Hubei: a selection that is empty whatever the catalogue holds.
NOWHERE = "0,0,1,1"
KML = "{http://www.opengis.net/kml/2.2}"


def get(api: httpx.Client, name: str, **params: str) -> httpx.Response:
    response = api.get(f"/downloads/{name}", params=params)
    assert response.status_code == 200, response.text
    return response


def saved(api: httpx.Client, tmp_path: Path, name: str, **params: str) -> Path:
    path = tmp_path / f"{len(list(tmp_path.iterdir()))}-{name}"
    path.write_bytes(get(api, name, **params).content)
    return path


def csv_rows(content: bytes) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(content.decode("utf-8-sig")))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def sheet_rows(path: Path, sheet: str = "数据 Data") -> list[tuple]:
    return list(openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True))


def is_province_wide(shipped: ValidData, entity_id: str) -> bool:
    return list(shipped.members[entity_id]) == [PROVINCE_ADCODE]


def plan_years(shipped: ValidData, entity_id: str) -> list[int]:
    entity = next(entity for entity in shipped.catalogue.entities if entity.id == entity_id)
    return sorted({ref.year for ref in entity.plan_refs})


def geojson_features(api: httpx.Client, layer: str, **params: str) -> list[dict]:
    return json.loads(get(api, f"{layer}.geojson", **params).content)["features"]


# --- point 1: Excel's limits, geometry opt-in, empty selections -------------------------------------


@pytest.mark.parametrize("layer", LAYERS)
def test_every_cell_of_every_table_fits_excel(api: httpx.Client, tmp_path: Path, layer: str) -> None:
    features = geojson_features(api, layer)
    header, rows = csv_rows(get(api, f"{layer}.csv").content)
    assert len(rows) == len(features) and len(rows) + 1 <= EXCEL_MAX_ROWS and len(header) <= EXCEL_MAX_COLUMNS
    assert "wkt" not in header and {"point_lon", "point_lat"} <= set(header)  # geometry is opt-in
    assert max(len(value or "") for row in rows for value in row.values()) <= EXCEL_MAX_CELL
    # The representative point lies in (or on) the feature it stands for.
    for row, feature in zip(rows, features, strict=True):
        shape = shapely.geometry.shape(feature["geometry"])
        point = shapely.Point(float(row["point_lon"]), float(row["point_lat"]))
        assert shape.distance(point) < 1e-5, row
    table = sheet_rows(saved(api, tmp_path, f"{layer}.xlsx"))
    assert len(table) == len(features) + 1 and len(table[0]) <= EXCEL_MAX_COLUMNS
    assert max(len(str(cell)) for row in table for cell in row if cell is not None) <= EXCEL_MAX_CELL


def test_wkt_is_opt_in_and_refused_where_a_cell_could_not_hold_it(api: httpx.Client, tmp_path: Path) -> None:
    for layer in ("clusters", "corridors"):
        features = geojson_features(api, layer)
        lengths = {
            f["id"]: len(shapely.to_wkt(shapely.geometry.shape(f["geometry"]), rounding_precision=6)) for f in features
        }
        for suffix in ("csv", "xlsx"):
            response = api.get(f"/downloads/{layer}.{suffix}", params={"geometry": "wkt"})
            if max(lengths.values()) > EXCEL_MAX_CELL:
                assert response.status_code == 400, layer
                body = response.json()
                assert "geometry" in body["description"] and "GeoPackage" in body["description"]
                named = re.search(r"longest [0-9,]+: ([a-z0-9-]+)", body["description"])
                assert named and lengths[named[1]] == max(lengths.values())  # it names a feature that would not fit
                continue
            assert response.status_code == 200, response.text
            if suffix == "csv":
                _, rows = csv_rows(response.content)
                texts = [row["wkt"] for row in rows]
            else:
                path = tmp_path / f"{layer}.xlsx"
                path.write_bytes(response.content)
                table = sheet_rows(path)
                texts = [row[table[0].index("几何（WKT）")] for row in table[1:]]
            shapes = [shapely.from_wkt(text) for text in texts]
            originals = [shapely.geometry.shape(f["geometry"]) for f in features]
            assert all(shape.equals_exact(original, 1e-6) for shape, original in zip(shapes, originals, strict=True))
    # The clusters' province-wide outlines are the case in point: with no entity filter, they do not fit.
    assert api.get("/downloads/clusters.csv", params={"geometry": "wkt"}).status_code == 400


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("geometry=svg", "geometry"),
        ("lang=fr", "lang"),
        ("geometry=wkt&x=1", "x"),
    ],
)
def test_bad_file_options(api: httpx.Client, query: str, parameter: str) -> None:
    response = api.get(f"/downloads/corridors.csv?{query}")
    assert response.status_code == 400 and parameter in response.json()["description"]
    for name in ("corridors.geojson", "corridors.gpkg", "corridors.kml"):
        refused = api.get(f"/downloads/{name}?geometry=wkt")
        assert refused.status_code == 400 and "csv" in refused.json()["description"]


@pytest.mark.parametrize("layer", LAYERS)
def test_an_empty_selection_keeps_every_field(api: httpx.Client, tmp_path: Path, layer: str) -> None:
    full_header, _ = csv_rows(get(api, f"{layer}.csv").content)
    empty_header, rows = csv_rows(get(api, f"{layer}.csv", bbox=NOWHERE).content)
    assert rows == [] and empty_header == full_header and len(full_header) > 5
    full = sheet_rows(saved(api, tmp_path, f"{layer}.xlsx"))
    empty = sheet_rows(saved(api, tmp_path, f"{layer}.xlsx", bbox=NOWHERE))
    assert empty == [full[0]]
    for suffix, prefix in GDAL_PATHS.items():
        whole = pyogrio.read_info(prefix + str(saved(api, tmp_path, f"{layer}.{suffix}")))
        nothing = pyogrio.read_info(prefix + str(saved(api, tmp_path, f"{layer}.{suffix}", bbox=NOWHERE)))
        assert nothing["features"] == 0 and whole["features"] > 0, suffix
        if suffix in ("geojson", "kml"):  # their fields are their features' (a KML schema is written with them)
            continue
        assert list(nothing["fields"]) == list(whole["fields"]), suffix
        assert nothing["geometry_type"] == whole["geometry_type"], suffix


def test_a_sector_without_entities_keeps_the_header(api: httpx.Client, shipped: ValidData) -> None:
    empty = [sector.id for sector in shipped.catalogue.sectors if not entity_ids(shipped, sector=sector.id)]
    if not empty:
        pytest.skip("every sector has entities")
    header, rows = csv_rows(get(api, "clusters.csv", sector=empty[0]).content)
    assert rows == [] and {"id", "name_zh", "plans", "province_wide", "point_lon"} <= set(header)


# --- point 2: the XLSX for people; plan years and province-wide in every export ----------------------


def test_xlsx_speaks_to_people(api: httpx.Client, shipped: ValidData, tmp_path: Path) -> None:
    path = saved(api, tmp_path, "clusters.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["数据 Data", "关于 About"]
    data = book["数据 Data"]
    header = [cell.value for cell in data[1]]
    assert {"编号", "名称", "类型", "状态", "行业", "行业代码", "地区", "地区代码", "规划", "规划年份"} <= set(header)
    assert {"全省范围", "规划原文", "代表点经度", "代表点纬度"} <= set(header)
    assert not {"kind", "status", "name_zh"} & set(header)  # words, not codes, for people
    assert data.freeze_panes == "A2"
    last = openpyxl.utils.get_column_letter(len(header))
    assert data.auto_filter.ref == f"A1:{last}{data.max_row}" and data.max_row == len(shipped.catalogue.entities) + 1
    widths = [data.column_dimensions[openpyxl.utils.get_column_letter(i + 1)].width for i in range(len(header))]
    assert all(8 <= width <= 80 for width in widths) and len(set(widths)) > 3
    assert all(cell.font.bold for cell in data[1])
    rows = {
        row[header.index("编号")]: dict(zip(header, row, strict=True)) for row in data.iter_rows(2, values_only=True)
    }
    catalogue = shipped.catalogue
    for entity in catalogue.entities:
        row = rows[entity.id]
        for unit in (shipped.units.get(adcode) for adcode in shipped.members[entity.id]):
            assert unit.name_zh in row["地区"] and str(unit.adcode) in row["地区代码"]
        for sector in entity.sectors:
            assert catalogue.sector(sector).name_zh in row["行业"] and sector in row["行业代码"]
        for ref in entity.plan_refs:
            assert ref.quote in row["规划原文"]
            plan = next(plan for plan in catalogue.plans if plan.id == ref.plan)
            assert plan.title_zh in row["规划"] and (plan.number is None or plan.number in row["规划"])
        assert row["规划年份"] == "; ".join(map(str, plan_years(shipped, entity.id)))
        assert row["全省范围"] == ("是" if is_province_wide(shipped, entity.id) else "否")
        assert row["类型"] in {"产业集群", "产业走廊", "城市群", "城市特色产业", "基地与园区", "平台与实验室"}
        assert row["状态"] in {"已有", "规划建设"}
    crane = rows["xianning-crane-cluster"]
    assert crane["类型"] == "产业集群" and crane["地区"] == "咸宁市" and "鄂经信规划〔2021〕203号" in crane["规划"]


def test_xlsx_in_english(api: httpx.Client, tmp_path: Path) -> None:
    table = sheet_rows(saved(api, tmp_path, "clusters.xlsx", lang="en"))
    header = list(table[0])
    assert {"ID", "Name (Chinese)", "Kind", "Places", "Sectors", "Plans", "Plan years", "Province-wide"} <= set(header)
    crane = dict(zip(header, next(row for row in table if row[0] == "xianning-crane-cluster"), strict=True))
    assert crane["Kind"] == "Cluster" and crane["Places"] == "Xianning" and crane["Province-wide"] == "No"
    assert "Cranes" in crane["Sectors"] and "Five-Year" in crane["Plans"]
    about = " ".join(str(cell) for row in sheet_rows(saved(api, tmp_path, "clusters.xlsx", lang="en"), "关于 About")
                     for cell in row)  # fmt: skip
    assert "None: the whole layer" in about


def test_the_about_sheet_names_sources_filters_and_date(api: httpx.Client, shipped: ValidData, tmp_path: Path) -> None:
    rows = sheet_rows(saved(api, tmp_path, "clusters.xlsx", sector="specialty", plan="2021"), "关于 About")
    about = {row[0]: row[1] for row in rows if row[0]}
    text = "\n".join(f"{row[0]} {row[1]}" for row in rows)
    for plan in shipped.catalogue.plans:
        assert plan.title_zh in text and (plan.number is None or plan.number in text)
    assert "天地图" in about["边界 Boundaries"]
    filters = about["筛选条件 Filters"]
    assert catalogue_name(shipped, "specialty") in filters and "(specialty)" in filters and "2021" in filters
    assert about["条数 Rows"] == str(len(entity_ids(shipped, sector="specialty", plan=2021)))
    made = datetime.fromisoformat(about["日期 Date"]).date()
    assert abs((made - datetime.now(UTC).date()).days) <= 1
    assert "WGS 84" in about["坐标 Coordinates"]
    assert "规划原文" in [row[0] for row in rows]  # the columns explained
    whole = {row[0]: row[1] for row in sheet_rows(saved(api, tmp_path, "counties.xlsx"), "关于 About") if row[0]}
    assert whole["筛选条件 Filters"].startswith("无")


def catalogue_name(shipped: ValidData, sector_id: str) -> str:
    return shipped.catalogue.sector(sector_id).name_zh


def test_counties_xlsx_names_the_parent(api: httpx.Client, shipped: ValidData, tmp_path: Path) -> None:
    table = sheet_rows(saved(api, tmp_path, "counties.xlsx"))
    header = list(table[0])
    assert {"行政区划代码", "名称", "级别", "上级代码", "上级"} <= set(header)
    for row in table[1:]:
        record = dict(zip(header, row, strict=True))
        assert record["上级"] == shipped.units.get(record["上级代码"]).name_zh and record["级别"] == "县市区"


@pytest.mark.parametrize("layer", ENTITY_LAYERS)
def test_every_export_carries_plan_years_and_the_province_wide_flag(
    api: httpx.Client, shipped: ValidData, tmp_path: Path, layer: str
) -> None:
    expected = {
        entity_id: (plan_years(shipped, entity_id), is_province_wide(shipped, entity_id))
        for entity_id in layer_entity_ids(shipped, layer)
    }
    features = geojson_features(api, layer)
    assert {f["id"]: (f["properties"]["plans"], f["properties"]["province_wide"]) for f in features} == expected
    items = api.get(f"/ogc/collections/{layer}/items", params={"limit": "1000"}).json()["features"]
    assert {f["id"]: (f["properties"]["plans"], f["properties"]["province_wide"]) for f in items} == expected
    _, rows = csv_rows(get(api, f"{layer}.csv").content)
    as_text = {key: ("; ".join(map(str, years)), str(flag)) for key, (years, flag) in expected.items()}
    assert {row["id"]: (row["plans"], row["province_wide"]) for row in rows} == as_text
    gpkg = pyogrio.read_dataframe(saved(api, tmp_path, f"{layer}.gpkg"))
    assert {r.id: (r.plans, bool(r.province_wide)) for r in gpkg.itertuples()} == {
        key: ("; ".join(map(str, years)), flag) for key, (years, flag) in expected.items()
    }
    shp = pyogrio.read_dataframe("/vsizip/" + str(saved(api, tmp_path, f"{layer}.zip")))
    assert {"plans", "prov_wide"} <= set(shp.columns)
    if layer == "clusters":  # the catalogue's province-wide entities (whole-Hubei outlines) say so
        assert sum(flag for _, flag in expected.values()) > 0


# --- point 4: tiles, KML, extents, .shp, GeoPackage ----------------------------------------------------


def test_tiles_carry_sectors_plans_and_province_wide(api: httpx.Client, shipped: ValidData) -> None:
    response = api.get("/tiles/clusters/6/52/26.mvt")
    assert response.status_code == 200
    features = mapbox_vector_tile.decode(response.content)["clusters"]["features"]
    by_id = {feature["properties"]["id"]: feature["properties"] for feature in features}
    catalogue = shipped.catalogue
    assert by_id
    for entity_id, properties in by_id.items():
        entity = next(entity for entity in catalogue.entities if entity.id == entity_id)
        assert properties["sectors"] == ",".join(entity.sectors)
        assert properties.get("top_sector") == catalogue.entity_top_sector(entity)  # a tile leaves out nulls
        assert properties["plans"] == ",".join(map(str, plan_years(shipped, entity_id)))
        assert bool(properties["province_wide"]) is is_province_wide(shipped, entity_id)
        assert re.fullmatch(r"#[0-9a-f]{6}", properties["colour"])
    assert any(properties["province_wide"] for properties in by_id.values())
    corridors = mapbox_vector_tile.decode(api.get("/tiles/corridors/6/52/26.mvt").content)["corridors"]["features"]
    assert all({"sectors", "plans", "province_wide"} <= set(f["properties"]) for f in corridors)
    fields = api.get("/tiles/clusters/tilejson.json").json()["vector_layers"][0]["fields"]
    assert {"sectors", "top_sector", "plans", "province_wide"} <= set(fields) and fields["province_wide"] == "Boolean"


def test_kml_placemarks_are_styled_by_sector(api: httpx.Client, shipped: ValidData, tmp_path: Path) -> None:
    colours = {f["id"]: f["properties"]["colour"] for f in geojson_features(api, "clusters")}
    path = saved(api, tmp_path, "clusters.kml")
    placemarks = ET.parse(path).getroot().iter(f"{KML}Placemark")
    seen = {}
    for placemark in placemarks:
        data = {item.get("name"): item.text for item in placemark.iter(f"{KML}SimpleData")}
        line = placemark.find(f"{KML}Style/{KML}LineStyle/{KML}color").text.lower()
        fill = placemark.find(f"{KML}Style/{KML}PolyStyle/{KML}color").text.lower()
        rgb = colours[data["id"]].lstrip("#")
        kml_colour = rgb[4:6] + rgb[2:4] + rgb[0:2]  # KML writes aabbggrr
        assert line == "ff" + kml_colour and fill[2:] == kml_colour and fill[:2] not in ("00", "ff")
        assert "OGR_STYLE" not in data
        seen[data["id"]] = line
    assert seen.keys() == colours.keys() and len(set(seen.values())) > 3
    assert len(pyogrio.read_dataframe(path)) == len(colours)
    english = ET.parse(saved(api, tmp_path, "clusters.kml", lang="en")).getroot()
    names = {placemark.find(f"{KML}name").text for placemark in english.iter(f"{KML}Placemark")}
    assert names == {entity.name_en for entity in shipped.catalogue.entities}


@pytest.mark.parametrize("layer", LAYERS)
def test_each_collection_reports_its_own_extent(api: httpx.Client, layer: str) -> None:
    shapes = [shapely.geometry.shape(feature["geometry"]) for feature in geojson_features(api, layer)]
    bounds = list(shapely.total_bounds(shapes))
    extent = api.get(f"/ogc/collections/{layer}").json()["extent"]["spatial"]["bbox"][0]
    assert extent == pytest.approx(bounds, abs=2e-6)
    if layer != "province":
        assert api.get(f"/tiles/{layer}/tilejson.json").json()["bounds"] == pytest.approx(bounds, abs=2e-6)
    if layer == "corridors":
        hubei = api.get("/ogc/collections/province").json()["extent"]["spatial"]["bbox"][0]
        assert shapely.box(*extent).area < shapely.box(*hubei).area


NEAR_MISSES = [
    ("clusters.shp", "clusters.zip"),
    ("counties.dbf", "counties.zip"),
    ("clusters.json", "clusters.geojson"),
    ("corridors.xls", "corridors.xlsx"),
]


@pytest.mark.parametrize(("asked", "real"), NEAR_MISSES)
def test_a_near_miss_names_the_real_file(api: httpx.Client, asked: str, real: str) -> None:
    response = api.get(f"/downloads/{asked}")
    assert response.status_code == 404 and f"/downloads/{real}" in response.json()["description"]
    assert api.get(f"/downloads/{real}").status_code == 200


def test_geopackage_is_a_version_every_reader_knows(api: httpx.Client, tmp_path: Path) -> None:
    path = saved(api, tmp_path, "clusters.gpkg")
    with sqlite3.connect(path) as connection:
        application_id = connection.execute("PRAGMA application_id").fetchone()[0]
        user_version = connection.execute("PRAGMA user_version").fetchone()[0]
    assert application_id == 0x47504B47  # "GPKG"
    assert user_version == 10200  # GeoPackage 1.2; GDAL 3.6 warns about 1.4


@pytest.mark.slow
def test_debian_gdal_reads_every_file_without_a_warning(in_process: TestClient, tmp_path: Path) -> None:
    """Debian's ogrinfo (GDAL 3.6, what QGIS on Debian 12 links) prints no warning for any file."""
    for name in ("clusters.gpkg", "corridors.gpkg", "clusters.kml", "clusters.zip", "clusters.geojson"):
        path = tmp_path / name
        path.write_bytes(in_process.get(f"/downloads/{name}").content)
        source = f"/vsizip/{path}" if name.endswith(".zip") else str(path)
        result = subprocess.run(["ogrinfo", "-so", "-al", source], capture_output=True, text=True, check=True)
        assert "Warning" not in result.stderr + result.stdout, (name, result.stderr)
        assert "Feature Count" in result.stdout


def test_export_takes_the_same_options(spatialite_loaded: Settings, in_process: TestClient, tmp_path: Path) -> None:
    output = tmp_path / "clusters.xlsx"
    result = run_cli("export", "clusters", "--format", "xlsx", "--lang", "en", "-o", output, settings=spatialite_loaded)
    assert result.exit_code == 0, result.output
    downloaded = tmp_path / "downloaded.xlsx"
    downloaded.write_bytes(in_process.get("/downloads/clusters.xlsx?lang=en").content)
    assert sheet_rows(output) == sheet_rows(downloaded) and sheet_rows(output)[0][0] == "ID"
    wkt = ("--geometry", "wkt")
    refused = run_cli("export", "clusters", "-f", "csv", *wkt, "-o", tmp_path / "x.csv", settings=spatialite_loaded)
    assert refused.exit_code == 2 and "GeoPackage" in refused.stderr
    corridors = tmp_path / "corridors.csv"
    done = run_cli("export", "corridors", "-f", "csv", *wkt, "-o", corridors, settings=spatialite_loaded)
    assert done.exit_code == 0 and "wkt" in csv_rows(corridors.read_bytes())[0]


def test_shapefile_zip_carries_the_people_table(api: httpx.Client, tmp_path: Path) -> None:
    with zipfile.ZipFile(saved(api, tmp_path, "clusters.zip")) as archive:
        header, rows = csv_rows(archive.read("hubei-clusters-attributes.csv"))
    assert {"member_names", "sector_names", "plan_titles", "plans", "province_wide"} <= set(header)
    assert max(len(value) for row in rows for value in row.values()) <= EXCEL_MAX_CELL
