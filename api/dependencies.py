"""Request dependencies: the store, and the query parameters several routes share."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

import anyio
import shapely
from fastapi import Depends, Query, Request

from app.datum import wgs84_to_gcj02
from app.query import Filters, parse_filters
from app.store.published import StoreSnapshot

CrsParam = Annotated[
    Literal["wgs84", "gcj02"],
    Query(description="wgs84 (default) or gcj02 to overlay on Amap/Tencent base maps (GCJ-02 is not WGS 84)."),
]


async def get_store(request: Request) -> StoreSnapshot:
    """The published build this request reads: the one the read cache chose for it (so the ETag names
    what the body was made from), else the store's current one. Async: no thread hop when fresh."""
    snapshot = getattr(request.state, "store", None)
    if snapshot is None:
        store = request.app.state.store
        snapshot = store.snapshot_if_fresh() or await anyio.to_thread.run_sync(store.snapshot)
        request.state.store = snapshot
    return snapshot


StoreDep = Annotated[StoreSnapshot, Depends(get_store)]


def entity_filters(
    store: StoreDep,
    sector: Annotated[str | None, Query(description="Sector id; includes its sub-sectors.", max_length=80)] = None,
    kind: Annotated[
        str | None,
        Query(description="cluster, corridor, city_group, specialisation, base, platform; several comma-separated."),
    ] = None,
    plan: Annotated[str | None, Query(description="Plan year: 2021 or 2014.", max_length=4)] = None,
    plans: Annotated[
        str | None,
        Query(description="Plan ids (see /api/plans), comma-separated: entities any of them quotes.", max_length=2000),
    ] = None,
    status: Annotated[str | None, Query(description="existing or planned.")] = None,
    place: Annotated[
        str | None, Query(description="Adcode; a prefecture includes its counties' entities.", max_length=6)
    ] = None,
    q: Annotated[str | None, Query(description="Text in 中文, English or pinyin.", max_length=100)] = None,
) -> Filters:
    """The entity filters, checked against the store's vocabulary."""
    return parse_filters(
        store.info(), sector=sector, kind=kind, plan=plan, plans=plans, status=status, place=place, q=q
    )


FiltersDep = Annotated[Filters, Depends(entity_filters)]


def in_crs(geometry: dict[str, Any] | None, crs: str) -> dict[str, Any] | None:
    """A GeoJSON geometry in the requested coordinates."""
    if geometry is None or crs == "wgs84":
        return geometry
    shifted = wgs84_to_gcj02(shapely.from_geojson(json.dumps(geometry)))
    return json.loads(shapely.to_geojson(shifted))
