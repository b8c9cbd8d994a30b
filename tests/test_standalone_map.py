"""``atlas map`` (issue 16): one self-contained HTML file that is the page's own map — its modules, fed the
answers the API would give, embedded — with the page's filters and a language.

The fast tests read the file as text: what it embeds (the same answers as the API, the place rule), that it
asks for nothing outside itself, its size, the command's choices and errors. The slow test opens it in
Chromium from disk with the network cut and looks at it as a person would: names, legend, title box, a
click and its quote, the sources; it saves docs/screenshots/standalone-map.png.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, expect

from app.admin_units import Level
from app.catalogue import Kind
from app.settings import REPO_DATA_DIR, Settings
from app.standalone_map import (
    MapError,
    answer_book,
    build_map,
    entities_at,
    page_modules,
    parse_filters,
    shown_entities,
)
from app.validation import ValidData

from .conftest import entity_ids, run_cli

MB = 1024 * 1024
SCREENSHOT = Path(__file__).resolve().parent.parent / "docs" / "screenshots" / "standalone-map.png"


def embedded(page: str, element: str = "atlas-data") -> Any:
    """The JSON of the file's ``<script id=element type=application/json>``."""
    found = re.search(rf'<script id="{element}" type="application/json">(.*?)</script>', page, re.S)
    assert found, f"no #{element} in the file"
    return json.loads(found[1])


@pytest.fixture(scope="module")
def whole(shipped: ValidData) -> str:
    """The map of the whole atlas, with a 审图号."""
    return build_map(shipped, approval_number="GS(2099)0000号")


@pytest.fixture(scope="module")
def book(whole: str) -> dict[str, Any]:
    """What the whole atlas's file embeds, read back from it (the profiles' adcodes are JSON keys: text)."""
    return embedded(whole)


# --- the file ---------------------------------------------------------------------------------------------


def test_the_whole_atlas_fits_in_one_file_under_1_mb_that_asks_for_nothing_outside_itself(whole: str) -> None:
    assert len(whole.encode("utf-8")) < MB
    # No element loads anything: no src, no stylesheet link, no CSS import or remote url().
    assert not re.search(r"<(script|img|iframe)\b[^>]*\bsrc=", whole)
    assert not re.search(r"<link\b[^>]*\bhref=", whole)
    assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//", whole)
    # Leaflet and the page's modules are inside, the modules linked to each other only (atlas:PATH).
    modules = embedded(whole, "atlas-modules")
    assert {"js/standalone.js", "js/map.js", "js/legend.js", "js/labels.js", "js/profiles.js", "i18n.js"} <= set(
        modules
    )
    for name, source in modules.items():
        for target in re.findall(r'(?:from|import)\s*\(?\s*"([^"]+)"', source):
            assert target.startswith("atlas:") and target[6:] in modules, f"{name} imports {target}"
    assert "L.map(" in whole and "leaflet" in whole.lower()


def test_the_modules_are_the_pages_own_files() -> None:
    """One definition: the file holds web/static's modules verbatim but for their import paths."""
    static = Path(__file__).resolve().parent.parent / "web" / "static"
    for name, source in page_modules().items():
        on_disk = (static / name).read_text(encoding="utf-8")
        assert re.sub(r'"atlas:[^"]+"', '"X"', source) == re.sub(r'"\.{1,2}/[^"]+\.js"', '"X"', on_disk), name


def test_the_answers_are_the_apis(book: dict[str, Any], in_process: TestClient) -> None:
    """Every entity as /api/clusters/{id} gives it (but its outline, which the file holds generalised), the
    sector tree, the places and the plans as the API gives them."""
    citations = {plan["id"]: plan["citation"] for plan in book["plans"]}
    for entity_id, entity in copy.deepcopy(book["entities"]).items():
        served = in_process.get(f"/api/clusters/{entity_id}").json()
        for ref in entity["plan_refs"]:
            ref["citation"] = citations[ref["plan"]]  # cited once per plan in the file (standalone.js)
        # The outlines aside (the file holds them generalised, by layer), and crs: the file is WGS84 only.
        assert entity == {key: value for key, value in served.items() if key not in ("geometry", "route", "crs")}
    assert book["places"] == in_process.get("/api/places").json()
    served_plans = in_process.get("/api/plans").json()
    fields = ("id", "year", "title_zh", "title_en", "number", "date", "period", "citation")
    assert [[plan[f] for f in fields] for plan in book["plans"]] == [[plan[f] for f in fields] for plan in served_plans]

    def tree(nodes: list[dict[str, Any]]) -> list[Any]:
        keys = ("id", "name_zh", "name_en", "colour", "descendants", "entity_count")
        return [[[node[key] for key in keys], tree(node["children"])] for node in nodes]

    assert tree(book["sectors"]) == tree(in_process.get("/api/sectors").json())


def test_a_places_profile_lists_what_the_apis_does(
    shipped: ValidData, book: dict[str, Any], in_process: TestClient
) -> None:
    """The place rule restated without a store (entities_at) lists what /api/places/{adcode} lists, for
    every prefecture and county, in order."""
    for unit in shipped.units:
        if unit.level is Level.province:
            continue
        served = in_process.get(f"/api/places/{unit.adcode}").json()
        profile = book["profiles"][str(unit.adcode)]
        assert profile["entities"] == [entity["id"] for entity in served["entities"]], unit.label
        assert profile["groups"] == [entity["id"] for entity in served["groups"]], unit.label
        assert [entity.id for entity in entities_at(shipped, unit.adcode)] == sorted(
            profile["entities"] + profile["groups"], key=[e.id for e in shipped.catalogue.entities].index
        )


def test_the_filters_choose_what_the_file_holds(shipped: ValidData) -> None:
    """The page's filters, as the API applies them (tests/conftest.entity_ids): the file holds those
    entities, and draws those, and no others."""
    cases = [
        ({"sector": "auto"}, {"sector": "auto"}),
        ({"kinds": [Kind.base, Kind.platform]}, {"kinds": ("base", "platform")}),
        ({"plan": "2014"}, {"plan": 2014}),
        ({"plan": "fyp2021"}, {"plan": 2021}),
        ({"place": "襄阳"}, {"place": 420600}),
        ({"place": "420600"}, {"place": 420600}),
        ({"place": "xiangyang", "sector": "auto"}, {"place": 420600, "sector": "auto"}),
    ]
    for given, api in cases:
        chosen = [entity.id for entity in shown_entities(shipped, parse_filters(shipped, **given))]  # type: ignore[arg-type]
        assert chosen == entity_ids(shipped, **api), given  # type: ignore[arg-type]
    book = answer_book(shipped, parse_filters(shipped, sector="auto", place="襄阳"))
    assert list(book["entities"]) == entity_ids(shipped, sector="auto", place=420600)
    assert [feature["id"] for feature in book["layers"]["clusters"]["features"]] == list(book["entities"])


def test_unknown_filters_are_refused_in_both_languages(shipped: ValidData) -> None:
    with pytest.raises(MapError, match=r"未知行业 unknown sector 'autos'; did you mean 'auto'\?"):
        parse_filters(shipped, sector="autos")
    with pytest.raises(MapError, match=r"未知地区 unknown place '襄樊市区'.*襄阳市 \(420600\)"):
        parse_filters(shipped, place="襄樊市区")
    with pytest.raises(MapError, match="未知规划 unknown plan '2019'; 可选 allowed: 2014, 2021"):
        parse_filters(shipped, plan="2019")
    with pytest.raises(MapError, match="未知语言 unknown language 'fr'"):
        build_map(shipped, lang="fr")


def test_the_command_takes_the_pages_filters_and_a_language(tmp_path: Path) -> None:
    output = tmp_path / "auto.html"
    settings = Settings(data_dir=REPO_DATA_DIR, map_approval_number="GS(2099)0000号")
    args = ["--sector", "auto", "--kind", "cluster", "--kind", "corridor", "--plan", "2021", "--lang", "en"]
    result = run_cli("map", *args, "--output", output, settings=settings)
    assert result.exit_code == 0, result.output
    assert re.search(
        r"已生成 Wrote .*auto\.html \(\d+ KB\): 地图上 \d+ 项，另有 \d+ 项全省 / \d+ on the map", result.output
    )
    page = output.read_text(encoding="utf-8")
    book = embedded(page)
    assert book["filters"] == {
        "sector": "auto",
        "kinds": ["cluster", "corridor"],
        "plan": "2021",
        "status": "",
        "place": None,
    }
    assert book["config"]["lang"] == "en" and book["config"]["approval_number"] == "GS(2099)0000号"
    assert '<html lang="en">' in page
    for args, words in [
        (["--sector", "autos"], "未知行业 unknown sector 'autos'"),
        (["--place", "nowhere-at-all"], "未知地区 unknown place"),
        (["--plan", "1999"], "未知规划 unknown plan '1999'"),
    ]:
        failed = run_cli("map", *args, "--output", tmp_path / "no.html", settings=settings)
        assert failed.exit_code == 2, failed.output
        assert f"无法制图 Cannot make the map: {words}" in failed.output
        assert not (tmp_path / "no.html").exists()
    assert run_cli("map", "--lang", "fr", "--output", tmp_path / "no.html").exit_code == 2


# --- in a browser, from disk, with no network -------------------------------------------------------------


def open_from_disk(browser: Browser, path: Path, escaped: list[str], errors: list[str]) -> Page:
    """The file opened as a leader would (file://) in a window of a desk's size, with every request that
    is not for the file itself (or the blob: URLs it makes of its modules) refused and recorded."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})

    def guard(route, request) -> None:  # type: ignore[no-untyped-def]
        if request.url.startswith(("file:", "blob:", "data:")):
            route.continue_()
        else:
            escaped.append(request.url)
            route.abort()

    page.route("**/*", guard)
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(path.as_uri())
    page.wait_for_selector("body[data-ready=true]", timeout=15_000)
    return page


def drawn_kinds(page: Page, book: dict[str, Any]) -> set[str]:
    """The kinds of the entities whose shapes are on the map (map.js marks each shape entity-ID)."""
    classes = page.eval_on_selector_all(
        ".leaflet-overlay-pane [class*=entity-], .leaflet-marker-pane [class*=entity-]",
        "nodes => nodes.flatMap(node => [...node.classList].filter(name => name.startsWith('entity-')))",
    )
    return {book["entities"][name[len("entity-") :]]["kind"] for name in classes}


@pytest.mark.slow
def test_a_leader_opens_the_map_from_disk(browser: Browser, shipped: ValidData, tmp_path: Path) -> None:
    settings = Settings(data_dir=REPO_DATA_DIR, map_approval_number="GS(2099)0000号")
    whole_map = tmp_path / "all.html"
    assert run_cli("map", "--output", whole_map, settings=settings).exit_code == 0
    book = embedded(whole_map.read_text(encoding="utf-8"))
    escaped: list[str] = []
    errors: list[str] = []
    page = open_from_disk(browser, whole_map, escaped, errors)
    try:
        # The prefectures' names, all 17 at this size.
        prefectures = [unit.short_name_zh for unit in shipped.units.at_level(Level.prefecture)]
        shown = page.locator(".place-label-prefecture:not([hidden])").all_inner_texts()
        assert sorted(shown) == sorted(prefectures)
        # The legend lists the kinds drawn, and only those; the colours are those of the shapes.
        kinds = drawn_kinds(page, book)
        assert kinds and kinds <= {kind.value for kind in Kind}
        legend = set(page.locator(".legend li[data-kind]").evaluate_all("nodes => nodes.map(n => n.dataset.kind)"))
        assert legend - {"stops"} == kinds
        assert ("stops" in legend) == any(
            entity["kind"] == "corridor" and entity["ordered"] and not entity["province_wide"]
            for entity in book["entities"].values()
        )
        # The title box: the title, the filters in words, the 审图号 and the date; the sources.
        title = page.locator(".map-title")
        expect(title.locator("h1")).to_have_text("湖北装备制造产业集群地图")
        expect(title.locator(".map-filters")).to_have_text(
            "行业：全部行业 · 规划：全部规划 · 状态：全部 · 类型：全部类型"
        )
        expect(title.locator(".map-approval")).to_have_text("审图号：GS(2099)0000号")
        expect(title.locator(".map-date")).to_contain_text(book["made"])
        expect(title.locator(".map-sources")).to_contain_text("鄂经信规划〔2021〕203号")
        # The attribution: the boundaries, the plans with their numbers, Leaflet plainly (no flag).
        attribution = page.locator(".leaflet-control-attribution")
        for words in ("天地图标准地图", "鄂经信规划〔2021〕203号", "原文未载文号", "审图号：GS(2099)0000号"):
            expect(attribution).to_contain_text(words)
        expect(attribution.locator("a", has_text="Leaflet")).to_have_attribute("href", "https://leafletjs.com")
        assert attribution.locator("svg, img").count() == 0
        page.screenshot(path=str(SCREENSHOT))

        # A click on the crane cluster: the chooser offers what lies there; the cluster's profile shows
        # its names, kind, plan and year, and the plan's words with their section.
        crane = next(e for e in shipped.catalogue.entities if e.name_zh == "咸宁起重机械产业集群")
        box = page.locator(f"path.entity-{crane.id}").first.bounding_box()
        assert box
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.locator(".chooser-item", has_text=crane.name_zh).click()
        profile = page.locator("#profile-body")
        expect(profile.locator("h2")).to_have_text(crane.name_zh)
        expect(profile.locator(".alt-name")).to_have_text(crane.name_en)
        expect(profile.locator(".badges")).to_contain_text("产业集群")
        expect(profile.locator(".badges")).to_contain_text("2021 规划")
        ref = crane.plan_refs[0]
        quote = profile.locator(".quote").first
        expect(quote.locator("p")).to_have_text(ref.quote)
        expect(quote.locator(".section")).to_contain_text(ref.section)
        expect(quote.locator("cite")).to_contain_text("鄂经信规划〔2021〕203号")
        page.screenshot(path=str(SCREENSHOT.with_name("standalone-map-profile.png")))
        # The place: what the plans put there, each with its words.
        profile.locator(".chip", has_text="咸宁市").click()
        expect(profile.locator("h2")).to_have_text("咸宁市")
        expect(profile.locator(".entity", has_text=crane.name_zh)).to_be_visible()
        expect(profile.locator(".with-quotes .quote").first).to_be_visible()
        page.locator("#close-profile").click()
        expect(page.locator("#panel")).to_be_hidden()

        # A corridor in the plan's order: numbered on the map, its stops named in order once selected
        # (by keyboard: every shape is a button).
        corridor = next(
            e
            for e in shipped.catalogue.entities
            if e.kind is Kind.corridor and book["entities"].get(e.id, {}).get("ordered")
        )
        stops = [shipped.units.get(adcode).short_name_zh for adcode in shipped.members[corridor.id]]
        numbers = page.locator(f'.corridor-stop span[data-entity="{corridor.id}"]').all_inner_texts()
        assert numbers == [str(n) for n in range(1, len(stops) + 1)]
        page.locator(f"path.entity-{corridor.id}").first.focus()
        page.keyboard.press("Enter")
        expect(profile.locator("h2")).to_have_text(corridor.name_zh)
        named = page.locator(".stop-body").evaluate_all(
            "nodes => nodes.map(n => [n.dataset.order, n.querySelector('.stop-name').textContent])"
        )
        assert named == [[str(n), name] for n, name in enumerate(stops, start=1)]
        page.locator("#close-profile").click()

        # English, every word of it.
        page.locator("#lang").click()
        expect(title.locator("h1")).to_have_text("Hubei Cluster Atlas")
        expect(title.locator(".map-filters")).to_have_text(
            "Sectors: All sectors · Plan: Both plans · Status: All · Kinds: All kinds"
        )
        expect(page.locator(".place-label-prefecture", has_text="Xianning")).to_be_visible()  # zoomed to it
        expect(attribution).to_contain_text("Boundaries: Tianditu standard map")
    finally:
        page.close()
    assert escaped == [], "the file asked the network"
    assert errors == [], "console errors"

    # A filtered map: the title box says the filters in words; the legend has only what is drawn.
    filtered = tmp_path / "xiangyang-auto.html"
    args = ["--sector", "auto", "--place", "襄阳", "--output", filtered]
    assert run_cli("map", *args, settings=settings).exit_code == 0
    book = embedded(filtered.read_text(encoding="utf-8"))
    page = open_from_disk(browser, filtered, escaped, errors)
    try:
        expect(page.locator(".map-filters")).to_have_text(
            "行业：汽车制造 · 规划：全部规划 · 状态：全部 · 类型：全部类型 · 地区：襄阳市"
        )
        kinds = drawn_kinds(page, book)
        legend = set(page.locator(".legend li[data-kind]").evaluate_all("nodes => nodes.map(n => n.dataset.kind)"))
        assert legend - {"stops"} == kinds
        assert {entity["kind"] for entity in book["entities"].values() if not entity["province_wide"]} == kinds
        # Printed as the page prints: one A4 sheet with the map, the filters, the legend, the sources.
        page.emulate_media(media="print")
        page.wait_for_selector("body[data-print=fitted]")
        expect(page.locator("#print-filters")).to_have_text(
            "行业：汽车制造 · 规划：全部规划 · 状态：全部 · 类型：全部类型"
        )
        expect(page.locator("#print-approval")).to_have_text("审图号：GS(2099)0000号")
        expect(page.locator(".print-sources")).to_contain_text("鄂经信规划〔2021〕203号")
        expect(page.locator(".map-title")).to_be_hidden()
    finally:
        page.close()
    assert escaped == [] and errors == []
