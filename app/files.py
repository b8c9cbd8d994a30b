"""Layers as files: GeoJSON, GeoPackage, zipped Shapefile, CSV, XLSX and KML."""

from __future__ import annotations

import io
import json
import re
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
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from app.datum import wgs84_to_gcj02
from app.errors import InvalidParameter
from app.layers import EntityRows, LayerSpec
from app.query import NO_FILTERS, BBox, Filters
from app.store import features
from app.store.features import COORDINATE_DECIMALS, FeatureRecords
from app.store.names import names as store_names
from app.store.published import StoreReader
from app.tables import (
    EXCEL_MAX_COLUMNS,
    Column,
    GeometryColumns,
    Lang,
    Names,
    about_rows,
    describe_filters,
    table,
    yes_no,
)


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


TABULAR = frozenset({FileFormat.csv, FileFormat.xlsx})
# Extensions people ask for that the atlas serves under another: a 404 for LAYER.shp names LAYER.zip.
FORMAT_ALIASES: dict[str, FileFormat] = {
    **dict.fromkeys(("shp", "shx", "dbf", "prj", "cpg"), FileFormat.zip),
    "json": FileFormat.geojson,
    "xls": FileFormat.xlsx,
    "kmz": FileFormat.kml,
    "sqlite": FileFormat.gpkg,
}
# Every GeoPackage reader in use knows version 1.2 (GDAL 3.6, as Debian 12 and QGIS 3.22–3.28 ship it,
# warns that a 1.4 file "may only be partially supported"); the atlas needs nothing of 1.3 or 1.4.
GEOPACKAGE_VERSION = "1.2"
# KML: an outline in the top sector's colour and a see-through fill of it (OGR style string, AABBGGRR in KML).
KML_FILL_ALPHA = "66"
BOUNDARY_KML_STYLE = "PEN(c:#666666ff,w:1px)"
_GDAL_GEOMETRY = {"MULTIPOLYGON": "MultiPolygon", "LINESTRING": "LineString", "POINT": "Point"}


@dataclass(frozen=True)
class Download:
    """A rendered file."""

    content: bytes
    media_type: str
    filename: str


@dataclass(frozen=True)
class FileOptions:
    """How a file speaks to people: the language of its headers and words (CSV, XLSX, KML names), and
    what a table carries of the geometry."""

    lang: Lang = Lang.zh
    geometry: GeometryColumns = GeometryColumns.point


DEFAULT_OPTIONS = FileOptions()


def parse_file_options(file_format: FileFormat, lang: str | None = None, geometry: str | None = None) -> FileOptions:
    """``lang`` (zh, en) and ``geometry`` (point, wkt; tables only) as options, or :class:`InvalidParameter`."""
    try:
        language = Lang(lang or Lang.zh)
    except ValueError:
        raise InvalidParameter("lang", f"{lang!r} is not one of {', '.join(Lang)}") from None
    try:
        columns = GeometryColumns(geometry or GeometryColumns.point)
    except ValueError:
        raise InvalidParameter("geometry", f"{geometry!r} is not one of {', '.join(GeometryColumns)}") from None
    if geometry and file_format not in TABULAR:
        raise InvalidParameter(
            "geometry",
            f"只用于 csv 和 xlsx；{file_format.value} 总是带完整几何 · applies to csv and xlsx only; "
            f"{file_format.value} always carries whole geometries",
        )
    return FileOptions(language, columns)


def suggestion(layer: str, extension: str) -> str | None:
    """The file the atlas serves for ``layer.extension`` under another extension (``clusters.shp`` →
    ``clusters.zip``), or None."""
    real = FORMAT_ALIASES.get(extension.lower())
    return f"{layer}.{real.value}" if real else None


@dataclass(frozen=True)
class FileContext:
    """What a file says about itself beside its rows: the layer, the names behind its codes, the filters it
    was made with, the data version, and the options."""

    layer: LayerSpec
    names: Names
    filters_text: str
    data_version: str
    options: FileOptions = DEFAULT_OPTIONS
    gcj02: bool = False
    geometry_type: str | None = None


def features_frame(records: FeatureRecords, columns: Sequence[str] = ()) -> gpd.GeoDataFrame:
    """Features as the store serves them for files, as a GeoDataFrame in EPSG:4326 indexed by feature id,
    with coordinates rounded as in the store's GeoJSON; ``columns`` name the properties when there are no
    features (an empty file keeps its fields)."""
    properties = [json.loads(text) for text in records.properties]
    names = list(properties[0]) if properties else list(columns)
    geometries = shapely.from_wkb(np.array(records.geometries, dtype=object))
    geometries = shapely.transform(geometries, lambda coordinates: coordinates.round(COORDINATE_DECIMALS))
    frame = gpd.GeoDataFrame(pd.DataFrame.from_records(properties, columns=names), geometry=geometries, crs="EPSG:4326")
    frame.index = pd.Index(records.ids, dtype=object)  # GeoJSON keeps them
    return frame


def layer_file(
    store: StoreReader,
    layer: str,
    file_format: FileFormat,
    filters: Filters = NO_FILTERS,
    boxes: Sequence[BBox] | None = None,
    gcj02: bool = False,
    options: FileOptions = DEFAULT_OPTIONS,
) -> Download:
    """The features of ``layer`` that match, read from ``store``, as a file: what ``/downloads`` serves and
    ``atlas export`` writes, by the one path from store to file."""
    target = features.collection(layer)
    records = features.records(store, target, filters, boxes)
    frame = features_frame(records, () if records.ids else features.property_names(store, target))
    names = store_names(store)
    geometry_type = getattr(target.table.c[target.geometry].type, "geometry_type", None)
    context = FileContext(
        target.layer,
        names,
        describe_filters(filters, boxes, names, options.lang),
        store.info().data_version,
        options,
        gcj02,
        _GDAL_GEOMETRY.get(str(geometry_type).upper()),
    )
    return render(frame, context, file_format)


def render(frame: gpd.GeoDataFrame, context: FileContext, file_format: FileFormat) -> Download:
    """``frame`` (indexed by feature id) as a file of ``file_format``; with ``context.gcj02`` the coordinates
    are shifted and the file says so (a ``coordinate_system`` column, and a note where the format has room
    for one)."""
    frame = frame.copy()
    ids = frame.index
    frame = frame.reset_index(drop=True)
    if context.gcj02:
        frame["geometry"] = wgs84_to_gcj02(frame.geometry.to_numpy())
        frame["coordinate_system"] = "GCJ-02"
    name = f"hubei-{context.layer.id}{'-gcj02' if context.gcj02 else ''}"
    if file_format is FileFormat.geojson:
        content = _geojson(frame.set_axis(ids), name, context.gcj02)
    else:
        content = _WRITERS[file_format](frame, ids, name, context)
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


def _people_table(
    frame: gpd.GeoDataFrame, ids: pd.Index, context: FileContext, geometry: GeometryColumns | None = None
) -> tuple[pd.DataFrame, list[Column]]:
    return table(
        frame.set_axis(ids),
        context.names,
        context.options.lang,
        geometry or context.options.geometry,
        isinstance(context.layer.rows, EntityRows),
        context.gcj02,
    )


def _csv_bytes(rows: pd.DataFrame) -> bytes:
    # UTF-8 with a byte-order mark: Excel then shows Chinese intact. Headers are the field names.
    return rows.to_csv(index=False).encode("utf-8-sig")


def _csv(frame: gpd.GeoDataFrame, ids: pd.Index, name: str, context: FileContext) -> bytes:
    return _csv_bytes(_people_table(frame, ids, context)[0])


# Columns of long text: wide, and wrapped.
_WRAPPED = {"plan_refs": 80, "note": 60, "plan_titles": 50}


def _xlsx(frame: gpd.GeoDataFrame, ids: pd.Index, name: str, context: FileContext) -> bytes:
    """A workbook for people: a data sheet with headers in the chosen language (frozen, with autofilter and
    widths to fit), and an about sheet with the sources, the filters and the date."""
    rows, every = _people_table(frame, ids, context)
    used = [column for column in every if column.in_xlsx]  # codes with words beside them stay in the CSV
    rows = rows[[column.key for column in used]]
    lang = context.options.lang
    if len(used) > EXCEL_MAX_COLUMNS:  # cannot happen with the registry's layers; said rather than broken
        raise InvalidParameter("format", f"{len(used)} columns exceed Excel's {EXCEL_MAX_COLUMNS}")
    book = Workbook()
    data = book.active
    data.title = "数据 Data"
    _write_row(data, 1, [column.header(lang) for column in used], bold=True)
    for number, record in enumerate(rows.itertuples(index=False), start=2):
        values = [
            yes_no(value, lang) if column.key == "province_wide" else value
            for column, value in zip(used, record, strict=True)
        ]
        _write_row(data, number, values, wrap={index for index, c in enumerate(used) if c.key in _WRAPPED})
    data.freeze_panes = "A2"
    data.auto_filter.ref = f"A1:{get_column_letter(len(used))}{len(rows) + 1}"
    for index, column in enumerate(used, start=1):
        width = _WRAPPED.get(column.key) or _fitting_width([column.header(lang), *rows[column.key].head(1000)])
        data.column_dimensions[get_column_letter(index)].width = width
    about = book.create_sheet("关于 About")
    lines = about_rows(
        title=context.layer.title_en if lang is Lang.en else context.layer.title_zh,
        layer=context.layer.id,
        rows=len(rows),
        filters_text=context.filters_text,
        coordinates=GCJ02_NOTE if context.gcj02 else WGS84_NOTE,
        geometry=context.options.geometry,
        names=context.names,
        data_version=context.data_version,
        used=used,
        lang=lang,
    )
    _write_row(about, 1, ["项目 Item", "内容 Value"], bold=True)
    for number, line in enumerate(lines, start=2):
        _write_row(about, number, list(line), bold=line[0] == "列 Column", wrap={1})
    about.column_dimensions["A"].width = 24
    about.column_dimensions["B"].width = 100
    about.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _write_row(
    sheet: Any, number: int, values: Sequence[Any], bold: bool = False, wrap: frozenset[int] | set[int] = frozenset()
) -> None:
    for index, value in enumerate(values):
        cell = sheet.cell(row=number, column=index + 1, value=_xlsx_value(value))
        if isinstance(cell.value, str):
            cell.data_type = "s"  # text, never a formula, whatever it begins with
        if bold:
            cell.font = Font(bold=True)
        if index in wrap:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters make a workbook unreadable
    return value


def _fitting_width(values: Sequence[Any]) -> float:
    """A column width that shows the longest first line of ``values`` (Chinese characters count twice),
    within 8 and 50 characters."""
    longest = 0
    for value in values:
        if value is None or (isinstance(value, float) and np.isnan(value)):
            continue
        line = str(value).split("\n", 1)[0]
        longest = max(longest, sum(2 if ord(char) > 0x2E80 else 1 for char in line))
    return float(min(max(longest + 2, 8), 50))


def _with_gdal(frame: gpd.GeoDataFrame, filename: str, context: FileContext, **options: Any) -> Path:
    # A GCJ-02 file must not claim EPSG:4326: it is written with no coordinate system at all.
    flat = _flat(frame).set_crs(None, allow_override=True) if context.gcj02 else _flat(frame)
    directory = Path(tempfile.mkdtemp(prefix="atlas-download-"))
    path = directory / filename
    if context.geometry_type:  # an empty file keeps its layer's geometry type
        options.setdefault("geometry_type", context.geometry_type)
    with warnings.catch_warnings():
        # Expected: no CRS for GCJ-02, DBF truncation (the zip carries the full table), layer names.
        warnings.filterwarnings("ignore", message="'crs' was not provided", category=UserWarning)
        warnings.filterwarnings("ignore", message=".*(truncated|laundered|adjusted).*", category=RuntimeWarning)
        flat.to_file(path, engine="pyogrio", **options)
    return path


def _gpkg(frame: gpd.GeoDataFrame, ids: pd.Index, name: str, context: FileContext) -> bytes:
    path = _with_gdal(
        frame,
        f"{name}.gpkg",
        context,
        driver="GPKG",
        layer=name.replace("-", "_"),
        dataset_options={"VERSION": GEOPACKAGE_VERSION},
    )
    return _read_and_remove(path.parent)[path.name]


def kml_style(colour: str | None) -> str | None:
    """The OGR style string of a placemark in ``colour`` (``#rrggbb``): outline, and a see-through fill."""
    if not isinstance(colour, str) or len(colour) != 7:
        return None
    return f"PEN(c:{colour}ff,w:2px);BRUSH(fc:{colour}{KML_FILL_ALPHA})"


def _kml(frame: gpd.GeoDataFrame, ids: pd.Index, name: str, context: FileContext) -> bytes:
    styled = frame.copy()
    # GDAL's KML writer turns a feature's style string (the OGR_STYLE field) into the placemark's <Style>:
    # entities in their top sector's colour, boundaries as thin grey outlines (GDAL's default is red).
    coloured = "colour" in styled
    styled["OGR_STYLE"] = styled["colour"].map(kml_style) if coloured else BOUNDARY_KML_STYLE
    path = _with_gdal(
        styled,
        f"{name}.kml",
        context,
        driver="KML",
        layer=name.replace("-", "_"),
        dataset_options={"NameField": "name_en" if context.options.lang is Lang.en else "name_zh"},
    )
    content = _read_and_remove(path.parent)[path.name]
    return _KML_STYLE_FIELD.sub(b"", _kml_filled(content) if coloured else content)


# GDAL's KML writer turns a style's PEN into <LineStyle> but leaves polygons unfilled whatever the BRUSH:
# an entity's fill is its outline's colour made see-through. The OGR_STYLE field itself is left out.
_KML_UNFILLED = re.compile(
    rb"(<Style><LineStyle><color>)[0-9A-Fa-f]{2}([0-9A-Fa-f]{6})(</color>.*?</LineStyle>)<PolyStyle><fill>0</fill></PolyStyle>"
)
_KML_STYLE_FIELD = re.compile(rb"[ \t]*<Simple(Field|Data) name=\"OGR_STYLE\"[^>]*>[^<]*</Simple(Field|Data)>\n?")


def _kml_filled(content: bytes) -> bytes:
    return _KML_UNFILLED.sub(
        lambda match: (
            match[1]
            + b"ff"
            + match[2]
            + match[3]
            + b"<PolyStyle><color>"
            + KML_FILL_ALPHA.encode()
            + match[2]
            + b"</color></PolyStyle>"
        ),
        content,
    )


def _zip(frame: gpd.GeoDataFrame, ids: pd.Index, name: str, context: FileContext) -> bytes:
    renamed = frame.rename(columns=_SHAPEFILE_NAMES)
    path = _with_gdal(renamed, f"{name}.shp", context, driver="ESRI Shapefile", ENCODING="UTF-8")
    files = _read_and_remove(path.parent)
    # DBF text fields hold 254 bytes: every attribute travels in full beside the Shapefile.
    files[f"{name}-attributes.csv"] = _csv_bytes(_people_table(frame, ids, context, GeometryColumns.point)[0])
    if context.gcj02:
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
