"""Layers as files: GeoJSON, GeoPackage, zipped Shapefile, CSV, XLSX and KML."""

from __future__ import annotations

import io
import json
import tempfile
import warnings
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from app.datum import wgs84_to_gcj02
from app.query import NO_FILTERS, BBox, Filters
from app.store import features
from app.store.features import COORDINATE_DECIMALS, FeatureRecords
from app.store.published import StoreReader


class FileFormat(StrEnum):
    """Download formats, by file extension."""

    geojson = "geojson"
    gpkg = "gpkg"
    zip = "zip"
    csv = "csv"
    xlsx = "xlsx"
    kml = "kml"


MEDIA_TYPES: dict[FileFormat, str] = {
    FileFormat.geojson: "application/geo+json",
    FileFormat.gpkg: "application/geopackage+sqlite3",
    FileFormat.zip: "application/zip",
    FileFormat.csv: "text/csv; charset=utf-8",
    FileFormat.xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    FileFormat.kml: "application/vnd.google-earth.kml+xml",
}

GCJ02_NOTE = (
    "坐标为 GCJ-02（高德/腾讯底图用），不是 WGS 84 · Coordinates are GCJ-02 (for Amap/Tencent base maps), not WGS 84"
)
WGS84_NOTE = "坐标为 WGS 84 (EPSG:4326) · Coordinates are WGS 84 (EPSG:4326)"
# DBF field names are limited to 10 characters.
_SHAPEFILE_NAMES = {
    "short_name_zh": "short_zh",
    "parent_adcode": "parent",
    "coordinate_system": "coord_sys",
    "province_wide": "prov_wide",
}


@dataclass(frozen=True)
class Download:
    """A rendered file."""

    content: bytes
    media_type: str
    filename: str


def features_frame(records: FeatureRecords) -> gpd.GeoDataFrame:
    """Features as the store serves them for files, as a GeoDataFrame in EPSG:4326 indexed by feature id,
    with coordinates rounded as in the store's GeoJSON."""
    properties = [json.loads(text) for text in records.properties]
    columns = list(properties[0]) if properties else []
    geometries = shapely.from_wkb(np.array(records.geometries, dtype=object))
    geometries = shapely.transform(geometries, lambda coordinates: coordinates.round(COORDINATE_DECIMALS))
    frame = gpd.GeoDataFrame(
        pd.DataFrame.from_records(properties, columns=columns), geometry=geometries, crs="EPSG:4326"
    )
    frame.index = pd.Index(records.ids, dtype=object)  # GeoJSON keeps them
    return frame


def layer_file(
    store: StoreReader,
    layer: str,
    file_format: FileFormat,
    filters: Filters = NO_FILTERS,
    boxes: Sequence[BBox] | None = None,
    gcj02: bool = False,
) -> Download:
    """The features of ``layer`` that match, read from ``store``, as a file: what ``/downloads`` serves and
    ``atlas export`` writes, by the one path from store to file."""
    target = features.collection(layer)
    return render(features_frame(features.records(store, target, filters, boxes)), target.id, file_format, gcj02)


def render(frame: gpd.GeoDataFrame, layer: str, file_format: FileFormat, gcj02: bool = False) -> Download:
    """``frame`` as a file of ``file_format``; with ``gcj02`` the coordinates are shifted and the file
    says so (a ``coordinate_system`` column, and a note where the format has room for one)."""
    frame = frame.copy()
    ids = frame.index
    frame = frame.reset_index(drop=True)
    if gcj02:
        frame["geometry"] = wgs84_to_gcj02(frame.geometry.to_numpy())
        frame["coordinate_system"] = "GCJ-02"
    name = f"hubei-{layer}{'-gcj02' if gcj02 else ''}"
    if file_format is FileFormat.geojson:
        content = _geojson(frame.set_axis(ids), name, gcj02)
    else:
        content = _WRITERS[file_format](frame, name, gcj02)
    return Download(content, MEDIA_TYPES[file_format], f"{name}.{file_format.value}")


def _geojson(frame: gpd.GeoDataFrame, name: str, gcj02: bool) -> bytes:
    collection = json.loads(frame.to_json(drop_id=False, ensure_ascii=False, na="null"))
    collection = (
        {"type": "FeatureCollection", "name": name}
        | ({"coordinate_system": GCJ02_NOTE} if gcj02 else {})
        | {"features": collection["features"]}
    )
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode()


def _flat(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Lists and objects as text, for formats whose fields are scalars."""
    flat = frame.copy()
    for column in flat.columns.drop("geometry"):
        if flat[column].map(lambda value: isinstance(value, list | dict)).any():
            flat[column] = flat[column].map(_cell_text)
    return flat


def _cell_text(value: Any) -> Any:
    if isinstance(value, list) and all(isinstance(item, str | int) for item in value):
        return "; ".join(map(str, value))
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def _quotes_text(refs: list[dict[str, Any]]) -> str:
    return "\n".join(f"[{ref['year']}] {ref['section']}: {ref['quote']}" for ref in refs)


def _table(frame: gpd.GeoDataFrame) -> pd.DataFrame:
    """Rows for spreadsheets: readable quotes, and a representative point instead of outlines."""
    table = pd.DataFrame(frame.drop(columns="geometry"))
    if "plan_refs" in table:
        table["plan_refs"] = table["plan_refs"].map(_quotes_text)
    point = frame.geometry.representative_point()
    table["point_lon"], table["point_lat"] = point.x.round(6), point.y.round(6)
    return pd.DataFrame(_flat(gpd.GeoDataFrame(table.assign(geometry=None))).drop(columns="geometry"))


def _csv(frame: gpd.GeoDataFrame, name: str, gcj02: bool) -> bytes:
    table = _table(frame)
    table["wkt"] = shapely.to_wkt(frame.geometry.values, rounding_precision=6)
    # UTF-8 with a byte-order mark: Excel then shows Chinese intact.
    return table.to_csv(index=False).encode("utf-8-sig")


def _xlsx(frame: gpd.GeoDataFrame, name: str, gcj02: bool) -> bytes:
    buffer = io.BytesIO()
    about = pd.DataFrame(
        {
            "项目 Item": ["图层 Layer", "坐标 Coordinates", "来源 Source"],
            "内容 Value": [
                name,
                GCJ02_NOTE if gcj02 else WGS84_NOTE,
                "湖北省装备制造业“十四五”发展规划 (2021); 加快全省智能制造装备产业发展行动方案 (2014); "
                "boundaries: Tianditu standard map",
            ],
        }
    )
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        _table(frame).to_excel(writer, sheet_name="data", index=False)
        about.to_excel(writer, sheet_name="about", index=False)
    return buffer.getvalue()


def _with_gdal(frame: gpd.GeoDataFrame, filename: str, gcj02: bool, **options: Any) -> Path:
    # A GCJ-02 file must not claim EPSG:4326: it is written with no coordinate system at all.
    flat = _flat(frame).set_crs(None, allow_override=True) if gcj02 else _flat(frame)
    directory = Path(tempfile.mkdtemp(prefix="atlas-download-"))
    path = directory / filename
    with warnings.catch_warnings():
        # Expected: no CRS for GCJ-02, DBF truncation (the zip carries the full table), layer names.
        warnings.filterwarnings("ignore", message="'crs' was not provided", category=UserWarning)
        warnings.filterwarnings("ignore", message=".*(truncated|laundered|adjusted).*", category=RuntimeWarning)
        flat.to_file(path, engine="pyogrio", **options)
    return path


def _gpkg(frame: gpd.GeoDataFrame, name: str, gcj02: bool) -> bytes:
    path = _with_gdal(frame, f"{name}.gpkg", gcj02, driver="GPKG", layer=name.replace("-", "_"))
    return _read_and_remove(path.parent)[path.name]


def _kml(frame: gpd.GeoDataFrame, name: str, gcj02: bool) -> bytes:
    path = _with_gdal(
        frame,
        f"{name}.kml",
        gcj02,
        driver="KML",
        layer=name.replace("-", "_"),
        dataset_options={"NameField": "name_zh"},
    )
    return _read_and_remove(path.parent)[path.name]


def _zip(frame: gpd.GeoDataFrame, name: str, gcj02: bool) -> bytes:
    renamed = frame.rename(columns=_SHAPEFILE_NAMES)
    path = _with_gdal(renamed, f"{name}.shp", gcj02, driver="ESRI Shapefile", ENCODING="UTF-8")
    files = _read_and_remove(path.parent)
    # DBF text fields hold 254 bytes: every attribute travels in full beside the Shapefile.
    files[f"{name}-attributes.csv"] = _table(frame).to_csv(index=False).encode("utf-8-sig")
    if gcj02:
        files["README.txt"] = (GCJ02_NOTE + "\n").encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for filename in sorted(files):
            archive.writestr(filename, files[filename])
    return buffer.getvalue()


def _read_and_remove(directory: Path) -> dict[str, bytes]:
    files = {path.name: path.read_bytes() for path in directory.iterdir()}
    for path in directory.iterdir():
        path.unlink()
    directory.rmdir()
    return files


_WRITERS = {
    FileFormat.gpkg: _gpkg,
    FileFormat.zip: _zip,
    FileFormat.csv: _csv,
    FileFormat.xlsx: _xlsx,
    FileFormat.kml: _kml,
}
