"""``/api/targets``: the plans' numeric targets and baselines as JSON, CSV and XLSX (``app.targets``); and
``/api/plans``: the plans as every quote cites them (``app.citation``)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field

from api.dependencies import StoreDep
from api.routers.common import AsciiInteger, only_declared_parameters
from app import targets as core
from app.store import plans as cited_plans
from app.store import targets as stored

router = APIRouter(prefix="/api", tags=["人员 People"], dependencies=[Depends(only_declared_parameters)])


class Target(BaseModel):
    """A number a plan sets as a goal (target) or reports as a starting point (baseline), with its quote."""

    id: str
    plan: str = Field(description="Plan id: fyp2021 or action2014.")
    plan_year: int
    kind: Literal["target", "baseline"]
    metric_zh: str
    metric_en: str
    value: float
    value_to: float | None = Field(description="The upper end of a range (3-5家: value 3, value_to 5).")
    qualifier: Literal["about", "over", "at_least"] | None
    unit: str = Field(description="亿元, 万亿元, %, 个百分点, 个, 家, 项 …")
    year: int | None = Field(description="The year the target is for, or the baseline is of.")
    scope: Literal["province", "sector", "entity", "place"]
    scope_id: str | None = Field(description="Sector id, entity id or adcode; null for the province.")
    scope_name_zh: str
    scope_name_en: str
    section: str
    quote: str = Field(description="The plan's own words; they hold the number as written.")
    note: str | None
    citation: str = Field(description="The plan: title, issuer, document number, date and period (中文 / English).")


class PlanPlace(BaseModel):
    """The province or city a plan is of (a plan picker groups plans by them, then by year)."""

    adcode: int
    name_zh: str
    name_en: str


class Plan(BaseModel):
    """A plan as a source: its metadata and the citation every quote of it carries."""

    id: str
    year: int
    title_zh: str
    title_en: str
    issuer_zh: str
    issuer_en: str
    number: str | None = Field(description="The document number; null where the text bears none of its own.")
    date: str
    period: str | None = Field(description="The years the plan runs, as it states them (2021—2025).")
    note: str | None
    citation: str = Field(description="Title, issuer, document number, date and period (中文 / English).")
    province: PlanPlace | None = Field(
        description="The province the plan is of, read from its issuer; null when the issuer names none."
    )
    city: PlanPlace | None = Field(description="The city (prefecture) of a city's plan; null for a province's.")
    entities: int = Field(description="How many entities quote the plan (what choosing it loads).")


class TargetList(BaseModel):
    """The targets matching the filters, in data/targets.yaml's order."""

    total: int
    items: list[Target]


PlanParam = Annotated[int | None, Query(ge=1900, le=2100, description="A plan's year: 2021 or 2014."), AsciiInteger]
# An id's shape, checked before the database sees it (PostgreSQL refuses a NUL in text with an error).
SectorParam = Annotated[
    str | None,
    Query(max_length=80, pattern="^[a-z0-9]+(-[a-z0-9]+)*$", description="A sector id; includes its sub-sectors."),
]
PlaceParam = Annotated[
    int | None,
    Query(
        ge=100000,
        le=999999,
        description="An adcode: its own targets, its counties', its entities'; 420000 adds the province's.",
    ),
    AsciiInteger,
]
YearParam = Annotated[
    int | None, Query(ge=1900, le=2100, description="The target's (or baseline's) year."), AsciiInteger
]
KindParam = Annotated[Literal["target", "baseline"] | None, Query()]
LangParam = Annotated[Literal["zh", "en"], Query(description="Headers of the file: zh or en.")]


@router.get("/plans", response_model=list[Plan], summary="The plans, as cited")
def plans(store: StoreDep) -> list[dict]:
    """Every plan, newest first, each with the one citation string the API, the page, the files and the
    print sheet use wherever a quote is; and its province, city and entity count, which a plan picker
    groups and chooses by (`plans=` on /api/clusters, /api/map, /ogc and /downloads)."""
    return cited_plans.plans(store)


def _filters(plan: int | None, sector: str | None, place: int | None, year: int | None, kind: str | None):
    return stored.TargetFilters(plan=plan, sector=sector, place=place, year=year, kind=kind)


@router.get("/targets", response_model=TargetList, summary="The plans' numeric targets and baselines")
def targets(
    store: StoreDep,
    plan: PlanParam = None,
    sector: SectorParam = None,
    place: PlaceParam = None,
    year: YearParam = None,
    kind: KindParam = None,
) -> dict:
    """Every number the plans set or report — 2.2万亿元 by 2025, 16280亿元 in 2019 — with unit, year, scope
    and the plan's words. The same as files: `/api/targets.csv`, `/api/targets.xlsx`."""
    items = stored.targets(store, _filters(plan, sector, place, year, kind))
    return {"total": len(items), "items": items}


def _file(store: StoreDep, filters: stored.TargetFilters, suffix: str, lang: str) -> Response:
    items = stored.targets(store, filters)
    if suffix == "csv":
        content = core.as_csv(items, lang)
    else:
        content = core.as_xlsx(items, lang, stored.plan_rows(store).values())
    disposition = f'attachment; filename="hubei-targets.{suffix}"'
    return Response(content, media_type=core.MEDIA_TYPES[suffix], headers={"Content-Disposition": disposition})


@router.get(
    "/targets.csv",
    summary="The targets as CSV",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "UTF-8 with a byte-order mark (Excel-ready)."}},
)
def targets_csv(
    store: StoreDep,
    plan: PlanParam = None,
    sector: SectorParam = None,
    place: PlaceParam = None,
    year: YearParam = None,
    kind: KindParam = None,
    lang: LangParam = "zh",
) -> Response:
    """`/api/targets` as a CSV file, one row per target with its citation."""
    return _file(store, _filters(plan, sector, place, year, kind), "csv", lang)


@router.get(
    "/targets.xlsx",
    summary="The targets as an Excel workbook",
    response_class=Response,
    responses={200: {"content": {core.MEDIA_TYPES["xlsx"]: {}}, "description": "An Excel workbook."}},
)
def targets_xlsx(
    store: StoreDep,
    plan: PlanParam = None,
    sector: SectorParam = None,
    place: PlaceParam = None,
    year: YearParam = None,
    kind: KindParam = None,
    lang: LangParam = "zh",
) -> Response:
    """`/api/targets` as a workbook: the targets and a sheet 关于 About citing the plans."""
    return _file(store, _filters(plan, sector, place, year, kind), "xlsx", lang)
