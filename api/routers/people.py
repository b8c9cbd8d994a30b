"""``/api``: JSON for people — sectors, entities, places, profiles and search."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from api.dependencies import CrsParam, FiltersDep, StoreDep, in_crs
from api.models import EntityDetail, EntityPage, Place, PlaceProfile, SearchResult, SectorNode
from api.routers.common import AsciiInteger, only_declared_parameters
from app.query import parse_provinces
from app.store import browse, search

router = APIRouter(prefix="/api", tags=["人员 People"], dependencies=[Depends(only_declared_parameters)])


@router.get("/sectors", response_model=list[SectorNode], summary="Sector tree with entity counts")
def sectors(store: StoreDep) -> list[dict]:
    """The sector taxonomy of both plans: the 2021 plan's ten 发展重点 with sub-sectors, the 2014 plan's
    five 行动典型载体, and the specialty industries of the 2021 cluster list. Each sector says its colour
    (its top-level sector's) and its `descendants`: itself and its sub-sectors, what `sector=` selects."""
    return browse.sector_tree(store)


@router.get("/clusters", response_model=EntityPage, summary="Entities, filtered and paged")
def clusters(
    store: StoreDep,
    filters: FiltersDep,
    limit: Annotated[int, Query(ge=1, le=500), AsciiInteger] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000), AsciiInteger] = 0,
) -> dict:
    """Every place-anchored entity of the plans, in catalogue order. `sector` includes sub-sectors;
    `place` rolls up (Jingzhou 421000 lists the Honghu county cluster too)."""
    total, items = browse.entity_summaries(store, filters, limit, offset)
    return {"total": total, "limit": limit, "offset": offset, "items": items}


@router.get("/clusters/{entity_id}", response_model=EntityDetail, summary="One entity with its geometry")
def cluster(store: StoreDep, entity_id: Annotated[str, Path(max_length=80)], crs: CrsParam = "wgs84") -> dict:
    """An entity with its member places, sectors, the plans' quotes and its footprint (and route)."""
    detail = browse.entity_detail(store, entity_id)
    return detail | {
        "geometry": in_crs(detail["geometry"], crs),
        "route": in_crs(detail["route"], crs),
        "crs": crs,
    }


@router.get("/places", response_model=list[Place], summary="Administrative units")
def places(
    store: StoreDep,
    level: Annotated[str | None, Query(pattern="^(province|prefecture|county)$")] = None,
    parent: Annotated[int | None, Query(ge=100000, le=999999), AsciiInteger] = None,
    provinces: Annotated[
        str | None,
        Query(max_length=300, description="Adcodes of provinces, comma-separated: only their units (420000)."),
    ] = None,
) -> list[dict]:
    """Province, prefecture-level and county-level units, optionally of one level, under one parent or in
    some provinces (the map page asks for its chosen plans' provinces when there are many plans)."""
    return browse.places(store, level, parent, parse_provinces(store.info(), provinces))


@router.get("/places/{adcode}", response_model=PlaceProfile, summary="What the plans say about a place")
def place(
    store: StoreDep, adcode: Annotated[int, Path(ge=100000, le=999999), AsciiInteger], crs: CrsParam = "wgs84"
) -> dict:
    """The place, the entities there (a prefecture includes its counties'), the groups it belongs to, and
    their sectors."""
    profile = browse.place_profile(store, adcode)
    return profile | {"geometry": in_crs(profile["geometry"], crs), "crs": crs}


@router.get("/search", response_model=SearchResult, summary="Search places, entities and sectors")
def find(
    store: StoreDep,
    q: Annotated[str, Query(min_length=1, max_length=search.MAX_QUERY_LENGTH, description="中文, English or pinyin.")],
    limit: Annotated[int, Query(ge=1, le=100), AsciiInteger] = 20,
) -> dict:
    """`xianning`, `咸宁`, `crane` and `起重` all find the Xianning crane cluster; aliases too (`NEV`,
    `新能源汽车` the sector of new-energy vehicles, `襄樊` 襄阳市). A sector hit stands for the sector filter.
    When nothing is found, `suggestions` holds the nearest names ("did you mean")."""
    hits = search.search(store, q, limit)
    return {"query": q, "hits": hits, "suggestions": [] if hits else search.suggest(store, q)}
