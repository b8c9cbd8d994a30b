"""The map of the page in Chromium (issue 10, points 1-5 and 9): place names that never collide, colours by
what the filter is about with a legend of exactly what is drawn, the selection on top and clear of the
legend, numbered stops in the plan's order, a chooser for what lies under a click, and shared links fitted
to the receiver's screen. Network cut to loopback, no console error (a CSP violation is one)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from app.validation import ValidData

from .test_web_e2e import DESK, Visit, open_page, visiting

pytestmark = pytest.mark.slow  # Chromium and live servers

SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
CORRIDOR = "han-xiao-sui-xiang-shi-auto-corridor"
XIANGYANG = 420600
BOXES_JS = """(nodes) => nodes.map((n) => {
    const r = n.getBoundingClientRect();
    return {left: r.left, top: r.top, right: r.right, bottom: r.bottom};
})"""


@pytest.fixture
def site(servers: dict[str, str]) -> str:
    return servers["spatialite"]


@pytest.fixture
def visit(browser: Browser, site: str) -> Iterator[Visit]:
    with visiting(browser, f"{site}/", **DESK) as opened:
        yield opened


def label_boxes(page: Page) -> list[dict[str, Any]]:
    return page.evaluate(
        """() => [...document.querySelectorAll('.place-label.placed')].map((node) => {
            const r = node.getBoundingClientRect();
            return {adcode: Number(node.dataset.adcode), text: node.textContent,
                    left: r.left, top: r.top, right: r.right, bottom: r.bottom};
        })"""
    )


def overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]


def rect(page: Page, selector: str) -> dict[str, float]:
    return page.evaluate(
        f"""() => {{ const r = document.querySelector({selector!r}).getBoundingClientRect();
                   return {{left: r.left, top: r.top, right: r.right, bottom: r.bottom}}; }}"""
    )


def assert_labels_clear(page: Page) -> list[dict[str, Any]]:
    boxes = label_boxes(page)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not overlap(a, b), (a, b)
    return boxes


def test_first_view_names_all_17_prefectures_without_overlaps(visit: Visit) -> None:
    page = visit.page
    boxes = assert_labels_clear(page)
    prefectures = {box["adcode"] for box in boxes if box["adcode"] % 100 == 0 or box["adcode"] // 1000 == 429}
    assert len(prefectures) == 17, sorted(box["text"] for box in boxes)
    assert {"武汉", "襄阳", "恩施", "神农架"} <= {box["text"] for box in boxes}
    # Every name lies within the map and clear of the legend.
    map_box, legend = rect(page, "#map"), rect(page, ".legend")
    for box in boxes:
        assert map_box["left"] <= box["left"] and box["right"] <= map_box["right"]
        assert not overlap(box, legend), box
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "first-view.png"))
    # The language switch names them in English.
    page.locator("#lang").click()
    expect(page.locator(".place-label.placed", has_text="Xiangyang")).to_have_count(1)
    assert_labels_clear(page)


def test_county_names_come_with_county_boundaries(visit: Visit) -> None:
    page = visit.page
    before = len(label_boxes(page))
    page.locator("#counties").check()
    for _ in range(50):  # polled here: wait_for_function evaluates a string, which the page's CSP refuses
        if len(label_boxes(page)) > before:
            break
        page.wait_for_timeout(100)
    boxes = assert_labels_clear(page)
    assert any(box["adcode"] % 100 != 0 and box["adcode"] // 1000 != 429 for box in boxes)


def drawn_colours(page: Page) -> set[str]:
    """The fill or stroke colours of the entity shapes and symbols on the map (boundaries excluded)."""
    return set(
        page.evaluate(
            """() => {
                const colours = [];
                for (const node of document.querySelectorAll('.leaflet-overlay-pane path[class*="entity-"]')) {
                    // An outline or a line shows its stroke; a filled symbol (a base's disc) its fill.
                    const fill = node.getAttribute('fill');
                    const filled = fill && fill !== 'none' && node.getAttribute('fill-opacity') !== '0';
                    colours.push((filled ? fill : node.getAttribute('stroke')).toUpperCase());
                }
                for (const node of document.querySelectorAll('.platform-icon span')) {
                    const rgb = getComputedStyle(node).backgroundColor.match(/\\d+/g).slice(0, 3);
                    colours.push('#' + rgb.map((v) => Number(v).toString(16).padStart(2, '0')).join('').toUpperCase());
                }
                return colours;
            }"""
        )
    )


def legend_colours(page: Page) -> list[str]:
    return [
        colour.upper()
        for colour in page.locator(".legend li[data-colour]").evaluate_all(
            "(nodes) => nodes.map((n) => n.dataset.colour)"
        )
    ]


def test_the_legend_lists_exactly_the_colours_drawn(visit: Visit) -> None:
    page = visit.page
    listed = legend_colours(page)
    assert len(listed) == len(set(listed)), "one legend entry per colour"
    assert set(listed) == drawn_colours(page)
    # A sector chosen: coloured by its sub-sectors, and the legend follows.
    page.locator("#sector-tree input[value=smart-mfg]").check()
    expect(page.locator(".legend")).to_contain_text("细分行业")
    listed = legend_colours(page)
    assert set(listed) == drawn_colours(page)
    names = page.locator(".legend li[data-colour] .legend-name").all_inner_texts()
    assert any("高档数控机床" in name for name in names), names
    assert not any("光电子" in name or "汽车" in name for name in names), names
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "sector-view.png"))


def test_areas_are_outlines_and_only_the_selection_is_filled(visit: Visit) -> None:
    page = visit.page
    filled = page.locator('.leaflet-overlay-pane path[class*="entity-"][fill-opacity]:not([fill-opacity="0"])')
    areas = page.locator('.leaflet-overlay-pane path[class*="entity-"]')
    assert areas.count() > 20
    # Corridor arrowheads are the only filled symbols among the shapes: no translucent areas to mix.
    assert all(
        float(opacity) in (0.0, 1.0)
        for opacity in filled.evaluate_all("(n) => n.map((x) => x.getAttribute('fill-opacity'))")
    )


def seat_point(page: Page, adcode: int) -> tuple[float, float]:
    """Where a place's seat is on the screen: the base circle drawn there (the smart-manufacturing parks
    are drawn at each member's seat) that lies within the place's outline."""
    point = page.evaluate(
        f"""() => {{
            for (const circle of document.querySelectorAll('path.entity-smart-mfg-demo-parks')) {{
                const r = circle.getBoundingClientRect();
                const [x, y] = [r.left + r.width / 2, r.top + r.height / 2];
                if (document.elementsFromPoint(x, y).some((n) => n.classList.contains('place-{adcode}'))) return [x, y];
            }}
            return null;
        }}"""
    )
    assert point is not None, f"no seat drawn for {adcode}"
    return point[0], point[1]


def test_search_corridor_selection_on_top_visible_with_numbered_stops(visit: Visit) -> None:
    page = visit.page
    page.locator("#search").fill("汉孝随襄十")
    expect(page.locator("#suggestions [role=option]").first).to_contain_text("汉孝随襄十")
    page.locator("#search").press("Enter")
    expect(page.locator("#profile h2")).to_contain_text("汉孝随襄十")
    expect(page.locator("#map")).to_have_attribute("data-selection", f"entity:{CORRIDOR}")
    page.wait_for_timeout(900)  # the fly to the selection
    # Numbered, named stops in the plan's order.
    stops = page.locator(".leaflet-selection-pane .stop-body")
    expect(stops).to_have_count(5)
    assert stops.locator(".stop-number").all_inner_texts() == ["1", "2", "3", "4", "5"]
    assert stops.locator(".stop-name").all_inner_texts() == ["武汉", "孝感", "随州", "襄阳", "十堰"]
    # The selection is the top-most shape along its whole length, and within the visible map area.
    samples = page.evaluate(
        """() => {
            const line = [...document.querySelectorAll('.leaflet-selection-pane path.selection')].at(-1);
            const length = line.getTotalLength();
            const matrix = line.getScreenCTM();
            const out = [];
            for (let i = 0; i <= 20; i++) {
                const p = line.getPointAtLength((length * i) / 20).matrixTransform(matrix);
                const top = document.elementFromPoint(p.x, p.y);
                out.push({x: p.x, y: p.y, top: top && (top.closest('.leaflet-selection-pane')
                    ? 'selection' : String(top.className.baseVal))});
            }
            return out;
        }"""
    )
    assert all(sample["top"] == "selection" for sample in samples), samples
    map_box, legend, panel = rect(page, "#map"), rect(page, ".legend"), rect(page, "#panel")
    for sample in samples:
        point = {"left": sample["x"], "top": sample["y"], "right": sample["x"] + 0.1, "bottom": sample["y"] + 0.1}
        assert map_box["left"] <= sample["x"] <= map_box["right"] and map_box["top"] <= sample["y"] <= map_box["bottom"]
        assert not overlap(point, legend), ("under the legend", sample)
        assert not overlap(point, panel), ("under the panel", sample)
    for stop in stops.all():
        box = stop.bounding_box()
        assert box is not None
        assert not overlap(
            {"left": box["x"], "top": box["y"], "right": box["x"] + box["width"], "bottom": box["y"] + box["height"]},
            legend,
        )
    # Names keep clear of the stops.
    stop_boxes = stops.evaluate_all(BOXES_JS)
    for box in assert_labels_clear(page):
        assert not any(overlap(box, stop) for stop in stop_boxes), box


def test_every_corridor_numbers_its_stops_in_the_plans_order(visit: Visit, shipped: ValidData) -> None:
    page = visit.page
    # A corridor is numbered where the plan gives its order (its places stated); 汉江千里产业走廊's are inferred.
    entities = shipped.catalogue.entities
    corridors = [entity for entity in entities if entity.kind == "corridor" and entity.confidence == "stated"]
    unordered = [entity.id for entity in entities if entity.kind == "corridor" and entity.confidence != "stated"]
    assert corridors and unordered
    badges = page.evaluate(
        """() => [...document.querySelectorAll('.corridor-stop span')].map((node) => {
            const r = node.getBoundingClientRect();
            return {entity: node.dataset.entity, number: node.textContent,
                    left: r.left, top: r.top, right: r.right, bottom: r.bottom};
        })"""
    )
    for corridor in corridors:
        own = [badge for badge in badges if badge["entity"] == corridor.id]
        assert [badge["number"] for badge in own] == [str(n) for n in range(1, len(corridor.members) + 1)], corridor.id
    assert not [badge for badge in badges if badge["entity"] in unordered]
    # Corridors sharing a city (three start in 武汉) show their numbers side by side, and names keep clear.
    for i, a in enumerate(badges):
        for b in badges[i + 1 :]:
            assert not overlap(a, b), (a, b)
    for box in assert_labels_clear(page):
        assert not any(overlap(box, badge) for badge in badges), box
    expect(page.locator(".legend [data-kind=stops]")).to_contain_text("规划所列顺序")
    # A selected corridor's full stops replace its small numbers; the other corridors keep theirs.
    page.locator("#search").fill("汉孝随襄十")
    expect(page.locator("#suggestions [role=option]").first).to_contain_text("汉孝随襄十")
    page.locator("#search").press("Enter")
    expect(page.locator(".leaflet-selection-pane .stop-body")).to_have_count(5)
    expect(page.locator(f".corridor-stop span[data-entity='{CORRIDOR}']:not([hidden])")).to_have_count(0)
    others = [corridor for corridor in corridors if corridor.id != CORRIDOR]
    for corridor in others:
        expect(page.locator(f".corridor-stop span[data-entity='{corridor.id}']:not([hidden])")).to_have_count(
            len(corridor.members)
        )
    # A corridor with no order of the plan's is outlined, not lined, and selected it shows no numbered stops.
    [unordered_id] = unordered
    expect(page.locator(f"path.entity-{unordered_id}")).to_have_count(1)
    page.locator("#search").fill("汉江千里产业走廊")
    expect(page.locator("#suggestions [role=option]").first).to_contain_text("汉江千里产业走廊")
    page.locator("#search").press("Enter")
    expect(page.locator("#map")).to_have_attribute("data-selection", f"entity:{unordered_id}")
    expect(page.locator(".leaflet-selection-pane .stop-body")).to_have_count(0)


def test_one_base_at_several_seats_says_it_is_one_entry(visit: Visit, shipped: ValidData) -> None:
    page = visit.page
    bases = [e for e in shipped.catalogue.entities if e.kind == "base" and len(e.members) > 1]
    assert bases
    base = bases[0]
    symbols = page.locator(f"path.entity-{base.id}")
    expect(symbols).to_have_count(len(base.members))
    for index in range(len(base.members)):  # some seats are under other symbols (Wuhan's platforms)
        try:
            symbols.nth(index).hover(timeout=1500)
            break
        except PlaywrightTimeout:
            continue
    expect(page.locator(".leaflet-tooltip")).to_contain_text(f"1 项，分布于 {len(base.members)} 地")


def test_a_click_at_xiangyangs_seat_offers_xiangyang(visit: Visit) -> None:
    page = visit.page
    x, y = seat_point(page, XIANGYANG)
    page.mouse.click(x, y)
    # The seat has the place, the corridor and the parks drawn there: a chooser, never the top shape alone.
    chooser = page.locator(".chooser")
    expect(chooser).to_be_visible()
    items = chooser.locator(".chooser-item")
    assert items.count() >= 2
    expect(chooser).to_contain_text("襄阳市")
    expect(chooser).to_contain_text("汉孝随襄十")
    # Keyboard: focus is in the chooser; arrows move, Enter opens.
    assert page.evaluate("document.activeElement.classList.contains('chooser-item')")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    focused = page.evaluate("document.activeElement.textContent")
    assert "襄阳市" in focused
    page.keyboard.press("Enter")
    expect(page.locator("#profile h2")).to_have_text("襄阳市")


def test_nine_platforms_at_one_point_are_all_offered(visit: Visit) -> None:
    page = visit.page
    page.locator("#kind-options input[value=platform]").check()
    for kind in ("cluster", "specialisation", "city_group", "base", "corridor"):
        page.locator(f"#kind-options input[value={kind}]").uncheck()
    icon = page.locator(".platform-icon").first
    box = icon.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    chooser = page.locator(".chooser")
    expect(chooser).to_be_visible()
    drawn_here = page.locator(".platform-icon").count()
    assert chooser.locator(".chooser-item").count() == drawn_here + 1  # and 武汉市 itself
    expect(chooser).to_contain_text("武汉市")
    page.keyboard.press("Escape")
    expect(chooser).to_have_count(0)


@pytest.mark.parametrize("width,height", [(390, 844), (1440, 900)])
def test_a_shared_link_fits_the_selection_to_the_receivers_screen(
    browser: Browser, site: str, width: int, height: int
) -> None:
    # The sender was zoomed far in on Wuhan: the receiver sees the whole corridor anyway.
    link = f"{site}/#map=11/30.5900/114.3000&sel=e:{CORRIDOR}"
    opened = open_page(browser, link, width=width, height=height)
    try:
        page = opened.page
        expect(page.locator(".leaflet-selection-pane .stop-body")).to_have_count(5)
        page.wait_for_timeout(300)
        map_box = rect(page, "#map")
        # Every stop, its number and its name, lies inside the map.
        for box in page.locator(".leaflet-selection-pane .stop-body").evaluate_all(BOXES_JS):
            assert map_box["left"] <= box["left"] and box["right"] <= map_box["right"], (box, map_box)
            assert map_box["top"] <= box["top"] and box["bottom"] <= map_box["bottom"], (box, map_box)
        assert not page.evaluate("location.hash").startswith("#map=11/")
        assert opened.escaped == [] and opened.errors == []
    finally:
        opened.page.context.close()
