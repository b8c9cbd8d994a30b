"""The OpenAPI 3.0 definition of ``/ogc`` (``rel=service-desc``), written for OGC clients and the CITE
validator rather than generated: FastAPI's document is OpenAPI 3.1, which they do not read."""

from __future__ import annotations

from typing import Any

from app import __version__
from app.query import FilterName
from app.store.collections import COLLECTIONS

MAX_LIMIT = 1000
MAX_OFFSET = 100_000
DEFAULT_LIMIT = 10

_FILTER_DESCRIPTIONS = {
    FilterName.sector: "Sector id (see /api/sectors); includes its sub-sectors. Entity collections only.",
    FilterName.kind: "cluster, corridor, city_group, specialisation, base, platform (comma-separated). Clusters only.",
    FilterName.plan: "Plan year: 2021 or 2014. Entity collections only.",
    FilterName.plans: "Plan ids (see /api/plans), comma-separated: entities any of them quotes. "
    "Entity collections only.",
    FilterName.status: "existing or planned. Entity collections only.",
    FilterName.place: "Adcode; a prefecture includes its counties' entities. Entity collections only.",
    FilterName.q: "Text in 中文, English or pinyin. Entity collections only.",
}


def _query(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "description": description,
        "required": False,
        "style": "form",
        "explode": False,
        "schema": schema,
    }


def ogc_openapi(root: str) -> dict[str, Any]:
    """The document, with ``root`` (the landing page's absolute URL) as its server."""
    json_ok = {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}}
    geojson_ok = {"description": "OK", "content": {"application/geo+json": {"schema": {"type": "object"}}}}
    error = {"$ref": "#/components/responses/Error"}
    collection_id = {
        "name": "collectionId",
        "in": "path",
        "required": True,
        "description": "Collection id.",
        "schema": {"type": "string", "enum": list(COLLECTIONS)},
    }
    feature_id = {
        "name": "featureId",
        "in": "path",
        "required": True,
        "description": "Feature id: the adcode of a place, or the id of an entity.",
        "schema": {"type": "string"},
    }
    items_parameters = [
        _query(
            "limit",
            f"Features per page (1–{MAX_LIMIT}; larger values are clamped to {MAX_LIMIT}).",
            {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
        ),
        _query(
            "offset",
            "Features to skip (paging).",
            {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "default": 0},
        ),
        _query(
            "bbox",
            "minlon,minlat,maxlon,maxlat in CRS84 (a box with minlon > maxlon crosses the antimeridian).",
            {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}},
        ),
        _query(
            "datetime",
            "Accepted for conformance; the plans' features carry no time, so it filters nothing.",
            {"type": "string"},
        ),
        _query("f", "Output format.", {"type": "string", "enum": ["json", "geojson"]}),
        *(_query(name.value, description, {"type": "string"}) for name, description in _FILTER_DESCRIPTIONS.items()),
    ]

    def get(summary: str, operation_id: str, ok: dict[str, Any], parameters: list[Any] | None = None) -> Any:
        operation = {"summary": summary, "operationId": operation_id, "responses": {"200": ok, "400": error}}
        if parameters:
            operation["parameters"] = parameters
            operation["responses"]["404"] = error
        return {"get": operation}

    return {
        "openapi": "3.0.3",
        "info": {
            "title": "湖北装备制造产业集群地图 Hubei Cluster Atlas — OGC API – Features",
            "version": __version__,
            "description": "Hubei's administrative units and the clusters, corridors and city groups of its "
            "equipment-manufacturing plans. Coordinates are CRS84 (WGS 84 longitude/latitude).",
        },
        "servers": [{"url": root}],
        "paths": {
            "/": get("Landing page", "getLandingPage", json_ok),
            "/api": get("This API definition", "getApiDefinition", json_ok),
            "/conformance": get("Conformance classes", "getConformance", json_ok),
            "/collections": get("Feature collections", "getCollections", json_ok),
            "/collections/{collectionId}": get("A feature collection", "describeCollection", json_ok, [collection_id]),
            "/collections/{collectionId}/items": get(
                "Features of a collection", "getFeatures", geojson_ok, [collection_id, *items_parameters]
            ),
            "/collections/{collectionId}/items/{featureId}": get(
                "One feature", "getFeature", geojson_ok, [collection_id, feature_id]
            ),
        },
        "components": {
            "responses": {
                "Error": {
                    "description": "Bad parameter (400) or unknown collection or feature (404).",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["code"],
                                "properties": {"code": {"type": "string"}, "description": {"type": "string"}},
                            }
                        }
                    },
                }
            }
        },
    }
