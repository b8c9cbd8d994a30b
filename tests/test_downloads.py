"""/downloads: every format opens in the software people use, with the right names and types."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import httpx
import openpyxl
import pyogrio
import pytest
import shapely

from app.datum import distance_m
from app.validation import ValidData

from .conftest import entity_ids, layer_entity_ids

GDAL_FORMATS = {"geojson": "", "gpkg": "", "zip": "/vsizip/", "kml": ""}
MEDIA = {
    "geojson": "application/geo+json",
    "gpkg": "application/geopackage+sqlite3",
    "zip": "application/zip",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "kml": "application/vnd.google-earth.kml+xml",
}
UNITS = {"province": 1, "prefectures": 17, "counties": 103}  # facts of the boundary data
LAYERS = [*UNITS, "clusters", "corridors"]


def feature_count(layer: str, shipped: ValidData) -> int:
    """Features a whole layer holds: units by level, or the catalogue's entities (all, or the corridors)."""
    if layer in UNITS:
        return UNITS[layer]
    return len(layer_entity_ids(shipped, layer))


def fetch(api: httpx.Client, name: str, tmp_path: Path, **params: str) -> Path:
    response = api.get(f"/downloads/{name}", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == MEDIA[name.rsplit(".", 1)[1]]
    filename = response.headers["content-disposition"].split('filename="')[1].rstrip('"')
    path = tmp_path / filename
    path.write_bytes(response.content)
    return path


@pytest.mark.parametrize("file_format", list(GDAL_FORMATS))
@pytest.mark.parametrize("layer", LAYERS)
def test_gis_formats_open_in_gdal(
    api: httpx.Client, shipped: ValidData, tmp_path: Path, layer: str, file_format: str
) -> None:
    path = fetch(api, f"{layer}.{file_format}", tmp_path)
    assert path.name == f"hubei-{layer}.{file_format}"
    frame = pyogrio.read_dataframe(GDAL_FORMATS[file_format] + str(path))
    assert len(frame) == feature_count(layer, shipped)
    assert frame.crs is not None and frame.crs.to_epsg() == 4326
    assert frame.geometry.is_valid.all()
    name_column = "Name" if file_format == "kml" else "name_zh"
    assert frame[name_column].str.len().gt(0).all()


def test_shapefile_zip_is_utf8_and_loses_nothing(api: httpx.Client, tmp_path: Path) -> None:
    path = fetch(api, "clusters.zip", tmp_path)
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        assert {"hubei-clusters.shp", "hubei-clusters.dbf", "hubei-clusters.prj", "hubei-clusters.shx"} <= names
        assert archive.read("hubei-clusters.cpg").decode().strip().upper() in {"UTF-8", "UTF8"}
        table = list(csv.DictReader(io.StringIO(archive.read("hubei-clusters-attributes.csv").decode("utf-8-sig"))))
    frame = pyogrio.read_dataframe(f"/vsizip/{path}")
    assert "咸宁起重机械产业集群" in set(frame["name_zh"])
    longest = max((row["note"] for row in table), key=len)
    assert len(longest.encode()) > 254  # would not fit a DBF field: the CSV beside it carries it whole


def test_csv_is_utf8_with_bom_for_excel(api: httpx.Client, shipped: ValidData, tmp_path: Path) -> None:
    raw = fetch(api, "clusters.csv", tmp_path, sector="specialty").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert sorted(row["id"] for row in rows) == sorted(entity_ids(shipped, sector="specialty"))
    crane = next(row for row in rows if row["id"] == "xianning-crane-cluster")
    assert crane["name_zh"] == "咸宁起重机械产业集群" and "咸宁起重机械产业集群" in crane["plan_refs"]
    # Outlines are opt-in (?geometry=wkt); by default a point inside the feature (tests/test_files_for_people.py).
    assert "wkt" not in crane and float(crane["point_lon"]) and float(crane["point_lat"])


def test_xlsx_opens_with_a_data_and_an_about_sheet(api: httpx.Client, tmp_path: Path) -> None:
    workbook = openpyxl.load_workbook(fetch(api, "counties.xlsx", tmp_path))
    assert workbook.sheetnames == ["数据 Data", "关于 About"]
    rows = list(workbook["数据 Data"].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert len(body) == 103 and "名称" in header and "代表点经度" in header  # headers for people (Chinese)
    about = workbook["关于 About"].iter_rows(values_only=True)
    assert "WGS 84" in " ".join(str(cell) for row in about for cell in row)


def test_downloads_take_the_same_filters(api: httpx.Client, tmp_path: Path) -> None:
    path = fetch(api, "clusters.geojson", tmp_path, place="421000", kind="cluster")
    ids = [feature["id"] for feature in json.loads(path.read_text(encoding="utf-8"))["features"]]
    api_ids = [
        item["id"] for item in api.get("/api/clusters", params={"place": "421000", "kind": "cluster"}).json()["items"]
    ]
    assert ids == api_ids and "honghu-petrochemical-vessel-cluster" in ids
    boxed = fetch(api, "counties.geojson", tmp_path, bbox="114.2,30.5,114.4,30.6")
    assert 0 < len(json.loads(boxed.read_text(encoding="utf-8"))["features"]) < 103


def test_gcj02_download_is_shifted_and_says_so(api: httpx.Client, tmp_path: Path) -> None:
    plain = json.loads(fetch(api, "prefectures.geojson", tmp_path).read_text(encoding="utf-8"))
    path = fetch(api, "prefectures.geojson", tmp_path, crs="gcj02")
    assert path.name == "hubei-prefectures-gcj02.geojson"
    shifted = json.loads(path.read_text(encoding="utf-8"))
    assert "GCJ-02" in shifted["coordinate_system"]
    assert all(f["properties"]["coordinate_system"] == "GCJ-02" for f in shifted["features"])
    a = shapely.geometry.shape(plain["features"][0]["geometry"]).centroid
    b = shapely.geometry.shape(shifted["features"][0]["geometry"]).centroid
    assert 300 < distance_m(a, b) < 700
    gpkg = pyogrio.read_dataframe(fetch(api, "prefectures.gpkg", tmp_path, crs="gcj02"))
    assert gpkg.crs is None or gpkg.crs.to_epsg() != 4326  # a GCJ-02 file never claims WGS 84
    with zipfile.ZipFile(fetch(api, "prefectures.zip", tmp_path, crs="gcj02")) as archive:
        assert "GCJ-02" in archive.read("README.txt").decode()
        assert not any(name.endswith(".prj") for name in archive.namelist())


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/downloads/clusters.exe", 404),
        ("/downloads/rivers.geojson", 404),
        ("/downloads/..%2F..%2Fetc%2Fpasswd", 404),
        ("/downloads/clusters.geojson?sector=nope", 400),
        ("/downloads/counties.geojson?kind=cluster", 400),
        ("/downloads/clusters.geojson?crs=bd09", 400),
        ("/downloads/clusters.geojson?format=shp", 400),
    ],
)
def test_bad_download_requests(api: httpx.Client, path: str, status: int) -> None:
    response = api.get(path)
    assert response.status_code == status
    assert "Traceback" not in response.text
