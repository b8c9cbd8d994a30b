"""Response models of the JSON API for people (``/api``), documented in OpenAPI with examples."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.admin_units import PROVINCE_ADCODE
from app.catalogue import Confidence, Kind, Status

_CRANE_REF = {
    "plan": "fyp2021",
    "year": 2021,
    "section": "四、主要任务 › （五）优化产业布局，催生发展新业态 › 专栏5 产业集群培育 › 2、推动特色产业集群建设",
    "quote": "咸宁起重机械产业集群",
    "citation": "《湖北省装备制造业“十四五”发展规划》，湖北省经济和信息化厅，鄂经信规划〔2021〕203号，2021年12月31日，"
    "规划期2021—2025年 / Hubei Equipment Manufacturing Industry 14th Five-Year Development Plan (2021–2025), "
    "Hubei Provincial Department of Economy and Information Technology, 鄂经信规划〔2021〕203号, 2021-12-31, "
    "period 2021–2025",
}
_CRANE = {
    "id": "xianning-crane-cluster",
    "name_zh": "咸宁起重机械产业集群",
    "name_en": "Xianning Crane (Hoisting Machinery) Industrial Cluster",
    "kind": "cluster",
    "sectors": ["specialty-cranes"],
    "members": [421200],
    "status": "existing",
    "confidence": "stated",
    "inferred_sectors": [],
    "note": None,
    "plan_refs": [_CRANE_REF],
    "plans": [2021],
    "top_sector": "specialty",
    "colour": "#393b79",
    "province_wide": False,
    "ordered": False,
}
_XIANNING = {
    "adcode": 421200,
    "name_zh": "咸宁市",
    "short_name_zh": "咸宁",
    "name_en": "Xianning",
    "pinyin": "Xianning",
    "level": "prefecture",
    "parent_adcode": PROVINCE_ADCODE,
    "seat_lon": 114.3,
    "seat_lat": 29.7,
}
_MULTIPOLYGON = {
    "type": "MultiPolygon",
    "coordinates": [[[[114.1, 29.6], [114.5, 29.6], [114.3, 29.9], [114.1, 29.6]]]],
}


class PlanRef(BaseModel):
    """A verbatim passage of a plan."""

    plan: str = Field(description="Plan id: fyp2021 (the 2021 plan) or action2014 (the 2014 plan).")
    year: int
    section: str = Field(description="The plan's heading path, joined by ›.")
    quote: str = Field(description="The plan's own words (verbatim, white space aside).")
    citation: str = Field(
        description="The plan cited: title, issuer, document number, date and period (中文 / English), the "
        "same wherever the quote is served (lists, profiles, OGC features, downloads).",
    )


class EntitySummary(BaseModel):
    """A cluster, corridor, city group, specialisation, base or platform of the plans."""

    model_config = ConfigDict(json_schema_extra={"examples": [_CRANE]})

    id: str
    name_zh: str
    name_en: str
    kind: Kind
    sectors: list[str] = Field(description="Sector ids (see /api/sectors).")
    members: list[int] = Field(description="Adcodes of the member places; for corridors in the plan's order.")
    status: Status
    confidence: Confidence = Field(description="stated: the plan names the place; inferred: see note.")
    inferred_sectors: list[str] = Field(
        default_factory=list,
        description="Those of its sectors the plan's words for it do not give (inferred like places; see note).",
    )
    note: str | None
    plan_refs: list[PlanRef]
    plans: list[int] = Field(description="Years of the plans that speak of it, ascending.")
    top_sector: str | None = Field(
        description="The top-level sector of its first sector (see /api/sectors); null when it has no sector."
    )
    colour: str = Field(description="The colour it is drawn in: its top sector's, or grey with no sector.")
    province_wide: bool = Field(
        description="True when the plan names no place below the province (its one member is Hubei, 420000)."
    )
    ordered: bool = Field(
        description="True when its members are in an order the plan gives (a corridor's stops, a city group's "
        "abbreviation, with places the plan states): such a corridor is a line with numbered stops."
    )


class EntityPage(BaseModel):
    """One page of entities."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"total": 1, "limit": 50, "offset": 0, "items": [_CRANE]}]}
    )

    total: int = Field(description="How many entities match in all.")
    limit: int
    offset: int
    items: list[EntitySummary]


class MemberPlace(BaseModel):
    """A member place of an entity."""

    adcode: int
    level: Literal["province", "prefecture", "county"]
    name_zh: str
    name_en: str


class SectorRef(BaseModel):
    """A sector, by id and name."""

    id: str
    name_zh: str
    name_en: str
    parent_id: str | None


class EntityDetail(EntitySummary):
    """An entity with its places and sectors spelled out and its geometry (GeoJSON)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                _CRANE
                | {
                    "member_places": [
                        {"adcode": 421200, "level": "prefecture", "name_zh": "咸宁市", "name_en": "Xianning"}
                    ],
                    "sector_names": [
                        {
                            "id": "specialty-cranes",
                            "name_zh": "起重机械",
                            "name_en": "Cranes and hoisting machinery",
                            "parent_id": "specialty",
                        }
                    ],
                    "geometry": _MULTIPOLYGON,
                    "route": None,
                    "crs": "wgs84",
                }
            ]
        }
    )

    member_places: list[MemberPlace]
    sector_names: list[SectorRef]
    geometry: dict[str, Any] = Field(description="Footprint: the dissolved outlines of the members (GeoJSON).")
    route: dict[str, Any] | None = Field(description="Corridors: a line through the members' seats, in order.")
    crs: Literal["wgs84", "gcj02"] = Field(description="Coordinates of geometry and route.")


class SectorNode(BaseModel):
    """A sector with its sub-sectors and how many entities carry it (sub-sectors included)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "specialty",
                    "name_zh": "特色装备产业集群所列装备",
                    "name_en": "Specialty equipment industries (regional specialty clusters)",
                    "plan_id": "fyp2021",
                    "plan_year": 2021,
                    "note": None,
                    "entity_count": 10,
                    "colour": "#393b79",
                    "descendants": ["specialty", "specialty-cranes"],
                    "children": [],
                }
            ]
        }
    )

    id: str
    name_zh: str
    name_en: str
    plan_id: str
    plan_year: int
    note: str | None
    entity_count: int
    colour: str = Field(description="The colour of its top-level sector, in which entities of it are drawn.")
    descendants: list[str] = Field(
        description="Its own id, then the ids of its sub-sectors at every depth: the sectors that "
        "filtering by it selects."
    )
    children: list[SectorNode]


class Place(BaseModel):
    """An administrative unit (Tianditu standard map)."""

    model_config = ConfigDict(json_schema_extra={"examples": [_XIANNING]})

    adcode: int
    name_zh: str
    short_name_zh: str
    name_en: str
    pinyin: str
    level: Literal["province", "prefecture", "county"]
    parent_adcode: int | None
    seat_lon: float
    seat_lat: float


class PlaceProfile(Place):
    """What the plans say about a place."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                _XIANNING
                | {
                    "geometry": _MULTIPOLYGON,
                    "entities": [_CRANE],
                    "groups": [],
                    "sectors": [
                        {
                            "id": "specialty-cranes",
                            "name_zh": "起重机械",
                            "name_en": "Cranes and hoisting machinery",
                            "parent_id": "specialty",
                        }
                    ],
                    "crs": "wgs84",
                }
            ]
        }
    )

    geometry: dict[str, Any]
    entities: list[EntitySummary] = Field(description="What the plans put here; a prefecture includes its counties'.")
    groups: list[EntitySummary] = Field(
        description="City groups and corridors it belongs to (directly or via its prefecture)."
    )
    sectors: list[SectorRef] = Field(description="Sectors of the entities here.")
    crs: Literal["wgs84", "gcj02"]


class SearchHit(BaseModel):
    """A place, entity or sector that matches."""

    type: Literal["place", "entity", "sector"]
    id: str = Field(description="Adcode for places, id otherwise.")
    name_zh: str
    name_en: str
    category: str = Field(description="Level of a place, kind of an entity, plan of a sector.")
    rank: int = Field(
        description="By field and closeness: 100 whole name, 90 whole alias, 80 start of a name or alias, "
        "60 inside a name or alias, 55 whole pinyin, 50 start of the pinyin, 45 inside the pinyin, 40 related word "
        "(an entity's sectors or places), 20 nearest name (suggestions only)."
    )


class SearchResult(BaseModel):
    """Search results, best first."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "query": "xianning",
                    "hits": [
                        {
                            "type": "place",
                            "id": "421200",
                            "name_zh": "咸宁市",
                            "name_en": "Xianning",
                            "category": "prefecture",
                            "rank": 100,
                        },
                        {
                            "type": "entity",
                            "id": "xianning-crane-cluster",
                            "name_zh": "咸宁起重机械产业集群",
                            "name_en": "Xianning Crane (Hoisting Machinery) Industrial Cluster",
                            "category": "cluster",
                            "rank": 80,
                        },
                    ],
                }
            ]
        }
    )

    query: str
    hits: list[SearchHit]
    suggestions: list[SearchHit] = Field(
        default_factory=list,
        description="Only when nothing is found: the nearest names (你是不是要找 … / did you mean …).",
    )


class Health(BaseModel):
    """Whether the atlas can answer, and from what data. Where the store is (backend, file or database
    host, scope) is shown only when the operator turns on ``ATLAS_HEALTH_DETAILS``."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"status": "ok", "data_version": "f16853702f6b59ed", "loaded_at": "2026-11-21T08:00:00+00:00"},
                {
                    "status": "ok",
                    "data_version": "f16853702f6b59ed",
                    "loaded_at": "2026-11-21T08:00:00+00:00",
                    "backend": "spatialite",
                    "store": "SpatiaLite file var/atlas.sqlite",
                    "scope": "hubei",
                },
            ]
        }
    )

    status: Literal["ok", "unavailable"]
    data_version: str | None
    loaded_at: str | None
    backend: str | None = Field(None, description="spatialite or postgis (only with ATLAS_HEALTH_DETAILS).")
    store: str | None = Field(None, description="Where the store is (only with ATLAS_HEALTH_DETAILS).")
    scope: str | None = Field(None, description="hubei or china (only with ATLAS_HEALTH_DETAILS).")
