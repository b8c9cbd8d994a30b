"""OGC API – Features Part 1 (core, GeoJSON, OpenAPI 3.0): the assertions of OGC's CITE suite
ets-ogcapi-features10, each as a test, on both backends. Section numbers refer to the suite's classes."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import geopandas as gpd
import httpx
import pytest
import shapely
from openapi_spec_validator import validate as validate_openapi

from app.settings import REPO_DATA_DIR
from app.validation import ValidData

from .conftest import entity_ids

GEOJSON = "application/geo+json"
OPENAPI_30 = "application/vnd.oai.openapi+json;version=3.0"
CORE = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
COLLECTION_IDS = ["province", "prefectures", "counties", "clusters", "corridors"]
JSON_ACCEPT = {"Accept": "application/json, application/javascript, text/javascript, text/json"}


def links(document: dict[str, Any], rel: str) -> list[dict[str, Any]]:
    return [link for link in document["links"] if link["rel"] == rel]


def items_href(api: httpx.Client, collection_id: str) -> str:
    collections = api.get("/ogc/collections").json()["collections"]
    collection = next(c for c in collections if c["id"] == collection_id)
    [link] = [link for link in collection["links"] if link["rel"] == "items" and link["type"] == GEOJSON]
    return link["href"]


def get_items(api: httpx.Client, collection_id: str, **params: Any) -> httpx.Response:
    return api.get(items_href(api, collection_id), params=params, headers={"Accept": GEOJSON})


# --- landing page, API definition, conformance -----------------------------------------------------


def test_landing_page(api: httpx.Client) -> None:
    for path in ("/ogc", "/ogc/"):
        response = api.get(path, headers=JSON_ACCEPT)
        assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
        rels = {link["rel"] for link in response.json()["links"]}
        assert {"service-desc", "conformance", "data"} <= rels
        assert all(isinstance(link["rel"], str) and link["type"] for link in response.json()["links"])


def test_api_definition_is_valid_openapi_30(api: httpx.Client) -> None:
    landing = api.get("/ogc").json()
    [desc] = [link for link in links(landing, "service-desc") if link["type"].replace(" ", "") == OPENAPI_30]
    assert desc["href"].startswith("http")
    response = api.get(desc["href"], headers={"Accept": OPENAPI_30})
    assert response.status_code == 200
    document = response.json()
    validate_openapi(document)  # raises on any error
    assert document["openapi"].startswith("3.0")
    assert document["servers"][0]["url"] == landing["links"][0]["href"] == f"{str(api.base_url).rstrip('/')}/ogc"
    for path in (
        "/",
        "/conformance",
        "/collections",
        "/collections/{collectionId}",
        "/collections/{collectionId}/items",
    ):
        assert "200" in document["paths"][path]["get"]["responses"]
    collection_id = document["paths"]["/collections/{collectionId}"]["get"]["parameters"][0]
    assert collection_id["required"] is True and "default" not in collection_id["schema"]


def _parameter(api: httpx.Client, name: str) -> dict[str, Any]:
    document = api.get("/ogc/api").json()
    parameters = document["paths"]["/collections/{collectionId}/items"]["get"]["parameters"]
    return next(parameter for parameter in parameters if parameter["name"] == name)


def test_limit_parameter_definition(api: httpx.Client) -> None:
    limit = _parameter(api, "limit")
    assert (limit["in"], limit["required"], limit["style"], limit["explode"]) == ("query", False, "form", False)
    assert limit["schema"] == {"type": "integer", "minimum": 1, "maximum": 1000, "default": 10}


def test_bbox_parameter_definition(api: httpx.Client) -> None:
    bbox = _parameter(api, "bbox")
    assert (bbox["in"], bbox["required"], bbox["style"], bbox["explode"]) == ("query", False, "form", False)
    assert bbox["schema"] == {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}}


def test_datetime_parameter_definition(api: httpx.Client) -> None:
    parameter = _parameter(api, "datetime")
    assert (parameter["style"], parameter["schema"]["type"]) == ("form", "string")


def test_conformance(api: httpx.Client) -> None:
    response = api.get("/ogc/conformance", headers=JSON_ACCEPT)
    assert response.status_code == 200
    classes = response.json()["conformsTo"]
    assert all(isinstance(uri, str) for uri in classes)
    assert set(classes) == {
        CORE,
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    }


# --- collections ----------------------------------------------------------------------------------


def test_collections(api: httpx.Client) -> None:
    body = api.get("/ogc/collections", headers=JSON_ACCEPT).json()
    [self_link] = links(body, "self")
    assert self_link["type"] == "application/json"
    assert [c["id"] for c in body["collections"]] == COLLECTION_IDS
    for collection in body["collections"]:
        assert collection["itemType"] == "feature"
        assert all(link["rel"] and link["type"] and link["href"].startswith("http") for link in collection["links"])
        assert len([link for link in links(collection, "items") if link["type"] == GEOJSON]) == 1
        [box] = collection["extent"]["spatial"]["bbox"]
        assert len(box) == 4 and box[0] < box[2] and box[1] < box[3]
        assert "temporal" not in collection["extent"]
        assert collection["crs"] == ["http://www.opengis.net/def/crs/OGC/1.3/CRS84"]
        assert api.get(items_href(api, collection["id"])).json()["type"] == "FeatureCollection"


@pytest.mark.parametrize("collection_id", COLLECTION_IDS)
def test_collection_equals_its_entry(api: httpx.Client, collection_id: str) -> None:
    entry = next(c for c in api.get("/ogc/collections").json()["collections"] if c["id"] == collection_id)
    single = api.get(f"/ogc/collections/{collection_id}", headers=JSON_ACCEPT)
    assert single.status_code == 200
    for key in ("id", "title", "description", "extent"):
        assert single.json()[key] == entry[key]


# --- features ---------------------------------------------------------------------------------------


def assert_feature_collection(body: dict[str, Any], limit: int) -> None:
    assert body["type"] == "FeatureCollection"
    assert isinstance(body["features"], list) and len(body["features"]) <= limit
    assert body["numberReturned"] == len(body["features"])
    [self_link] = links(body, "self")
    assert self_link["type"] == GEOJSON
    assert all(link["type"] for link in body["links"])
    datetime.fromisoformat(body["timeStamp"].replace("Z", "+00:00")).utcoffset()  # RFC 3339 with zone
    assert re.search(r"(Z|[+-]\d\d:\d\d)$", body["timeStamp"])
    for feature in body["features"]:
        assert isinstance(feature["id"], str)
        minx, miny, maxx, maxy = shapely.geometry.shape(feature["geometry"]).bounds
        assert -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90


def count_by_following_next(api: httpx.Client, body: dict[str, Any]) -> int:
    total, pages = len(body["features"]), 0
    while (next_links := links(body, "next")) and pages < 20:
        assert next_links[0]["type"] == GEOJSON and "?" in next_links[0]["href"]
        body = api.get(next_links[0]["href"], headers={"Accept": GEOJSON}).json()
        total, pages = total + len(body["features"]), pages + 1
    return total


@pytest.mark.parametrize("collection_id", COLLECTION_IDS)
def test_items(api: httpx.Client, collection_id: str) -> None:
    response = get_items(api, collection_id, limit=10)
    assert response.status_code == 200 and response.headers["content-type"] == GEOJSON
    body = response.json()
    assert_feature_collection(body, 10)
    assert count_by_following_next(api, body) == body["numberMatched"]


@pytest.mark.parametrize(("limit", "expected"), [(1, 1), (100, 100), (1000, 103), (5000, 103)])
def test_limit_is_honoured_and_clamped(api: httpx.Client, limit: int, expected: int) -> None:
    body = get_items(api, "counties", limit=limit).json()
    assert len(body["features"]) == expected == body["numberReturned"]
    if limit > 1000:
        assert "limit=1000" in links(body, "self")[0]["href"]


def test_paging_links_are_typed_and_consistent(api: httpx.Client) -> None:
    first = get_items(api, "counties", limit=40).json()
    [next_link] = links(first, "next")
    second = api.get(next_link["href"]).json()
    [prev_link] = links(second, "prev")
    assert prev_link["type"] == GEOJSON
    assert api.get(prev_link["href"]).json()["features"][0]["id"] == first["features"][0]["id"]
    [collection_link] = links(second, "collection")
    assert collection_link["type"] == "application/json"
    last = api.get(links(second, "next")[0]["href"]).json()
    assert len(last["features"]) == 103 - 80 and not links(last, "next")


BBOXES = [
    "108.369858,29.036144,116.129624,33.277546",  # Hubei's extent
    "-1.5000000,50.0000000,1.5000000,53.0000000",  # the meridian
    "-80.0000000,-5.0000000,-70.0000000,5.0000000",  # the equator
    "177.0000000,65.0000000,-177.0000000,70.0000000",  # across the antimeridian
    "-180.0000000,85.0000000,180.0000000,90.0000000",
    "-180.0000000,-90.0000000,180.0000000,-85.0000000",
    ".0000000,-.5000000,1.0000000,.5000000",  # the suite's number format
]


@pytest.mark.parametrize("bbox", BBOXES)
@pytest.mark.parametrize("collection_id", ["counties", "clusters"])
def test_bbox(api: httpx.Client, collection_id: str, bbox: str) -> None:
    response = get_items(api, collection_id, bbox=bbox, limit=10)
    assert response.status_code == 200
    body = response.json()
    assert_feature_collection(body, 10)
    box = shapely.box(*map(float, bbox.split(",")))
    for feature in body["features"]:
        assert shapely.geometry.shape(feature["geometry"]).intersects(box)
    assert count_by_following_next(api, body) == body["numberMatched"]
    assert all("bbox=" in link["href"] for link in links(body, "next"))
    if bbox == BBOXES[0]:
        assert body["numberMatched"] > 0
    else:
        assert body["numberMatched"] == 0  # outside Hubei, including the antimeridian box


@pytest.mark.parametrize("bbox", ["114.25,30.55,114.26,30.56", "112.0,30.0,113.5,31.0", "110.0,31.5,110.3,31.8"])
def test_bbox_selects_exactly_the_intersecting_units(api: httpx.Client, bbox: str) -> None:
    counties = gpd.read_file(REPO_DATA_DIR / "boundaries" / "counties.geojson")
    box = shapely.box(*map(float, bbox.split(",")))
    expected = {str(adcode) for adcode in counties[counties.intersects(box)]["adcode"]}
    body = get_items(api, "counties", bbox=bbox, limit=1000).json()
    assert {feature["id"] for feature in body["features"]} == expected and expected


@pytest.mark.parametrize(
    "value",
    [
        "2020-01-01T00:00:00Z",
        "2020-01-01T06:00:00.250Z/2020-06-30T00:00:00.123456789Z",
        "2020-03-25/P2D",
        "../2020-01-01",
    ],
)
def test_datetime_is_accepted(api: httpx.Client, shipped: ValidData, value: str) -> None:
    response = get_items(api, "clusters", datetime=value, limit=10)
    assert response.status_code == 200
    assert response.json()["numberMatched"] == len(shipped.catalogue.entities)  # the plans' features carry no time


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"limit": "unlimited"}, "limit"),
        ({"unknownQueryParameter12345": "1", "limit": "10"}, "unknownQueryParameter12345"),
        ({"limit": "0"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"bbox": "1,2,3"}, "bbox"),
        ({"bbox": "a,b,c,d"}, "bbox"),
        ({"bbox": "0,10,1,5"}, "bbox"),
        ({"datetime": "yesterday"}, "datetime"),
        ({"f": "xml"}, "f"),
        ({"sector": "nonsense"}, "sector"),
    ],
)
def test_bad_parameters_are_400(api: httpx.Client, params: dict[str, str], name: str) -> None:
    response = get_items(api, "clusters", **params)
    assert response.status_code == 400
    assert name in response.json()["description"]


def test_filters_apply_only_where_they_mean_something(api: httpx.Client, shipped: ValidData) -> None:
    assert get_items(api, "counties", sector="specialty").status_code == 400
    assert get_items(api, "corridors", kind="cluster").status_code == 400
    crane = get_items(api, "clusters", sector="specialty-cranes").json()
    assert [feature["id"] for feature in crane["features"]] == ["xianning-crane-cluster"]
    corridors = get_items(api, "clusters", kind="corridor", limit=100).json()["features"]
    assert sorted(feature["id"] for feature in corridors) == sorted(entity_ids(shipped, kinds=("corridor",)))
    of_2014 = get_items(api, "clusters", plan="2014", limit=100).json()["features"]
    assert sorted(feature["id"] for feature in of_2014) == sorted(entity_ids(shipped, plan=2014))


def test_property_filter_is_kept_in_next_link(api: httpx.Client, shipped: ValidData) -> None:
    body = get_items(api, "clusters", plan="2021", limit=5).json()
    assert "plan=2021" in links(body, "next")[0]["href"]
    assert count_by_following_next(api, body) == body["numberMatched"] == len(entity_ids(shipped, plan=2021))


@pytest.mark.parametrize(
    ("collection_id", "feature_id"), [("counties", "421381"), ("clusters", "xianning-crane-cluster")]
)
def test_feature(api: httpx.Client, collection_id: str, feature_id: str) -> None:
    first = get_items(api, collection_id, limit=10).json()["features"][0]
    for identifier in (first["id"], feature_id):
        response = api.get(f"{items_href(api, collection_id)}/{identifier}", headers={"Accept": GEOJSON})
        assert response.status_code == 200 and response.headers["content-type"] == GEOJSON
        feature = response.json()
        assert feature["type"] == "Feature" and feature["id"] == identifier
        rels = {link["rel"]: link for link in feature["links"]}
        assert rels["self"]["type"] == GEOJSON
        assert rels["collection"]["type"] == "application/json"
        assert rels["alternate"]["type"] == "application/json"
        assert api.get(rels["alternate"]["href"]).status_code == 200


def test_json_without_accept_or_with_any(api: httpx.Client) -> None:
    href = items_href(api, "prefectures")
    for headers in ({}, {"Accept": "*/*"}):
        response = api.get(href, headers=headers)
        assert response.status_code == 200 and response.json()["numberMatched"] == 17


@pytest.mark.parametrize(
    "path",
    [
        "/ogc/collections/rivers",
        "/ogc/collections/rivers/items",
        "/ogc/collections/counties/items/999999",
        "/ogc/collections/clusters/items/nothing-here",
        "/ogc/collections/counties/items/not-a-number",
    ],
)
def test_unknown_collections_and_items_are_404(api: httpx.Client, path: str) -> None:
    response = api.get(path)
    assert response.status_code == 404 and response.json()["code"] == "NotFound"


def test_duplicate_slashes_are_tolerated(api: httpx.Client) -> None:
    assert api.get("/ogc//conformance").json()["conformsTo"][0] == CORE
