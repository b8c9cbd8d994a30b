"""The plan picker in Chromium (issue 13, point 5): with many plans the page loads only the chosen plans'
entities, offers the others grouped by province, city and year, and keeps the choice in the permalink;
with the shipped two plans it looks and loads as before."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, Request, expect

from app.settings import Settings
from app.store.load import load_store

from .conftest import REPO_DATA_DIR, backend_settings, running_server
from .test_web_e2e import visiting

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from many_plans import generate

pytestmark = pytest.mark.slow  # Chromium and live servers

PLANS, ENTITIES = 6, 8  # with the shipped two: 8 plans, more than the page loads at once (plans.js FEW_PLANS)


@pytest.fixture(scope="module")
def many_plans(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server of the shipped data plus generated Hubei plans (province ones of 2021 and 2026, city ones)."""
    tmp = tmp_path_factory.mktemp("many-plans")
    generate(tmp / "data", plans=PLANS, entities_per_plan=ENTITIES, provinces=[420000])
    settings = backend_settings("spatialite", tmp, "many_plans", tmp / "data")
    load_store(settings, progress=lambda _message: None)
    with running_server(settings) as base:
        yield base


@pytest.fixture(scope="module")
def shipped_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server of the shipped data alone (two plans)."""
    settings: Settings = backend_settings("spatialite", tmp_path_factory.mktemp("two-plans"), "two", REPO_DATA_DIR)
    load_store(settings, progress=lambda _message: None)
    with running_server(settings) as base:
        yield base


def entity_layer_requests(requests: list[Request]) -> list[dict[str, list[str]]]:
    """The queries of the page's requests for the entities' map layer."""
    return [parse_qs(urlsplit(r.url).query) for r in requests if urlsplit(r.url).path == "/api/map/clusters"]


def test_many_plans_load_the_newest_province_plans_and_offer_the_rest(browser: Browser, many_plans: str) -> None:
    plans = httpx.get(f"{many_plans}/api/plans").json()
    newest = max(plan["year"] for plan in plans if plan["province"]["adcode"] == 420000 and plan["city"] is None)
    default = sorted(plan["id"] for plan in plans if plan["year"] == newest and plan["city"] is None)
    expected = sum(plan["entities"] for plan in plans if plan["id"] in default)
    assert len(plans) > 4 and default and expected < sum(plan["entities"] for plan in plans)

    seen: list[Request] = []
    with visiting(browser, many_plans + "/") as visit:
        page = visit.page
        page.on("request", lambda request: seen.append(request))
        page.reload()
        page.wait_for_selector("body[data-ready=true]")
        # Every entity request of the first view names the default plans: nothing loads all plans at once.
        first = entity_layer_requests(seen)
        assert first and all(query.get("plans") == [",".join(default)] for query in first)
        # ... and the boundaries and places those of the plans' province only.
        outlines = [r.url for r in seen if urlsplit(r.url).path in ("/api/map/prefectures", "/api/places")]
        assert outlines and all("provinces=420000" in url for url in outlines)
        expect(page.locator("#result-count")).to_contain_text(str(expected))
        assert f"plans={','.join(default)}" in page.url

        # The picker: one province (湖北省), its own plans and a city's, years newest first.
        box = page.locator("#plans-box")
        expect(box).to_be_visible()
        box.locator("summary").click()
        province = box.locator("li.plan-province[data-province='420000']")
        expect(province).to_contain_text("湖北省")
        expect(province.locator("li.plan-city[data-city='0']")).to_contain_text("省级规划")
        assert province.locator("li.plan-city").count() >= 2  # the province's own and at least one city's
        years = [
            int(y)
            for y in province.locator("li.plan-city[data-city='0'] li.plan-year").evaluate_all(
                "nodes => nodes.map(node => node.dataset.year)"
            )
        ]
        assert years == sorted(years, reverse=True) and 2014 in years and 2026 in years

        # Choosing the 2014 action plan as well loads its entities with the others.
        seen.clear()
        box.locator("li[data-plan='action2014'] input").check()
        chosen = sorted([*default, "action2014"])
        expect(page.locator("#result-count")).to_contain_text(
            str(expected + next(plan["entities"] for plan in plans if plan["id"] == "action2014"))
        )
        assert [query.get("plans") for query in entity_layer_requests(seen)] == [[",".join(chosen)]]
        assert f"plans={','.join(chosen)}" in page.url

        # The permalink gives the same choice to the next reader, and Back returns to the previous one.
        page.go_back()
        expect(page.locator("#result-count")).to_contain_text(str(expected))


def test_a_link_chooses_plans(browser: Browser, many_plans: str) -> None:
    with visiting(browser, many_plans + "/#plans=action2014") as visit:
        expect(visit.page.locator("#plans-box summary")).to_contain_text("1/")
        total = httpx.get(f"{many_plans}/api/clusters?plans=action2014&limit=1").json()["total"]
        expect(visit.page.locator("#result-count")).to_contain_text(str(total))


def test_two_plans_load_as_before(browser: Browser, shipped_server: str) -> None:
    seen: list[Request] = []
    with visiting(browser, shipped_server + "/") as visit:
        page = visit.page
        page.on("request", lambda request: seen.append(request))
        page.reload()
        page.wait_for_selector("body[data-ready=true]")
        assert entity_layer_requests(seen) and all("plans" not in query for query in entity_layer_requests(seen))
        assert not [r.url for r in seen if "provinces=" in r.url]
        expect(page.locator("#plans-box")).to_be_hidden()
        assert "plans=" not in page.url


def test_an_entity_of_an_unchosen_plan_opens_and_loads_its_plan(browser: Browser, many_plans: str) -> None:
    plans = httpx.get(f"{many_plans}/api/plans").json()
    city_plan = next(plan for plan in plans if plan["city"] is not None)
    entity = httpx.get(f"{many_plans}/api/clusters?plans={city_plan['id']}&limit=1").json()["items"][0]
    with visiting(browser, f"{many_plans}/#sel=e:{entity['id']}") as visit:
        page = visit.page
        expect(page.locator("#profile h2")).to_have_text(entity["name_zh"])
        expect(page).to_have_url(re.compile(f"plans=[^&]*{re.escape(city_plan['id'])}"))
        expect(page.locator(f"#plans-box li[data-plan='{city_plan['id']}'] input")).to_be_checked()
