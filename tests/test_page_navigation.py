"""The map page's profiles, filters and navigation in Chromium (issue 10, points 6, 7, 8, 10, 11): a
place's quotes inline, one visibility rule for list, counts, profiles, map and downloads, Back and
Forward, Escape, the keyboard on the map, and the states that say what happened."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, Route, expect

from .test_web_e2e import DESK, Visit, visiting

pytestmark = pytest.mark.slow  # Chromium and a live server

SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
XIANGYANG = 420600


@pytest.fixture
def site(servers: dict[str, str]) -> str:
    return servers["spatialite"]


@pytest.fixture
def visit(browser: Browser, site: str) -> Iterator[Visit]:
    with visiting(browser, f"{site}/", **DESK) as opened:
        yield opened


def api(site: str, path: str, **params: str) -> dict:  # type: ignore[type-arg]
    response = httpx.get(f"{site}{path}", params=params, timeout=30)
    response.raise_for_status()
    return response.json()


def api_ids(site: str, **filters: str) -> set[str]:
    """The entity ids /api/clusters gives for these filters (all pages)."""
    body = api(site, "/api/clusters", limit="500", **filters)
    assert body["total"] == len(body["items"])
    return {item["id"] for item in body["items"]}


def listed(page: Page) -> set[str]:
    return set(page.locator("#results button.entity").evaluate_all("nodes => nodes.map(n => n.dataset.id)"))


def open_place_by_search(page: Page, query: str, name: str) -> None:
    page.locator("#search").fill(query)
    expect(page.locator("#suggestions [role=option]").first).to_contain_text(name)
    page.locator("#search").press("Enter")
    expect(page.locator("#profile h2")).to_have_text(name)


def profile_rows(page: Page, hidden: bool = False) -> list[str]:
    """The ids a place profile lists as shown (or, with ``hidden``, as hidden by the filters)."""
    scope = "#profile-body details.hidden-by-filter > ul.results" if hidden else "#profile-body > ul.results"
    return page.locator(f"{scope} > li > button.entity").evaluate_all("nodes => nodes.map(n => n.dataset.id)")


# --- point 6: the plans' words inline -------------------------------------------------------------------


def test_xiangyang_profile_shows_every_quote_inline(visit: Visit, site: str) -> None:
    page = visit.page
    profile = api(site, f"/api/places/{XIANGYANG}")
    open_place_by_search(page, "襄阳", "襄阳市")
    refs = [ref for entity in profile["entities"] + profile["groups"] for ref in entity["plan_refs"]]
    assert len(refs) >= 7
    quotes = page.locator("#profile-body .inline-quotes .quote")
    expect(quotes).to_have_count(len(refs))  # no entity opened: all of them are already there
    for index, ref in enumerate(refs):
        quote = quotes.nth(index)
        expect(quote).to_be_visible()
        expect(quote.locator("p")).to_contain_text(ref["quote"])
        # cited in full, as every quote is (issue 12 point 6): title, issuer, document number, date, period
        expect(quote.locator("cite")).to_have_text(ref["citation"])
        expect(quote.locator("cite")).to_contain_text(
            "湖北省装备制造业“十四五”发展规划》，湖北省经济和信息化厅，鄂经信规划〔2021〕203号"
            if ref["plan"] == "fyp2021"
            else "加快全省智能制造装备产业发展行动方案"
        )
        expect(quote.locator(".year")).to_contain_text(f"{ref['year']} 年")
        expect(quote.locator(".section")).to_contain_text(ref["section"])
    # every row says which plan (year) it comes from
    for entity in profile["entities"]:
        years = "·".join(str(year) for year in sorted(entity["plans"], reverse=True))
        expect(page.locator(f"#profile-body button.entity[data-id='{entity['id']}'] .plan-badge")).to_have_text(
            f"{years} 规划"
        )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(700)  # the map's fly to 襄阳 settles
    page.screenshot(path=str(SCREENSHOTS / "place-profile.png"))
    # collapsible, all at once or one by one
    page.get_by_role("button", name="全部收起").click()
    expect(quotes.first).to_be_hidden()
    page.locator("#profile-body .inline-quotes summary").first.click()
    expect(quotes.first).to_be_visible()
    expect(quotes.nth(1)).to_be_hidden()


def test_every_list_row_says_which_plan(visit: Visit, site: str) -> None:
    page = visit.page
    items = api(site, "/api/clusters", limit="500")["items"]
    badges = page.locator("#results button.entity .plan-badge")
    expect(badges).to_have_count(len(items))
    for item in items[:10]:
        years = "·".join(str(year) for year in sorted(item["plans"], reverse=True))
        expect(page.locator(f"#results button.entity[data-id='{item['id']}'] .plan-badge")).to_have_text(
            f"{years} 规划"
        )


# --- point 7: one rule -------------------------------------------------------------------------------------


def test_with_plan_2021_the_xiangyang_profile_sets_2014_apart_and_counts_follow(visit: Visit, site: str) -> None:
    page = visit.page
    profile = api(site, f"/api/places/{XIANGYANG}")
    only_2014 = [entity["id"] for entity in profile["entities"] if entity["plans"] == [2014]]
    assert only_2014, "襄阳 has an entity of the 2014 plan only"
    page.select_option("#plan", "2021")
    open_place_by_search(page, "襄阳", "襄阳市")
    shown, hidden = profile_rows(page), profile_rows(page, hidden=True)
    assert not set(only_2014) & set(shown)  # never silently mixed in
    assert set(only_2014) <= set(hidden)
    expect(page.locator("#profile-body details.hidden-by-filter > summary")).to_have_text(
        f"被当前筛选隐藏（{len(hidden)} 项）"
    )
    # the sector chips follow what is listed: no 2014-only sectors
    chips = page.locator("#profile-body h3:has-text('行业') + p .chip").all_inner_texts()
    assert "高档数控机床与数控系统" not in chips and "航空航天装备" in chips
    page.locator("#back").click()
    # the sector counts are what /api/clusters?plan=2021 gives per sector
    sectors = page.locator("#sector-tree .count[data-sector]").evaluate_all(
        "nodes => nodes.map(n => [n.dataset.sector, n.textContent.trim()])"
    )
    assert len(sectors) > 20
    for sector, text in sectors:
        assert text == f"({len(api_ids(site, plan='2021', sector=sector))})", sector
    kinds = page.locator("#kind-options .count[data-kind]").evaluate_all(
        "nodes => nodes.map(n => [n.dataset.kind, n.textContent.trim()])"
    )
    for kind, text in kinds:
        assert text == f"({len(api_ids(site, plan='2021', kind=kind))})", kind
    expect(page.locator("#plan option[value='2014']")).to_have_text(
        f"2014 行动方案 ({len(api_ids(site, plan='2014'))})"
    )


def test_an_entity_outside_the_filters_says_so(visit: Visit) -> None:
    page = visit.page
    page.select_option("#plan", "2021")
    page.evaluate("location.hash = location.hash + '&sel=e:key-cities-specialty-clusters-2014'")
    expect(page.locator("#profile h2")).to_have_text("重点地市优势特色产业集群")
    expect(page.locator("#profile-body .hidden-note")).to_contain_text("不在当前筛选范围内")


# Filter states as the hash writes them, and the same filters as /api/clusters takes them.
COMBINATIONS = [
    ("", {}),
    ("plan=2014", {"plan": "2014"}),
    ("sector=specialty-cranes", {"sector": "specialty-cranes"}),
    ("kinds=cluster,base&status=planned", {"kind": "cluster,base", "status": "planned"}),
    ("plan=2021&sector=smart-mfg&status=existing", {"plan": "2021", "sector": "smart-mfg", "status": "existing"}),
    ("kinds=corridor,city_group,platform&plan=2021", {"kind": "corridor,city_group,platform", "plan": "2021"}),
]


@pytest.mark.parametrize(("hash_", "filters"), COMBINATIONS, ids=[hash_ or "none" for hash_, _ in COMBINATIONS])
def test_list_map_and_downloads_follow_the_one_rule(
    visit: Visit, site: str, hash_: str, filters: dict[str, str]
) -> None:
    page = visit.page
    if hash_:
        page.evaluate(f"location.hash = '{hash_}'")
    wanted = api_ids(site, **filters)
    expect(page.locator("#result-count")).to_have_text(f"{len(wanted)} 项")
    assert listed(page) == wanted
    province_wide = {
        item["id"] for item in api(site, "/api/clusters", limit="500", **filters)["items"] if item["province_wide"]
    }
    assert page.locator("#map").get_attribute("data-entities-drawn") == str(len(wanted - province_wide))
    geojson = httpx.get(site + page.locator("#dl-geojson").get_attribute("href"), timeout=30).json()
    assert {feature["properties"]["id"] for feature in geojson["features"]} == wanted
    sheet = httpx.get(site + page.locator("#dl-csv").get_attribute("href"), timeout=30).content.decode("utf-8-sig")
    rows = csv.DictReader(io.StringIO(sheet))
    assert {row["id"] for row in rows} == wanted


def test_counts_follow_controls_as_the_list_does(visit: Visit, site: str) -> None:
    page = visit.page
    page.locator("#sector-tree input[value=specialty-cranes]").check()
    page.select_option("#status", "existing")
    wanted = api_ids(site, sector="specialty-cranes", status="existing")
    assert listed(page) == wanted
    expect(page.locator("#sector-tree .count[data-sector='specialty-cranes']")).to_have_text(
        f" ({len(api_ids(site, status='existing', sector='specialty-cranes'))})"
    )
    expect(page.locator("#kind-options .count[data-kind='cluster']")).to_have_text(
        f" ({len(api_ids(site, sector='specialty-cranes', status='existing', kind='cluster'))})"
    )


# --- point 8: navigation keeps your place ---------------------------------------------------------------


def test_back_link_returns_to_the_place(visit: Visit) -> None:
    page = visit.page
    open_place_by_search(page, "襄阳", "襄阳市")
    page.locator("#profile-body button.entity[data-id='wuhan-aviation-cluster']").click()
    expect(page.locator("#profile h2")).to_have_text("航空器、零部件研发制造产业集群")
    expect(page.locator("#back")).to_have_text("← 返回襄阳市")
    page.locator("#back").click()
    expect(page.locator("#profile h2")).to_have_text("襄阳市")
    expect(page.locator("#back")).to_have_text("← 返回列表")
    page.locator("#back").click()
    expect(page.locator("#browse")).to_be_visible()
    expect(page.locator("#profile")).to_be_hidden()


def test_browser_back_and_forward_walk_through_profiles(visit: Visit, site: str) -> None:
    page = visit.page
    open_place_by_search(page, "襄阳", "襄阳市")
    page.locator("#profile-body button.entity[data-id='wuhan-aviation-cluster']").click()
    expect(page.locator("#profile h2")).to_have_text("航空器、零部件研发制造产业集群")
    page.go_back()
    expect(page.locator("#profile h2")).to_have_text("襄阳市")
    assert page.url.startswith(site)
    page.go_back()
    expect(page.locator("#profile")).to_be_hidden()
    expect(page.locator("#browse")).to_be_visible()
    assert page.url.startswith(site)  # Back stays on the site
    page.go_forward()
    expect(page.locator("#profile h2")).to_have_text("襄阳市")
    page.go_forward()
    expect(page.locator("#profile h2")).to_have_text("航空器、零部件研发制造产业集群")
    # filters are views Back walks through too; moving the map is not
    page.locator("#back").click()  # back to 襄阳 by history
    page.locator("#back").click()  # and to the list
    page.select_option("#plan", "2014")
    page.locator(".leaflet-control-zoom-in").click()
    page.wait_for_timeout(500)
    page.go_back()
    expect(page.locator("#plan")).to_have_value("")


def test_escape_closes_a_profile(visit: Visit) -> None:
    page = visit.page
    page.locator("#results button.entity").first.click()
    expect(page.locator("#profile h2")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator("#profile")).to_be_hidden()
    expect(page.locator("#browse")).to_be_visible()
    assert "sel=" not in page.url
    expect(page.locator("#results button.entity").first).to_be_focused()


def test_map_features_are_reachable_by_keyboard(visit: Visit) -> None:
    page = visit.page
    place = page.locator(f"path.place-{XIANGYANG}")
    expect(place).to_have_attribute("tabindex", "0")
    expect(place).to_have_attribute("aria-label", "襄阳市")
    place.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#profile h2")).to_have_text("襄阳市")
    page.keyboard.press("Escape")
    entity = page.locator("path.entity-xianning-crane-cluster").first
    expect(entity).to_have_attribute("aria-label", "咸宁起重机械产业集群 · 产业集群")
    entity.focus()
    page.keyboard.press(" ")
    expect(page.locator("#profile-body")).to_contain_text("咸宁")
    page.keyboard.press("Escape")
    # Platforms are drawn as marker icons, not paths: each of them is reachable too (nine share one point).
    icons = page.locator(".platform-icon")
    assert icons.count() > 0
    for index in range(icons.count()):
        expect(icons.nth(index)).to_have_attribute("tabindex", "0")
    icon = icons.first
    entity_id = next(name[7:] for name in icon.get_attribute("class").split() if name.startswith("entity-"))
    name = page.evaluate(f"fetch('/api/clusters/{entity_id}').then((r) => r.json()).then((e) => e.name_zh)")
    expect(icon).to_have_attribute("aria-label", f"{name} · 平台与实验室")
    icon.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#profile h2")).to_have_text(name)


# --- point 10: states that say what happened and what to do -------------------------------------------


def test_an_empty_result_says_so_and_clears_the_filters(visit: Visit, site: str) -> None:
    page = visit.page
    total = len(api_ids(site))
    for kind in ("cluster", "corridor", "city_group", "specialisation", "base", "platform"):
        page.locator(f"#kind-options input[value={kind}]").uncheck()
    notice = page.locator("#notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("没有符合当前筛选的规划条目")
    notice.get_by_role("button", name="清除筛选").click()
    expect(notice).to_be_hidden()
    expect(page.locator("#result-count")).to_have_text(f"{total} 项")


def test_an_outdated_entity_link_says_unknown_and_suggests_names(browser: Browser, site: str) -> None:
    with visiting(browser, f"{site}/#sel=e:xianning-crane", **DESK) as opened:
        page = opened.page
        expect(page.locator("#profile h2")).to_have_text("找不到条目“xianning-crane”，链接可能已过时。")
        expect(page.locator("#profile-body")).not_to_contain_text("数据加载失败")
        suggestion = page.locator("#profile-body .suggested").get_by_role("button", name="咸宁起重机械产业集群")
        expect(suggestion).to_be_visible()
        suggestion.click()
        expect(page.locator("#profile h2")).to_have_text("咸宁起重机械产业集群")


def test_an_unknown_sector_in_a_link_says_so(browser: Browser, site: str) -> None:
    with visiting(browser, f"{site}/#sector=no-such-sector", **DESK) as opened:
        page = opened.page
        notice = page.locator("#notice")
        expect(notice).to_contain_text("链接中的行业“no-such-sector”不存在")
        notice.get_by_role("button", name="清除筛选").click()
        expect(notice).to_be_hidden()
        assert "sector=" not in page.url


def test_a_loading_state_while_data_is_delayed(browser: Browser, site: str) -> None:
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    held: list[Route] = []
    context.route("**/api/sectors", lambda route: held.append(route))  # answered only when the test says
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    try:
        page.goto(f"{site}/")
        expect(page.locator("#notice .loading")).to_have_text("正在加载数据…")
        assert page.locator("#panel").get_attribute("aria-busy") == "true"
        assert page.locator("body").get_attribute("data-ready") is None
        held[0].continue_()
        page.wait_for_selector("body[data-ready=true]")
        expect(page.locator("#notice")).to_be_hidden()
        assert page.locator("#panel").get_attribute("aria-busy") is None
        assert errors == []
    finally:
        context.close()


# --- point 11: no English curation notes in the Chinese page ------------------------------------------


def test_no_curation_note_in_the_chinese_interface(visit: Visit, site: str) -> None:
    page = visit.page
    items = api(site, "/api/clusters", limit="500")["items"]
    noted = [item for item in items if item.get("note")]
    assert len(noted) > 20
    # Profiles of a few of each confidence (every note is checked against the place profile below).
    sample = [item for item in noted if item["confidence"] == "inferred"][:3]
    sample += [item for item in noted if item["confidence"] == "stated"][:3]
    assert len(sample) == 6
    for item in sample:
        page.evaluate(f"location.hash = 'sel=e:{item['id']}'")
        expect(page.locator("#profile h2")).to_have_text(item["name_zh"])
        text = page.locator("#panel").inner_text()
        assert item["note"][:40] not in text, item["id"]
        placement = "推断位置：规划未逐字指明该地点" if item["confidence"] == "inferred" else "规划原文指明地点"
        expect(page.locator("#profile-body dd.placement")).to_have_text(placement)
    open_place_by_search(page, "襄阳", "襄阳市")
    text = page.locator("#panel").inner_text()
    assert not any(item["note"][:40] in text for item in noted)
    # an inferred placement says so in the list too
    inferred = next(item for item in items if item["confidence"] == "inferred")
    page.keyboard.press("Escape")
    expect(page.locator(f"#results button.entity[data-id='{inferred['id']}'] .inferred-badge")).to_have_text("推断位置")
