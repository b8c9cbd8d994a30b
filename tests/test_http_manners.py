"""HTTP manners: gzip, ETag/304, Cache-Control, HEAD, CORS by settings, and no 5xx or traceback for any
input we could think of."""

from __future__ import annotations

import gzip

import httpx
import pytest

from app.settings import Settings
from app.validation import ValidData

from .conftest import running_server


def test_gzip(api: httpx.Client) -> None:
    """What goes over the wire is gzip, smaller than the answer, and decodes to the uncompressed answer."""
    url = "/api/places"  # no time stamp in it: two answers are the same bytes
    plain = api.get(url, headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200 and "content-encoding" not in plain.headers
    with api.stream("GET", url, headers={"Accept-Encoding": "gzip"}) as response:
        assert response.status_code == 200
        assert response.headers["content-encoding"] == "gzip"
        raw = b"".join(response.iter_raw())  # the bytes as sent, not decoded by httpx
    assert raw[:2] == b"\x1f\x8b"  # the gzip magic number
    decoded = gzip.decompress(raw)  # raises unless raw is one whole, valid gzip stream
    assert len(raw) < len(decoded)
    assert decoded == plain.content


def test_etag_304_and_cache_control(api: httpx.Client) -> None:
    first = api.get("/api/clusters", params={"sector": "specialty"})
    etag = first.headers["etag"]
    assert etag.startswith('W/"') and "max-age=" in first.headers["cache-control"]
    again = api.get("/api/clusters", params={"sector": "specialty"}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    other = api.get("/api/clusters", params={"sector": "aerospace"})
    assert other.headers["etag"] != etag
    assert api.get("/api/clusters", params={"sector": "aerospace"}, headers={"If-None-Match": etag}).status_code == 200


def test_errors_are_not_cached(api: httpx.Client) -> None:
    response = api.get("/api/clusters", params={"limit": "x"})
    assert response.status_code == 400 and "etag" not in response.headers
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    "path", ["/api/sectors", "/ogc/collections", "/ogc/collections/counties/items", "/healthz", "/"]
)
def test_head(api: httpx.Client, path: str) -> None:
    head, get = api.head(path), api.get(path)
    assert head.status_code == 200 == get.status_code
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]


@pytest.mark.slow  # a server of its own
def test_cors_only_when_configured(api: httpx.Client, loaded: dict[str, Settings]) -> None:
    assert "access-control-allow-origin" not in api.get("/api/sectors", headers={"Origin": "http://a.example"}).headers
    settings = loaded["spatialite"].model_copy(update={"cors_origins": ["http://gis.example"]})
    with running_server(settings) as base:
        allowed = httpx.get(f"{base}/api/sectors", headers={"Origin": "http://gis.example"})
        assert allowed.headers["access-control-allow-origin"] == "http://gis.example"
        denied = httpx.get(f"{base}/api/sectors", headers={"Origin": "http://evil.example"})
        assert "access-control-allow-origin" not in denied.headers


HOSTILE = [
    "/api/clusters?q=%27%3B%20DROP%20TABLE%20entities%3B--",
    "/api/clusters?q=%25%25%25_",
    "/api/clusters?sector=%27%20OR%201%3D1--",
    "/api/clusters?place=421000%20OR%201%3D1",
    "/api/search?q=%00",
    "/api/search?q=%F0%9F%98%80",
    "/api/clusters/%27%20OR%20%271%27%3D%271",
    "/api/places/-1",
    "/api/places/99999999999999999999",
    "/ogc/collections/counties/items?bbox=1e309,0,1,1",
    "/ogc/collections/counties/items?bbox=nan,nan,nan,nan",
    "/ogc/collections/counties/items?limit=99999999999999999999999",
    "/ogc/collections/counties/items?offset=99999999999",
    "/ogc/collections/counties/items/%00",
    "/ogc/collections/clusters/items/%00",
    "/api/clusters/a%00b",
    "/api/clusters?q=%00",
    "/downloads/clusters.geojson?q=%00",
    "/ogc/collections/%2e%2e/items",
    "/downloads/..%2Fclusters.geojson",
    "/downloads/clusters.geojson?bbox=1,2",
    "/api/clusters?limit=-5&offset=-5",
]


@pytest.mark.parametrize("path", HOSTILE)
def test_hostile_input_never_gives_5xx(api: httpx.Client, path: str) -> None:
    response = api.get(path)
    assert response.status_code < 500, response.text
    assert "Traceback" not in response.text
    if response.status_code >= 400:
        assert set(response.json()) == {"code", "description"}


def test_injection_strings_are_just_text(api: httpx.Client, shipped: ValidData) -> None:
    # the tables are still there and the query matched nothing
    response = api.get("/api/clusters", params={"q": "'; DROP TABLE entities;--"})
    assert response.status_code == 200 and response.json()["total"] == 0
    assert api.get("/api/clusters").json()["total"] == len(shipped.catalogue.entities)


def test_openapi_documents_the_people_api_with_examples(api: httpx.Client) -> None:
    document = api.get("/openapi.json").json()
    assert {"/api/clusters", "/api/clusters/{entity_id}", "/api/search", "/api/places/{adcode}"} <= set(
        document["paths"]
    )
    schemas = document["components"]["schemas"]
    assert schemas["EntitySummary"]["examples"][0]["id"] == "xianning-crane-cluster"
    assert schemas["SearchResult"]["examples"][0]["query"] == "xianning"
    assert api.get("/docs").status_code == 200
