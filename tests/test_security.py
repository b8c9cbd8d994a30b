"""Security: a self-only CSP and the usual headers, bounded parameters, no path traversal, read-only."""

from __future__ import annotations

import re

import httpx
import pytest

from api.factory import create_app

SELF_ONLY_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def test_page_has_a_self_only_csp_and_nothing_inline(api: httpx.Client) -> None:
    response = api.get("/")
    assert response.headers["content-security-policy"] == SELF_ONLY_CSP
    html = response.text
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    assert all("src=" in attributes or 'type="application/json"' in attributes for attributes, _body in scripts)
    assert " style=" not in html and "<style" not in html and " on" + "click=" not in html


@pytest.mark.parametrize(
    "path", ["/", "/api/sectors", "/ogc/collections", "/downloads/province.geojson", "/static/js/main.js", "/healthz"]
)
def test_security_headers_everywhere(api: httpx.Client, path: str) -> None:
    headers = api.get(path).headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "no-referrer"


@pytest.mark.parametrize(
    "path",
    [
        "/static/../app/settings.py",
        "/static/%2e%2e/app/settings.py",
        "/static/..%2fapp%2fsettings.py",
        "/static/vendor/../../../pyproject.toml",
        "/static/%2e%2e%2f%2e%2e%2fpyproject.toml",
        "/static//etc/passwd",
        "/downloads/..%2f..%2fpyproject.toml",
        "/downloads/%2e%2e",
    ],
)
def test_no_path_traversal(api: httpx.Client, path: str) -> None:
    response = api.get(path)
    assert response.status_code == 404
    assert "ATLAS_" not in response.text and "root:" not in response.text and "[project]" not in response.text


def test_the_public_app_is_read_only() -> None:
    app = create_app()
    for route in app.routes:
        methods = getattr(route, "methods", None) or {"GET"}
        assert methods <= {"GET", "HEAD"}, (route.path, methods)


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_writes_are_refused(api: httpx.Client, method: str) -> None:
    for path in ("/api/clusters", "/ogc/collections/clusters/items", "/downloads/clusters.geojson"):
        assert api.request(method, path).status_code == 405


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/ogc/collections/counties/items?offset=100001", 400),
        ("/ogc/collections/counties/items?offset=99999999999999999999", 400),
        ("/ogc/collections/counties/items?limit=99999999999999999999", 400),
        ("/ogc/collections/counties/items?limit=5000", 200),  # clamped to the maximum
        ("/ogc/collections/counties/items?bbox=" + ",".join(["1" * 60] * 4), 400),
        ("/api/clusters?offset=100001", 400),
        ("/api/clusters?limit=501", 400),
        ("/api/search?q=" + "起" * 101, 400),
        ("/ogc/collections/clusters/items?q=" + "x" * 101, 400),
        ("/ogc/collections/clusters/items/" + "a" * 81, 404),
        ("/api/clusters/" + "a" * 81, 400),
    ],
)
def test_parameters_are_bounded(api: httpx.Client, path: str, status: int) -> None:
    response = api.get(path)
    assert response.status_code == status, response.text
    if status == 200:
        assert response.json()["numberReturned"] == 103


def test_docs_need_no_network(api: httpx.Client) -> None:
    html = api.get("/docs").text
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html
    assert not re.search(r"""(src|href)=["']https?://""", html)
