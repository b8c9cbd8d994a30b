"""Print and phone (issue 10, points 12 and 13) in Chromium, every request off 127.0.0.1 refused.

Print: the PDF of the print view is exactly one A4 landscape page; with no filter the printed map box holds
all 17 prefectures, with a filter it is fitted to what is drawn; the printed legend lists only what is
drawn; the sheet carries the sources with their document numbers, the approval line and the date.
Phone (390 × 844): the legend opens and closes with its toggle on screen; a list entry shows its selection
on the map, also from the full-screen panel; every control can be reached."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from playwright.sync_api import Browser, Page, expect

from app.validation import ValidData

from .conftest import entity_ids
from .test_web_e2e import Visit, _on_map, visiting

pytestmark = pytest.mark.slow  # Chromium and live servers

SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}
KIND_ZH = {
    "cluster": "产业集群",
    "corridor": "产业走廊",
    "city_group": "城市群",
    "specialisation": "城市特色产业",
    "base": "基地与园区",
    "platform": "平台与实验室",
}
A4_LANDSCAPE_PT = (841.89, 595.28)
MM = 96 / 25.4  # CSS pixels per millimetre


@pytest.fixture
def site(servers: dict[str, str]) -> str:
    return servers["spatialite"]


@pytest.fixture
def desk(browser: Browser, site: str) -> Iterator[Visit]:
    with visiting(browser, f"{site}/") as opened:
        yield opened


@pytest.fixture
def phone(browser: Browser, site: str) -> Iterator[Visit]:
    with visiting(browser, f"{site}/", **PHONE) as opened:
        yield opened


# ---- print ----------------------------------------------------------------------------------------------


def _print_view(page: Page) -> None:
    """Print media as page.pdf() lays it out (it fires no beforeprint: the page follows the media query)."""
    page.emulate_media(media="print")
    page.wait_for_selector("body[data-print=fitted]", state="attached")
    page.wait_for_timeout(300)  # the SVG renderer redraws on the fitted view's moveend


def _pdf_pages(pdf: bytes, path: Path) -> tuple[int, tuple[float, float]]:
    """The PDF's page count and first page's size in points: pdfinfo (poppler-utils, installed by
    scripts/setup.sh --test), else the page objects counted in the bytes (Chromium writes no object streams)."""
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
        pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]
        width, height = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", info, re.M).groups()  # type: ignore[union-attr]
        return pages, (float(width), float(height))
    pages = len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))
    box = re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert box, "no MediaBox in the PDF"
    return pages, (float(box.group(1)), float(box.group(2)))


def _make_pdf(page: Page, path: Path) -> tuple[int, tuple[float, float]]:
    # The page's @page rule says A4 landscape; the PDF follows it.
    path.write_bytes(page.pdf(prefer_css_page_size=True, print_background=True))
    return _pdf_pages(path.read_bytes(), path)


def _inside(box: dict[str, float], outer: dict[str, float], slack: float = 1) -> bool:
    return (
        box["x"] >= outer["x"] - slack
        and box["y"] >= outer["y"] - slack
        and box["x"] + box["width"] <= outer["x"] + outer["width"] + slack
        and box["y"] + box["height"] <= outer["y"] + outer["height"] + slack
    )


def _printed_legend(page: Page) -> tuple[set[str], list[str]]:
    legend = page.locator("#print-legend")
    kinds = {" ".join(text.split()) for text in legend.locator(".print-kinds li").all_inner_texts()}
    # the chosen sector itself, among its sub-sectors, is "name（未细分）" (entities naming no finer sector)
    texts = legend.locator(".print-sectors li").all_inner_texts()
    sectors = [text.strip().removesuffix("（未细分）") for text in texts]
    return kinds, sectors


def test_print_is_one_a4_landscape_page_with_all_of_hubei(desk: Visit, shipped: ValidData, tmp_path: Path) -> None:
    page = desk.page
    _print_view(page)
    map_box = page.locator("#map").bounding_box()
    assert map_box
    # the map box fits the page inside its margins (277 × 190 mm), beside the sheet
    assert map_box["width"] <= 277 * MM and map_box["height"] <= 190 * MM
    prefectures = [
        unit.adcode for unit in shipped.units if str(getattr(unit.level, "value", unit.level)) == "prefecture"
    ]
    assert len(prefectures) == 17
    for adcode in prefectures:
        outline = page.locator(f".leaflet-overlay-pane path.place-{adcode}").first
        box = outline.bounding_box()
        assert box and _inside(box, map_box), f"prefecture {adcode} is not within the printed map box"
    # and the province fills the box both ways: the box is shortened to the fitted province, no empty bands
    boxes = [page.locator(f"path.place-{adcode}").first.bounding_box() or {} for adcode in prefectures]
    span_x = max(b["x"] + b["width"] for b in boxes) - min(b["x"] for b in boxes)
    span_y = max(b["y"] + b["height"] for b in boxes) - min(b["y"] for b in boxes)
    assert min(span_x / map_box["width"], span_y / map_box["height"]) > 0.85, (span_x, span_y, map_box)
    sheet = page.locator("#print-sheet")
    expect(sheet).to_be_visible()
    for words in (
        "湖北装备制造产业集群地图",
        "行业：全部行业 · 规划：全部规划 · 状态：全部 · 类型：全部类型",
        "天地图标准地图",
        "鄂经信规划〔2021〕203号",
        "原文未载文号",
        "审图号",
        "打印日期",
    ):
        expect(sheet).to_contain_text(words)
    plans = {plan.id: plan for plan in shipped.catalogue.plans}
    assert plans["fyp2021"].number == "鄂经信规划〔2021〕203号" and plans["action2014"].number is None  # as printed
    expect(page.locator("#panel")).to_be_hidden()

    pdf = tmp_path / "atlas.pdf"
    pages, size = _make_pdf(page, pdf)
    assert pages == 1
    assert size == pytest.approx(A4_LANDSCAPE_PT, abs=2)
    if shutil.which("pdftoppm"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "110", "-singlefile", str(pdf), str(SCREENSHOTS / "print")], check=True
        )
    else:
        page.set_viewport_size({"width": 1123, "height": 794})
        page.screenshot(path=str(SCREENSHOTS / "print.png"))

    # back on screen, the screen's view returns
    page.emulate_media(media="screen")
    expect(page.locator("body")).not_to_have_attribute("data-print", "fitted")
    expect(page.locator("#panel")).to_be_visible()


def test_printed_legend_lists_only_what_is_drawn(desk: Visit, shipped: ValidData, tmp_path: Path) -> None:
    page, catalogue = desk.page, shipped.catalogue
    by_id = {entity.id: entity for entity in catalogue.entities}

    def expected(ids: list[str]) -> tuple[set[str], set[str]]:
        drawn = [by_id[entity_id] for entity_id in _on_map(shipped, ids)]
        kinds = {KIND_ZH[entity.kind.value] for entity in drawn}
        if "产业走廊" in kinds:  # their stops are numbered, and the legend says what the numbers mean
            kinds.add("1 走廊站点：规划所列顺序")
        # a colour entry names a sector on the chain of a drawn entity's sectors (or the grey "other")
        names = {catalogue.sector(s).name_zh for e in drawn for each in e.sectors for s in catalogue.sector_chain(each)}
        return kinds, names | {"其他行业", "未标行业"}

    # no filter: the kinds drawn, and colours of sectors drawn
    _print_view(page)
    kinds, sectors = _printed_legend(page)
    wanted_kinds, wanted_names = expected([entity.id for entity in catalogue.entities])
    assert kinds == {"市州边界", *wanted_kinds}
    assert sectors and set(sectors) <= wanted_names
    page.emulate_media(media="screen")
    expect(page.locator("body")).not_to_have_attribute("data-print", "fitted")

    # a sector: only its kinds and its sub-sectors, and the map fitted to its entities
    sector = "specialty-cranes"
    page.locator(f"#sector-tree input[value={sector}]").check()
    ids = _on_map(shipped, entity_ids(shipped, sector=sector))
    assert ids
    _print_view(page)
    kinds, sectors = _printed_legend(page)
    wanted_kinds, wanted_names = expected(ids)
    assert kinds == {"市州边界", *wanted_kinds}
    assert len(kinds) < 1 + len(KIND_ZH)  # a legend of every kind the filter allows would fail here
    assert sectors and set(sectors) <= wanted_names
    map_box = page.locator("#map").bounding_box()
    assert map_box
    shapes = [page.locator(f"path.entity-{entity_id}").first.bounding_box() for entity_id in ids]
    left = min(box["x"] for box in shapes if box)
    right = max(box["x"] + box["width"] for box in shapes if box)
    top = min(box["y"] for box in shapes if box)
    bottom = max(box["y"] + box["height"] for box in shapes if box)
    assert left >= map_box["x"] - 1 and right <= map_box["x"] + map_box["width"] + 1
    # fitted: what is drawn spans most of the box on its binding side
    assert max((right - left) / map_box["width"], (bottom - top) / map_box["height"]) > 0.7
    expect(page.locator("#print-filters")).to_contain_text("行业：起重机械 · 规划：全部规划")
    pages, _ = _make_pdf(page, tmp_path / "cranes.pdf")
    assert pages == 1


def test_print_button_fits_the_map_through_beforeprint(desk: Visit) -> None:
    """The browser's own print fires beforeprint while the screen media still holds: the map box takes its
    paper size on screen then, so that Leaflet's layout is the printed one."""
    page = desk.page
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    expect(page.locator("body")).to_have_attribute("data-print", "fitted")
    size = page.locator("#map").bounding_box()
    # its paper width, and no taller than what it shows (Hubei is wider than the paper box is tall)
    assert size and size["width"] == pytest.approx(196 * MM, abs=2) and 100 * MM < size["height"] < 184 * MM - 10
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    expect(page.locator("body")).not_to_have_attribute("data-print", "fitted")
    size = page.locator("#map").bounding_box()
    assert size and size["height"] == pytest.approx(860, abs=2)


# ---- phone ----------------------------------------------------------------------------------------------


def _on_screen(page: Page, box: dict[str, float] | None) -> bool:
    return bool(box) and _inside(box, {"x": 0, "y": 0, **PHONE})  # type: ignore[arg-type]


def test_phone_legend_opens_and_closes(phone: Visit) -> None:
    page = phone.page
    toggle = page.locator(".legend summary")
    map_box = page.locator("#map").bounding_box()
    assert map_box
    for opened in (True, False):
        toggle.click()
        expect(page.locator(".legend details")).to_have_js_property("open", opened)
        box = toggle.bounding_box()
        assert _on_screen(page, box) and _inside(box, map_box), f"the legend's toggle left the map (open={opened})"  # type: ignore[arg-type]
        legend = page.locator(".legend").bounding_box()
        assert legend and _inside(legend, map_box)


def test_phone_sources_take_one_line_and_open_on_a_tap(phone: Visit) -> None:
    page = phone.page
    sources = page.locator(".leaflet-control-attribution")
    expect(sources).to_contain_text("天地图标准地图")
    folded = sources.bounding_box()
    assert folded and folded["height"] < 22, folded  # one line (it wrapped to three over the map)
    assert _on_screen(page, folded)
    sources.click(position={"x": folded["width"] - 10, "y": folded["height"] / 2})  # on words, not the link
    expect(sources).to_have_attribute("aria-expanded", "true")
    opened = sources.bounding_box()
    assert opened and opened["height"] > 2 * folded["height"]
    sources.press("Enter")
    expect(sources).to_have_attribute("aria-expanded", "false")


def test_phone_list_entry_shows_its_selection_on_the_map(phone: Visit) -> None:
    page = phone.page
    crane = "xianning-crane-cluster"
    map_box = page.locator("#map").bounding_box()
    assert map_box

    def selection_in_view() -> None:
        page.wait_for_timeout(900)  # the fly to the selection
        assert page.evaluate("getComputedStyle(document.querySelector('#map')).visibility") == "visible"
        assert _on_screen(page, page.locator("#map").bounding_box())
        assert page.evaluate("window.scrollY") == 0
        shape = page.locator(f"path.entity-{crane}").first.bounding_box()
        assert shape and _inside(shape, map_box), "the selection is not within the map on screen"

    # from the list below the map, scrolled far down the panel
    page.locator("#panel").evaluate("panel => panel.scrollTo(0, panel.scrollHeight)")
    page.locator("#results button", has_text="咸宁起重机械产业集群").click()
    expect(page.locator("#profile")).to_be_visible()
    assert f"e:{crane}" in unquote(page.url)
    selection_in_view()

    # from the full-screen panel: the map comes back with the selection
    page.locator("#sheet-toggle").click()
    expect(page.locator("body")).to_have_attribute("data-sheet", "full")
    assert page.evaluate("getComputedStyle(document.querySelector('#map')).visibility") == "hidden"
    expect(page.locator("#sheet-toggle")).to_have_text("显示地图 ▼")
    page.locator("#profile").get_by_role("button", name="定位到地图").click()
    expect(page.locator("body")).to_have_attribute("data-sheet", "split")
    selection_in_view()
    expect(page.locator("#profile h2")).to_be_visible()  # the profile stays, below the map

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(".legend summary").click()
    page.screenshot(path=str(SCREENSHOTS / "phone.png"))


REACHABLE = """(root) => {
  const controls = [...root.querySelectorAll('button, input, select, textarea, a[href], summary, [tabindex="0"]')]
    .filter((el) => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden')
    // Map features (SVG shapes, platform symbols) are the map's: reached on it, by keyboard or the chooser.
    .filter((el) => el instanceof HTMLElement && !el.closest('.leaflet-pane'))
    .filter((el) => !el.classList.contains('skip-link')); // reached by its own focus above
  const out = [];
  for (const el of controls) {
    el.scrollIntoView({ block: 'center', inline: 'nearest' });
    const r = el.getBoundingClientRect();
    const x = Math.min(Math.max(r.left + r.width / 2, 0), innerWidth - 1);
    const y = Math.min(Math.max(r.top + r.height / 2, 0), innerHeight - 1);
    const onScreen = r.width > 0 && r.height > 0 && r.left >= -1 && r.top >= -1
      && r.right <= innerWidth + 1 && r.bottom <= innerHeight + 1;
    const hit = document.elementFromPoint(x, y);
    const label = el.labels && [...el.labels].some((l) => l.contains(hit));
    if (!onScreen || !(hit && (el === hit || el.contains(hit) || label))) {
      out.push(`${el.tagName}#${el.id}.${el.className}: ${(el.textContent || el.value || '').trim().slice(0, 30)}`);
    }
  }
  return { checked: controls.length, unreachable: out };
}"""


def test_phone_every_control_can_be_reached(phone: Visit) -> None:
    page = phone.page
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.locator("#sectors-box summary").click()  # folded on a phone: opened, its choices are controls too
    expect(page.locator("#sectors-box")).to_have_js_property("open", True)
    page.locator(".skip-link").focus()  # off screen until focused, by design
    expect(page.locator(".skip-link")).to_be_in_viewport()
    page.locator("#search").focus()

    result: dict[str, Any] = page.evaluate(REACHABLE, page.locator("body").element_handle())
    assert result["checked"] > 40, result
    assert result["unreachable"] == []
    assert page.evaluate("window.scrollY") == 0  # the body never scrolls: the map cannot be scrolled away

    # the full-screen panel: every control of the panel, the toggle back included
    page.locator("#sheet-toggle").click()
    panel: dict[str, Any] = page.evaluate(REACHABLE, page.locator("#panel").element_handle())
    assert panel["checked"] > 40, panel
    assert panel["unreachable"] == []
    page.locator("#sheet-toggle").click()
    expect(page.locator("body")).to_have_attribute("data-sheet", "split")
    expect(page.locator("#sheet-toggle")).to_have_text("展开面板 ▲")
