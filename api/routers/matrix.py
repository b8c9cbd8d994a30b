"""``/api/matrix``: compare places — prefectures × top-level sectors, and a ranking for one sector, as JSON,
CSV and XLSX. The counting is ``app.matrix``'s."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from api.dependencies import StoreDep
from api.routers.common import only_declared_parameters
from app import matrix as core
from app.query import Filters, parse_filters

router = APIRouter(prefix="/api", tags=["人员 People"], dependencies=[Depends(only_declared_parameters)])

_SECTOR = {
    "id": "specialty",
    "name_zh": "特色装备",
    "name_en": "Specialty equipment",
    "colour": "#393b79",
    "plan": 2021,
}
_XIANNING_ROW = {
    "adcode": 421200,
    "name_zh": "咸宁市",
    "short_name_zh": "咸宁",
    "name_en": "Xianning",
    "counts": {"specialty": 2},
    "total": 2,
}


class MatrixSector(BaseModel):
    """A column: a top-level sector."""

    id: str
    name_zh: str
    name_en: str
    colour: str
    plan: int = Field(description="The year of the plan whose taxonomy the sector belongs to.")
    entities: int = Field(description="Entities carrying the sector (or a sub-sector), each once, wherever they lie.")


class MatrixRow(BaseModel):
    """A row: a prefecture-level unit (or, as ``province_wide``, Hubei as a whole)."""

    adcode: int | None = None
    name_zh: str | None = None
    short_name_zh: str | None = None
    name_en: str | None = None
    counts: dict[str, int] = Field(
        description="Sector id → entities there carrying it (or a sub-sector): `/api/clusters?place=&sector=`."
    )
    total: int = Field(description="Entities there, each once (`/api/clusters?place=`); not the sum of the cells.")


class RankedPlace(BaseModel):
    """A prefecture in the ranking."""

    rank: int = Field(description="1 for the most; ties share a rank (1, 2, 2, 4).")
    adcode: int
    name_zh: str
    name_en: str
    count: int


class RankedSector(BaseModel):
    """The sector a ranking is for."""

    id: str
    name_zh: str
    name_en: str
    parent_id: str | None


class Ranking(BaseModel):
    """The prefectures with entities of one sector, most first."""

    sector: RankedSector
    places: list[RankedPlace]
    province_wide: int = Field(description="Entities of the sector that lie in no prefecture (全省).")


class Matrix(BaseModel):
    """Prefectures × top-level sectors: how many entities the plans put in each (see the description)."""

    filters: dict[str, Any]
    sectors: list[MatrixSector]
    rows: list[MatrixRow]
    province_wide: MatrixRow = Field(description="全省: entities placed in no prefecture (province-wide).")
    prefecture_sum: dict[str, int] = Field(
        description="Per sector, the sum of the prefecture rows (entities counted once per prefecture); "
        "`total`: the sum of the rows' totals."
    )
    entities: int = Field(description="Entities the filters select, each once (`/api/clusters` total).")
    placements: int = Field(
        description="The rows' totals plus the province-wide row's: each entity once per prefecture it lies "
        "in, or once if it lies in none."
    )
    ranking: Ranking | None = Field(description="With `sector`: the prefectures ranked for it.")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "filters": {"kind": ["cluster"], "plan": 2021, "status": None, "sector": "specialty-cranes"},
                    "sectors": [_SECTOR | {"entities": 9}],
                    "rows": [_XIANNING_ROW],
                    "province_wide": {"counts": {"specialty": 0}, "total": 1},
                    "prefecture_sum": {"specialty": 9, "total": 12},
                    "entities": 12,
                    "placements": 13,
                    "ranking": {
                        "sector": {
                            "id": "specialty-cranes",
                            "name_zh": "起重机械",
                            "name_en": "Cranes",
                            "parent_id": "specialty",
                        },
                        "places": [
                            {"rank": 1, "adcode": 421200, "name_zh": "咸宁市", "name_en": "Xianning", "count": 1}
                        ],
                        "province_wide": 0,
                    },
                }
            ]
        }
    )


def matrix_filters(
    store: StoreDep,
    kind: Annotated[
        str | None,
        Query(description="cluster, corridor, city_group, specialisation, base, platform; several comma-separated."),
    ] = None,
    plan: Annotated[
        str | None, Query(description="Plan year: 2021 or 2014; the columns become that plan's sectors.", max_length=4)
    ] = None,
    status: Annotated[str | None, Query(description="existing or planned.")] = None,
    sector: Annotated[
        str | None,
        Query(
            description="A sector id (any level): adds the ranking of places for it; the matrix stays whole.",
            max_length=80,
        ),
    ] = None,
) -> Filters:
    """The matrix's filters, checked against the store's vocabulary."""
    return parse_filters(store.info(), kind=kind, plan=plan, status=status, sector=sector)


MatrixFilters = Annotated[Filters, Depends(matrix_filters)]
LangParam = Annotated[Literal["zh", "en"], Query(description="Headers and names: zh (default) or en.")]

_DESCRIPTION = """Every prefecture-level unit of Hubei (rows) × every top-level sector (columns) with the
number of entities the plans put there, following `kind`, `plan` and `status` as `/api/clusters` does.
An entity counts once in each prefecture it lies in (a corridor through five prefectures in five rows); a
county-level member counts for its prefecture; province-wide entities count in no prefecture but in
`province_wide` (全省). A cell counts the entities carrying the sector or one of its sub-sectors — exactly
`/api/clusters?place=ADCODE&sector=ID` with the same filters — so an entity under several top-level sectors
counts in each of their columns, and a row's `total` counts each entity once. With `plan`, the columns are
that plan's sectors. The same as a file: `/api/matrix.csv`, `/api/matrix.xlsx`."""


@router.get("/matrix", response_model=Matrix, summary="Compare places: prefectures × sectors", description=_DESCRIPTION)
def matrix(store: StoreDep, filters: MatrixFilters) -> dict[str, Any]:
    return core.matrix(store, filters)


def _file(store: StoreDep, filters: Filters, suffix: str, lang: str) -> Response:
    answer = core.matrix(store, filters)
    rendered = core.as_csv(answer, lang) if suffix == "csv" else core.as_xlsx(answer, lang)
    disposition = f'attachment; filename="{rendered.filename}"'
    return Response(rendered.content, media_type=rendered.media_type, headers={"Content-Disposition": disposition})


@router.get(
    "/matrix.csv",
    summary="Compare places as CSV",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "UTF-8 with a byte-order mark (Excel-ready)."}},
)
def matrix_csv(store: StoreDep, filters: MatrixFilters, lang: LangParam = "zh") -> Response:
    """The matrix of `/api/matrix` as a table: a row per prefecture, then 全省 (province-wide), the
    prefectures' sum and the entities per sector (each once)."""
    return _file(store, filters, "csv", lang)


@router.get(
    "/matrix.xlsx",
    summary="Compare places as Excel",
    response_class=Response,
    responses={200: {"content": {core.MEDIA_TYPES["xlsx"]: {}}, "description": "An Excel workbook."}},
)
def matrix_xlsx(store: StoreDep, filters: MatrixFilters, lang: LangParam = "zh") -> Response:
    """The matrix of `/api/matrix` as an Excel workbook: the matrix with a frozen header row, the ranking
    (with `sector`) and an about sheet with the counting rules, filters, sources and date."""
    return _file(store, filters, "xlsx", lang)
