"""Compare places: how many entities the plans put in each prefecture, per top-level sector, and a ranking
of the prefectures for one sector — the ``/api/matrix`` answer and its CSV and XLSX files. No HTTP.

How an entity counts for a place (the rules the page's matrix view, ``web/static/js/matrix.js``, follows):

- An entity counts for every prefecture-level unit it lies in (``entity_places``: its members and their
  ancestors): once in each, so a corridor through five prefectures counts in five rows. A county-level
  member counts for its prefecture (广水 for 随州); the four province-administered units (仙桃, 潜江, 天门,
  神农架) are prefecture-level rows of their own.
- An entity lies in no prefecture when the plan places it in Hubei as a whole (``province_wide``): it
  counts in the ``province_wide`` row (全省), never in a prefecture's.
- A cell counts the entities that carry the column's top-level sector, themselves or through a
  sub-sector: what ``/api/clusters?place=P&sector=S`` with the same filters lists, and what the page's
  place profile shows with that sector chosen. An entity with sectors under several top-level sectors
  counts in each of their columns, so a row's cells may add up to more than its ``total``, which counts
  each entity once (what ``/api/clusters?place=P`` lists). Entities without a sector count in ``total`` only.
- Columns are the top-level sectors of the chosen plan (both plans' without ``plan``): the 2014 plan's
  entities also carry 2021 sectors, but each plan's matrix speaks its own taxonomy.

So, for the same filters: each column's ``prefecture_sum`` is the number of (entity, prefecture) pairs
of the entities carrying that sector, and the ``placements`` — the rows' totals plus the province-wide
row's — count every entity once per prefecture it lies in, or once if it lies in none.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy import select

from app.admin_units import PROVINCE_ADCODE
from app.query import Filters
from app.store import schema
from app.store.conditions import entity_conditions
from app.store.published import StoreReader, rows_as_dicts

MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

# The words of the files' headers and fixed rows, 中文 first (the default) and English.
_WORDS: dict[str, tuple[str, str]] = {
    "place": ("地区", "Place"),
    "adcode": ("行政区划代码", "Adcode"),
    "total": ("条目数（不重复）", "Entities (each once)"),
    "province_wide": ("全省（未落到市州）", "Province-wide (in no prefecture)"),
    "prefecture_sum": ("各市州合计", "Sum of the prefectures"),
    "sector_entities": ("涉及条目数（不重复）", "Entities (each once)"),
    "rank": ("名次", "Rank"),
    "count": ("条目数", "Entities"),
    "matrix_sheet": ("地区×行业", "Places x sectors"),
    "ranking_sheet": ("排名", "Ranking"),
    "about_sheet": ("说明", "About"),
    "item": ("项目", "Item"),
    "value": ("内容", "Value"),
}

_ABOUT: list[tuple[tuple[str, str], tuple[str, str]]] = [
    (
        ("计数规则", "How entities count"),
        (
            "条目落在几个市州就在每个市州各计一次；县级成员计入所属市州；全省性条目（规划未指明地点）"
            "不计入任何市州，单列为“全省”行。单元格计带有该行业（含其细分行业）的条目；一个条目带有几个"
            "行业大类，就在每一列各计一次，所以一行的各单元格之和可以大于该行的不重复条目数。",
            "An entity counts once in each prefecture it lies in; a county-level member counts for its "
            "prefecture; province-wide entities (no place named by the plan) count in no prefecture but in "
            "the province-wide row. A cell counts the entities carrying the column's sector or one of its "
            "sub-sectors; an entity under several top-level sectors counts in each of their columns, so a "
            "row's cells may add up to more than its entity count.",
        ),
    ),
    (
        ("资料来源", "Sources"),
        (
            "湖北省装备制造业“十四五”发展规划（2021）；加快全省智能制造装备产业发展行动方案（2014）；"
            "边界：天地图标准地图",
            "Hubei Equipment Manufacturing 14th Five-Year Plan (2021); Intelligent "
            "Manufacturing Equipment Action Plan (2014); boundaries: Tianditu standard map",
        ),
    ),
]


@dataclass(frozen=True)
class MatrixFile:
    """A rendered matrix file."""

    content: bytes
    media_type: str
    filename: str


def matrix(store: StoreReader, filters: Filters) -> dict[str, Any]:
    """The prefecture × top-level sector matrix of the entities ``filters`` select (``kind``, ``plan`` and
    ``status``; ``sector`` asks for a ``ranking`` of the prefectures for that sector, and narrows nothing;
    ``place`` and ``q`` are not matrix filters and are ignored). See the module's rules."""
    base = replace(filters, sector=None, place=None, q=None)
    units, sectors = schema.admin_units, schema.sectors
    with store.engine().connect() as connection:
        selected = select(schema.entities.c.id).where(*entity_conditions(base))
        entity_ids = set(connection.execute(selected).scalars())
        prefectures = rows_as_dicts(
            connection.execute(
                select(units.c.adcode, units.c.name_zh, units.c.short_name_zh, units.c.name_en)
                .where(units.c.level == "prefecture", units.c.parent_adcode == PROVINCE_ADCODE)
                .order_by(units.c.position)
            )
        )
        columns = select(
            sectors.c.id, sectors.c.name_zh, sectors.c.name_en, sectors.c.colour, schema.plans.c.year.label("plan")
        ).join(schema.plans, schema.plans.c.id == sectors.c.plan_id)
        columns = columns.where(sectors.c.parent_id.is_(None))
        if base.plan is not None:
            columns = columns.where(schema.plans.c.year == base.plan)
        top_sectors = rows_as_dicts(connection.execute(columns.order_by(sectors.c.position)))
        placed = connection.execute(select(schema.entity_places.c.entity_id, schema.entity_places.c.adcode))
        places_of: dict[str, set[int]] = defaultdict(set)
        for entity_id, adcode in placed:
            places_of[entity_id].add(adcode)
        # Each entity's sectors with their ancestors: "carries S" includes S's sub-sectors.
        carried = connection.execute(
            select(schema.entity_sectors.c.entity_id, schema.sector_ancestors.c.ancestor_id).join(
                schema.sector_ancestors,
                schema.sector_ancestors.c.sector_id == schema.entity_sectors.c.sector_id,
            )
        )
        sectors_of: dict[str, set[str]] = defaultdict(set)
        for entity_id, ancestor in carried:
            sectors_of[entity_id].add(ancestor)
        ranked = _sector_name(connection, filters.sector) if filters.sector else None

    prefecture_codes = {row["adcode"] for row in prefectures}
    column_ids = [sector["id"] for sector in top_sectors]
    rows = {row["adcode"]: _row(row, column_ids) for row in prefectures}
    province_wide = _row(
        {
            "adcode": PROVINCE_ADCODE,
            "name_zh": _WORDS["province_wide"][0],
            "short_name_zh": "全省",
            "name_en": _WORDS["province_wide"][1],
        },
        column_ids,
    )
    sector_entities = dict.fromkeys(column_ids, 0)
    for entity_id in entity_ids:
        there = places_of[entity_id] & prefecture_codes
        carries = sectors_of[entity_id]
        targets = [rows[adcode] for adcode in there] or [province_wide]
        for target in targets:
            target["total"] += 1
            for sector_id in column_ids:
                if sector_id in carries:
                    target["counts"][sector_id] += 1
        for sector_id in column_ids:
            sector_entities[sector_id] += sector_id in carries
    prefecture_sum = {sector_id: sum(row["counts"][sector_id] for row in rows.values()) for sector_id in column_ids}
    answer: dict[str, Any] = {
        "filters": _filter_values(filters),
        "sectors": [sector | {"entities": sector_entities[sector["id"]]} for sector in top_sectors],
        "rows": list(rows.values()),
        "province_wide": province_wide,
        "prefecture_sum": prefecture_sum | {"total": sum(row["total"] for row in rows.values())},
        "entities": len(entity_ids),
        "placements": sum(row["total"] for row in rows.values()) + province_wide["total"],
        "ranking": None,
    }
    if ranked is not None:
        wanted = ranked["id"]
        answer["ranking"] = _ranking(
            ranked,
            [
                (row, sum(wanted in sectors_of[e] for e in entity_ids if adcode in places_of[e]))
                for adcode, row in rows.items()
            ],
            sum(1 for e in entity_ids if wanted in sectors_of[e] and not places_of[e] & prefecture_codes),
        )
    return answer


def _row(place: dict[str, Any], column_ids: list[str]) -> dict[str, Any]:
    return {**place, "counts": dict.fromkeys(column_ids, 0), "total": 0}


def _sector_name(connection: Any, sector_id: str) -> dict[str, Any] | None:
    sectors = schema.sectors
    query = select(sectors.c.id, sectors.c.name_zh, sectors.c.name_en, sectors.c.parent_id).where(
        sectors.c.id == sector_id
    )
    found = rows_as_dicts(connection.execute(query))
    return found[0] if found else None


def _ranking(sector: dict[str, Any], counted: list[tuple[dict[str, Any], int]], province_wide: int) -> dict[str, Any]:
    """Prefectures with at least one entity of ``sector``, most first (ties share a rank and keep the
    prefectures' order: 1, 2, 2, 4)."""
    ordered = sorted((pair for pair in counted if pair[1] > 0), key=lambda pair: -pair[1])
    places, previous, rank = [], None, 0
    for position, (row, count) in enumerate(ordered, start=1):
        if count != previous:
            rank, previous = position, count
        places.append(
            {
                "rank": rank,
                "adcode": row["adcode"],
                "name_zh": row["name_zh"],
                "name_en": row["name_en"],
                "count": count,
            }
        )
    return {"sector": sector, "places": places, "province_wide": province_wide}


def _filter_values(filters: Filters) -> dict[str, Any]:
    return {
        "kind": [kind.value for kind in filters.kind] if filters.kind else None,
        "plan": filters.plan,
        "status": filters.status.value if filters.status else None,
        "sector": filters.sector,
    }


# --- files -------------------------------------------------------------------------------------------


def filename(answer: dict[str, Any], suffix: str) -> str:
    """A name that says what is inside: ``hubei-matrix-2021-cluster-existing-aerospace.xlsx``."""
    chosen = answer["filters"]
    parts = [
        str(chosen["plan"]) if chosen["plan"] else None,
        "-".join(chosen["kind"]) if chosen["kind"] else None,
        chosen["status"],
        chosen["sector"],
    ]
    return "-".join(["hubei-matrix", *(part for part in parts if part)]) + f".{suffix}"


def table(answer: dict[str, Any], lang: str = "zh") -> list[list[Any]]:
    """The matrix as rows of cells, header first: place, adcode, a column per sector, the entity count;
    then the province-wide row and the prefectures' sum."""
    word = _words(lang)
    name = "name_en" if lang == "en" else "name_zh"
    header = [word("place"), word("adcode"), *(sector[name] for sector in answer["sectors"]), word("total")]
    ids = [sector["id"] for sector in answer["sectors"]]
    body = [[row[name], row["adcode"], *(row["counts"][s] for s in ids), row["total"]] for row in answer["rows"]]
    wide = answer["province_wide"]
    total = answer["prefecture_sum"]
    return [
        header,
        *body,
        [word("province_wide"), PROVINCE_ADCODE, *(wide["counts"][s] for s in ids), wide["total"]],
        [word("prefecture_sum"), None, *(total[s] for s in ids), total["total"]],
        [word("sector_entities"), None, *(sector["entities"] for sector in answer["sectors"]), answer["entities"]],
    ]


def as_csv(answer: dict[str, Any], lang: str = "zh") -> MatrixFile:
    """The matrix as CSV (UTF-8 with a byte-order mark, so that Excel shows Chinese intact)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(
        [["" if cell is None else cell for cell in row] for row in table(answer, lang)]
    )
    return MatrixFile(buffer.getvalue().encode("utf-8-sig"), MEDIA_TYPES["csv"], filename(answer, "csv"))


def as_xlsx(answer: dict[str, Any], lang: str = "zh", today: date | None = None) -> MatrixFile:
    """The matrix as an Excel workbook: the matrix (frozen header row and place column, autofilter,
    widths to suit), the ranking when a sector was chosen, and an about sheet (rules, filters, sources,
    date)."""
    word = _words(lang)
    book = Workbook()
    sheet = book.active
    sheet.title = word("matrix_sheet")
    rows = table(answer, lang)
    _fill(sheet, rows)
    sheet.freeze_panes = "C2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(rows[0]))}{len(answer['rows']) + 1}"
    for footer in range(len(rows) - 2, len(rows) + 1):  # the province-wide row and the sums
        for cell in sheet[footer]:
            cell.font = Font(italic=True)
    if answer["ranking"] is not None:
        ranking = book.create_sheet(word("ranking_sheet"))
        name = "name_en" if lang == "en" else "name_zh"
        places = answer["ranking"]["places"]
        _fill(
            ranking,
            [
                [word("rank"), word("place"), word("adcode"), f"{word('count')} · {answer['ranking']['sector'][name]}"],
                *([place["rank"], place[name], place["adcode"], place["count"]] for place in places),
                [None, word("province_wide"), PROVINCE_ADCODE, answer["ranking"]["province_wide"]],
            ],
        )
        ranking.freeze_panes = "A2"
    about = book.create_sheet(word("about_sheet"))
    index = 1 if lang == "en" else 0
    chosen = answer["filters"]
    filters = "; ".join(
        f"{key}={','.join(value) if isinstance(value, list) else value}" for key, value in chosen.items() if value
    ) or ("无" if index == 0 else "none")
    _fill(
        about,
        [
            [word("item"), word("value")],
            *([label[index], text[index]] for label, text in _ABOUT),
            [("筛选", "Filters")[index], filters],
            [("日期", "Date")[index], (today or date.today()).isoformat()],
        ],
    )
    about.freeze_panes = "A2"
    about.column_dimensions["B"].width = 100
    for cell in about["B"]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    book.save(buffer)
    return MatrixFile(buffer.getvalue(), MEDIA_TYPES["xlsx"], filename(answer, "xlsx"))


def _fill(sheet: Any, rows: list[list[Any]]) -> None:
    """Rows into ``sheet``: a bold, shaded header; columns as wide as their longest text (a CJK
    character counts twice: it is twice as wide)."""
    for row in rows:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", start_color="E8EEF4")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, column in enumerate(zip(*rows, strict=False), start=1):
        width = max((_display_width(cell) for cell in column), default=6)
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 6), 40)


def _display_width(value: Any) -> int:
    text = "" if value is None else str(value)
    return sum(2 if ord(character) > 0x2E80 else 1 for character in text)


def _words(lang: str) -> Any:
    index = 1 if lang == "en" else 0
    return lambda key: _WORDS[key][index]
