"""An address the atlas does not have: a page with the way back for a browser, the JSON 404 for clients."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize("path", ["/no-such-page", "/api/clusters/no-such-entity", "/ogc/collections/rivers"])
def test_a_browser_gets_a_page_with_the_way_back(in_process: TestClient, path: str) -> None:
    response = in_process.get(path, headers={"Accept": BROWSER_ACCEPT})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "找不到该页面" in response.text and "Page not found" in response.text
    assert 'href="/"' in response.text and path in response.text
    assert "script" not in response.headers["content-security-policy"].replace("default-src 'none'", "")
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("accept", ["application/json", "*/*", "application/geo+json", ""])
def test_clients_keep_the_json_404(in_process: TestClient, accept: str) -> None:
    response = in_process.get("/api/clusters/no-such-entity", headers={"Accept": accept})
    assert response.status_code == 404
    assert response.json() == {"code": "NotFound", "description": "No entity 'no-such-entity'."}


def test_what_was_asked_is_shown_as_text(in_process: TestClient) -> None:
    response = in_process.get("/api/clusters/<img src=x onerror=alert(1)>", headers={"Accept": BROWSER_ACCEPT})
    assert response.status_code == 404
    assert "<img" not in response.text and "&lt;img" in response.text


@pytest.mark.slow
def test_the_page_leads_back_to_the_map(browser: Browser, servers: dict[str, str]) -> None:
    site = servers["spatialite"]
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    leaving: list[str] = []
    context.route(
        "**/*",
        lambda route, request: (
            route.continue_() if request.url.startswith(site) else (leaving.append(request.url), route.abort())
        ),
    )
    response = page.goto(f"{site}/downloads/rivers.gpkg")
    assert response is not None and response.status == 404
    assert page.get_by_role("heading", name="找不到该页面 Page not found").is_visible()
    page.get_by_role("link", name="← 返回地图 Back to the map").click()
    page.wait_for_selector("body[data-ready=true]", timeout=20_000)
    # The one console error is the browser's own note of the 404 itself; no CSP violation, nothing else.
    assert [error for error in errors if "404" not in error] == [] and leaving == []
    context.close()
