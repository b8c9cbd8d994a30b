"""``/ogc``: OGC API – Features Part 1 (core, GeoJSON, OpenAPI 3.0) for GIS software."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request, Response

from api.dependencies import StoreDep
from api.limits import limits
from api.ogc_openapi import DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET, ogc_openapi
from api.routers.common import public_url
from app import query
from app.store import features
from app.store.collections import COLLECTIONS, Collection
from app.store.published import InvalidParameter, StoreReader

router = APIRouter(prefix="/ogc", tags=["OGC API – Features"])

GEOJSON = "application/geo+json"
JSON = "application/json"
OPENAPI_30 = "application/vnd.oai.openapi+json;version=3.0"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
]
_COMMON_PARAMETERS = {"limit", "offset", "bbox", "datetime", "f"}
# ASCII only: int() also reads "1_0", " 1" and other scripts' digits ("١", "１").


async def _document_parameters(request: Request) -> None:
    """The documents (landing page, definition, conformance, collections) take only ``f=json``: any
    other parameter is refused, as on items, so that no made-up parameter gets a URL of its own."""
    for name, value in request.query_params.multi_items():
        if name != "f":
            raise InvalidParameter(name, f"unknown parameter; {request.url.path} takes f")
        if value != "json":
            raise InvalidParameter("f", f"{value[:20]!r}: only json is offered")


_DOCUMENT = [Depends(_document_parameters)]


def _root(request: Request) -> str:
    return public_url(request) + "/ogc"


def _link(href: str, rel: str, media_type: str, title: str) -> dict[str, str]:
    return {"href": href, "rel": rel, "type": media_type, "title": title}


@router.get("", include_in_schema=False, dependencies=_DOCUMENT)
@router.get("/", summary="Landing page", dependencies=_DOCUMENT)
def landing(request: Request) -> dict[str, Any]:
    """Links to the API definition, the conformance classes and the collections."""
    root = _root(request)
    return {
        "title": "湖北装备制造产业集群地图 Hubei Cluster Atlas",
        "description": "OGC API – Features for Hubei's administrative units and the clusters, corridors and city "
        "groups of its equipment-manufacturing plans.",
        "links": [
            _link(root, "self", JSON, "This document"),
            _link(f"{root}/api", "service-desc", OPENAPI_30, "API definition (OpenAPI 3.0)"),
            _link(public_url(request) + "/docs", "service-doc", "text/html", "API documentation"),
            _link(f"{root}/conformance", "conformance", JSON, "Conformance classes"),
            _link(f"{root}/collections", "data", JSON, "Feature collections"),
        ],
    }


@router.get("/api", summary="API definition (OpenAPI 3.0)", dependencies=_DOCUMENT)
def api_definition(request: Request) -> Response:
    """The OpenAPI 3.0 document of this OGC API."""
    body = json.dumps(ogc_openapi(_root(request)), ensure_ascii=False)
    return Response(body, media_type=OPENAPI_30)


@router.get("/conformance", summary="Conformance classes", dependencies=_DOCUMENT)
def conformance() -> dict[str, list[str]]:
    """The conformance classes implemented: core, GeoJSON and OpenAPI 3.0."""
    return {"conformsTo": CONFORMANCE}


def _collection_document(store: StoreReader, target: Collection, root: str) -> dict[str, Any]:
    href = f"{root}/collections/{target.id}"
    return {
        "id": target.id,
        "title": target.layer.title,
        "description": target.layer.description,
        "itemType": "feature",
        "crs": [CRS84],
        "extent": {"spatial": {"bbox": [store.info().extents[target.id]], "crs": CRS84}},
        "links": [
            _link(href, "self", JSON, target.layer.title),
            _link(f"{href}/items", "items", GEOJSON, f"{target.layer.title_en} (GeoJSON)"),
        ],
    }


@router.get("/collections", summary="Feature collections", dependencies=_DOCUMENT)
def collections(request: Request, store: StoreDep) -> dict[str, Any]:
    """Province, prefectures, counties, clusters (every entity) and corridors."""
    root = _root(request)
    return {
        "links": [_link(f"{root}/collections", "self", JSON, "Feature collections")],
        "collections": [_collection_document(store, target, root) for target in COLLECTIONS.values()],
    }


@router.get("/collections/{collection_id}", summary="A feature collection", dependencies=_DOCUMENT)
def collection(request: Request, store: StoreDep, collection_id: str) -> dict[str, Any]:
    """One collection's description and extent."""
    return _collection_document(store, features.collection(collection_id), _root(request))


@router.get(
    "/collections/{collection_id}/items",
    summary="Features of a collection",
    responses={503: {"description": "Busy with other layers: try again after Retry-After seconds."}},
)
async def items(request: Request, store: StoreDep, collection_id: str) -> Response:
    """A page of features (GeoJSON) with paging links; `limit` above the maximum is clamped."""
    target = features.collection(collection_id)
    params = request.query_params
    filters = query.parse_collection_query(
        store.info(), target.layer.filters, params, _COMMON_PARAMETERS, f"{collection_id} takes"
    )
    if params.get("f") not in (None, "json", "geojson"):
        raise InvalidParameter("f", "only json (GeoJSON) is offered")
    limit = min(query.parse_integer("limit", params.get("limit"), DEFAULT_LIMIT, 1), MAX_LIMIT)
    offset = query.parse_integer("offset", params.get("offset"), 0, 0, MAX_OFFSET)
    boxes = query.parse_bbox(params["bbox"]) if params.get("bbox") else None
    if params.get("datetime"):
        query.check_datetime(params["datetime"])
    # Up to a thousand full-resolution outlines: bounded like the other expensive work, in its own threads.
    page = await limits(request).layers.run(features.items, store, target, filters, boxes, limit, offset)
    returned = len(page.features)
    base = f"{_root(request)}/collections/{target.id}/items"
    kept = [(key, value) for key, value in params.multi_items() if key not in ("limit", "offset")]

    def href(at_offset: int) -> str:
        return f"{base}?{urlencode([*kept, ('limit', limit), ('offset', at_offset)])}"

    links = [
        _link(href(offset), "self", GEOJSON, "This page"),
        _link(f"{_root(request)}/collections/{target.id}", "collection", JSON, target.layer.title),
    ]
    if offset + returned < page.number_matched:
        links.append(_link(href(offset + returned), "next", GEOJSON, "Next page"))
    if offset > 0:
        links.append(_link(href(max(offset - limit, 0)), "prev", GEOJSON, "Previous page"))
    head = json.dumps(
        {
            "type": "FeatureCollection",
            "numberMatched": page.number_matched,
            "numberReturned": returned,
            "timeStamp": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            "links": links,
        },
        ensure_ascii=False,
    )
    return Response(head[:-1] + ',"features":[' + ",".join(page.features) + "]}", media_type=GEOJSON)


@router.get("/collections/{collection_id}/items/{feature_id}", summary="One feature")
def item(request: Request, store: StoreDep, collection_id: str, feature_id: str) -> Response:
    """One feature (GeoJSON) with links to itself, its collection and its profile in the JSON API."""
    target = features.collection(collection_id)
    for name in request.query_params:
        if name != "f":
            raise InvalidParameter(name, "unknown parameter; a single feature takes only f")
    feature = features.item(store, target, feature_id)
    root = _root(request)
    people = "places" if target.id_column == "adcode" else "clusters"
    links = [
        _link(f"{root}/collections/{target.id}/items/{feature_id}", "self", GEOJSON, "This feature"),
        _link(
            f"{public_url(request)}/api/{people}/{feature_id}",
            "alternate",
            JSON,
            "Profile (JSON)",
        ),
        _link(f"{root}/collections/{target.id}", "collection", JSON, target.layer.title),
    ]
    return Response(feature[:-1] + ',"links":' + json.dumps(links, ensure_ascii=False) + "}", media_type=GEOJSON)
