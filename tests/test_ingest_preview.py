"""The review server's proposed layer in a real browser (issue 13, point 3): a server started with a
proposals file draws them as a dashed layer labelled 待审核 proposed, with each quote in its context; the
public server, on the same store, neither draws nor fetches them. Then the way on: accept → validate →
load, after which the accepted entities are published with their quotes like any other."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, expect

from api.factory import create_app
from app.settings import Settings

from .conftest import run_cli, running_server
from .test_ingest_review import PLAN_ID, PLAN_TEXT, TARGETS, XIANGYANG, proposals_file, standard_entities
from .test_web_e2e import visiting

pytestmark = pytest.mark.slow  # Chromium, live servers and a load


def loaded(page: Page) -> list[str]:
    """Every URL the page fetched (scripts and modules included), from the browser's own record."""
    return page.evaluate("performance.getEntriesByType('resource').map((entry) => entry.name)")


@pytest.fixture(scope="module")
def proposals_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("proposals") / "test2026.yaml"
    path.write_text(proposals_file(standard_entities()), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def preview_site(spatialite_loaded: Settings, proposals_path: Path) -> Iterator[str]:
    with running_server(spatialite_loaded.model_copy(update={"preview_proposals": proposals_path})) as base:
        yield base


@pytest.fixture(scope="module")
def public_site(spatialite_loaded: Settings) -> Iterator[str]:
    with running_server(spatialite_loaded) as base:
        yield base


def test_the_preview_server_shows_the_proposed_layer(browser: Browser, preview_site: str) -> None:
    with visiting(browser, f"{preview_site}/") as visit:
        page = visit.page
        expect(page.locator(".proposed-control")).to_contain_text("待审核 proposed")
        expect(page.locator(".proposed-control")).to_contain_text(f"({len(standard_entities())})")
        expect(page.locator("#map")).to_have_attribute("data-proposals-drawn", str(len(standard_entities())))
        outline = page.locator("path.proposed-xiangyang-nev-cluster")
        expect(outline).to_have_count(1)
        assert outline.get_attribute("stroke-dasharray") == "8 6"  # dashed, apart from the catalogue
        assert page.locator(".leaflet-pane.leaflet-proposed-pane path.proposed").count() == len(standard_entities())
        # The quote in its context, in the popup of a proposal.
        outline.click()  # at the middle of its box, which lies in 襄阳市
        popup = page.locator(".proposed-details[data-proposal=xiangyang-nev-cluster]")
        expect(popup).to_be_visible()
        expect(popup).to_contain_text(
            "近年来，全省测试装备产业稳步发展。襄阳市已形成新能源汽车产业集群产值超过千亿元。"
        )
        expect(popup.locator("mark")).to_have_text("襄阳市已形成新能源汽车产业集群")
        expect(popup).to_contain_text("理由 Reason: matched pattern")
        expect(popup).to_contain_text("已接受 accepted")
        assert any(url.endswith("/static/js/preview.js") for url in loaded(page))  # the check below can see it
        # The layer can be hidden and shown again.
        page.locator(".proposed-control input").uncheck()
        expect(page.locator("path.proposed")).to_have_count(0)
        page.locator(".proposed-control input").check()
        expect(page.locator("path.proposed")).to_have_count(len(standard_entities()))


def test_the_public_server_has_no_proposed_layer(browser: Browser, public_site: str) -> None:
    with visiting(browser, f"{public_site}/") as visit:
        page = visit.page
        page.wait_for_load_state("networkidle")
        asked = loaded(page)
        expect(page.locator(".proposed-control")).to_have_count(0)
        expect(page.locator("path.proposed")).to_have_count(0)
        assert page.locator("#map").get_attribute("data-proposals-drawn") is None
        assert int(page.locator("#map").get_attribute("data-entities-drawn") or 0) > 0  # the page itself works
    assert not [url for url in asked if "preview" in url]
    assert httpx.get(f"{public_site}/preview/proposals", timeout=10).status_code == 404
    assert httpx.get(f"{public_site}/static/js/main.js", timeout=10).status_code == 200


def test_accepted_proposals_are_published_after_validate_and_load(make_data_dir: Callable[..., Path]) -> None:
    data_dir = make_data_dir()
    (data_dir / "plans" / f"{PLAN_ID}.txt").write_text(PLAN_TEXT, encoding="utf-8")
    (data_dir / "targets.yaml").write_text(TARGETS, encoding="utf-8")
    path = data_dir.parent / "proposals.yaml"
    path.write_text(proposals_file(standard_entities()), encoding="utf-8")
    settings = Settings(data_dir=data_dir, store_path=data_dir.parent / "store.sqlite", public_url="http://testserver")
    for command in (("accept", path), ("validate",), ("load",)):
        result = run_cli(*command, settings=settings)
        assert result.exit_code == 0, (command, result.output)
    with TestClient(create_app(settings)) as client:
        entity = client.get("/api/clusters/xiangyang-nev-cluster").json()
        assert entity["plan_refs"][0]["quote"] == XIANGYANG and "测试厅" in entity["plan_refs"][0]["citation"]
        assert entity["confidence"] == "stated" and entity["members"] == [420600]
        item = client.get("/ogc/collections/clusters/items/yi-jing-jing-en-base")
        assert item.status_code == 200 and item.json()["geometry"]["type"] == "MultiPolygon"
        download = client.get("/downloads/clusters.geojson").json()
        ids = {feature["properties"]["id"] for feature in download["features"]}
        assert {"xiangyang-nev-cluster", "test-innovation-centre"} <= ids and "pending-one" not in ids
