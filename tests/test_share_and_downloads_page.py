"""Issue 11, points 2, 3 and 6, on the page in Chromium: the Excel button; downloads that hold exactly what
the page shows (the list, or an open place's profile), disabled with a reason when nothing is shown, under
names that say what is inside; and the share dialog — the permalink, its copy, its QR code (decoded by
zbar) and the map view as a PNG."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from .test_page_navigation import listed, open_place_by_search, profile_rows
from .test_web_e2e import DESK, Visit, visiting

pytestmark = pytest.mark.slow  # Chromium and a live server

SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
LINKS = ("#dl-geojson", "#dl-csv", "#dl-xlsx")


@pytest.fixture
def site(servers: dict[str, str]) -> str:
    return servers["spatialite"]


@pytest.fixture
def visit(browser: Browser, site: str) -> Iterator[Visit]:
    with visiting(browser, f"{site}/", **DESK) as opened:
        opened.page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site)
        yield opened


def download(page: Page, selector: str, tmp_path: Path) -> Path:
    """Clicks a download button; the file, saved under the name the server gave it."""
    with page.expect_download() as started:
        page.locator(selector).click()
    path = tmp_path / started.value.suggested_filename
    started.value.save_as(path)
    return path


def csv_ids(path: Path) -> list[str]:
    rows = list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))
    return [row["id"] for row in rows]


def zbar(image: Path) -> str:
    """What zbarimg (Debian's zbar-tools, installed by scripts/setup.sh --test) reads in an image."""
    assert shutil.which("zbarimg"), "zbarimg is missing: bash scripts/setup.sh --test installs zbar-tools"
    done = subprocess.run(["zbarimg", "-q", "--raw", str(image)], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, f"zbarimg read no code: {done.stderr}"
    return done.stdout.strip()


# --- point 2: the Excel button --------------------------------------------------------------------------


def test_excel_button_downloads_the_listed_entities_as_xlsx(visit: Visit, tmp_path: Path) -> None:
    page = visit.page
    shown = listed(page)
    expect(page.locator("#dl-xlsx")).to_have_text("下载 Excel")
    path = download(page, "#dl-xlsx", tmp_path)
    assert path.name == "hubei-clusters.xlsx"
    assert path.read_bytes()[:2] == b"PK"  # an Office Open XML package
    sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
    cells = {str(value) for row in sheet.iter_rows(values_only=True) for value in row if value is not None}
    assert shown and shown <= cells  # every listed entity is in the sheet (whatever its columns are called)
    expect(page.locator("#dl-scope")).to_have_text(f"下载内容：列表中的 {len(shown)} 项")


# --- point 3: what is shown, and its name ---------------------------------------------------------------


def test_nothing_shown_nothing_to_download(visit: Visit) -> None:
    page = visit.page
    for box in page.locator("#kind-options input").all():
        box.uncheck()
    expect(page.locator("#result-count")).to_have_text("0 项")
    for link in LINKS:
        expect(page.locator(link)).to_have_attribute("aria-disabled", "true")
        assert page.locator(link).get_attribute("href") is None
        expect(page.locator(link)).to_have_attribute("aria-describedby", "dl-scope")
    expect(page.locator("#dl-scope")).to_contain_text("当前没有显示任何条目")
    page.locator("#kind-options input[value=cluster]").check()
    for link in LINKS:
        expect(page.locator(link)).to_have_attribute("aria-disabled", "false")
        assert "kind=cluster" in (page.locator(link).get_attribute("href") or "")


def test_an_unknown_sector_shows_nothing_to_download(browser: Browser, site: str) -> None:
    with visiting(browser, f"{site}/#sector=no-such-sector", **DESK) as opened:
        expect(opened.page.locator("#dl-csv")).to_have_attribute("aria-disabled", "true")


def test_file_names_say_what_is_inside(visit: Visit, tmp_path: Path) -> None:
    page = visit.page
    page.evaluate("location.hash = '#sector=auto&plan=2021'")
    expect(page.locator("#dl-xlsx")).to_have_attribute("href", "/downloads/clusters.xlsx?sector=auto&plan=2021")
    assert download(page, "#dl-xlsx", tmp_path).name == "hubei-clusters-auto-2021.xlsx"
    assert download(page, "#dl-csv", tmp_path).name == "hubei-clusters-auto-2021.csv"


@pytest.mark.parametrize(
    ("query", "name", "slug", "hash_"),
    [
        ("襄阳", "襄阳市", "xiangyang", ""),
        ("襄阳", "襄阳市", "xiangyang-2021", "#plan=2021"),  # some of 襄阳's entries are hidden by the plan
        ("江岸", "江岸区", "wuhan-jiangan", ""),  # a county: the groups of Wuhan are its groups
    ],
)
def test_a_place_profile_downloads_what_it_shows(
    visit: Visit, tmp_path: Path, query: str, name: str, slug: str, hash_: str
) -> None:
    page = visit.page
    if hash_:
        page.evaluate(f"location.hash = '{hash_}'")
    open_place_by_search(page, query, name)
    shown = profile_rows(page)
    assert shown, f"{name}'s profile shows entries"
    if hash_:
        assert profile_rows(page, hidden=True), "the filter hides some of the place's entries"
    expect(page.locator("#dl-scope")).to_have_text(f"下载内容：{name}资料中显示的 {len(shown)} 项")
    path = download(page, "#dl-csv", tmp_path)
    assert path.name == f"hubei-clusters-{slug}.csv"
    assert sorted(csv_ids(path)) == sorted(shown)
    # Back to the list: the downloads follow the list again.
    page.locator("#back").click()
    expect(page.locator("#dl-csv")).not_to_have_attribute("href", f"place={name}")
    assert "place=" not in (page.locator("#dl-csv").get_attribute("href") or "")


# --- point 6: share ---------------------------------------------------------------------------------------


def open_share(page: Page) -> str:
    """Opens the share dialog; the link it offers."""
    page.locator("#share").click()
    expect(page.locator("#share-dialog")).to_be_visible()
    return page.locator("#share-url").input_value()


def test_share_dialog_offers_the_permalink_copies_it_and_its_qr_code_decodes_to_it(
    visit: Visit, site: str, tmp_path: Path
) -> None:
    page = visit.page
    page.evaluate("location.hash = '#sector=specialty-cranes&plan=2021'")
    open_place_by_search(page, "咸宁", "咸宁市")
    link = open_share(page)
    assert link == page.url and link.startswith(f"{site}/#")  # the server's public address: the test server's
    assert "sel=p:421200" in link and "sector=specialty-cranes" in link and "map=" in link  # readable
    expect(page.locator("#share-title")).to_have_text("分享此地图视图")
    expect(page.locator("#share-copy")).to_be_focused()

    page.locator("#share-copy").click()
    expect(page.locator("#share-status")).to_have_text("已复制到剪贴板。")
    assert page.evaluate("navigator.clipboard.readText()") == link

    qr = page.locator("#share-qr")
    expect(qr).to_have_js_property("complete", True)
    assert qr.evaluate("image => image.naturalWidth") > 0
    picture = tmp_path / "qr.png"
    qr.screenshot(path=str(picture))
    # What a phone sees on the screen, enlarged without smoothing as a camera would resolve it.
    with Image.open(picture) as shot:
        shot.convert("L").resize((shot.width * 3, shot.height * 3), Image.NEAREST).save(picture)
    assert zbar(picture) == link

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "share.png"))
    # Escape closes the dialog only: the place's profile stays open beneath it.
    page.keyboard.press("Escape")
    expect(page.locator("#share-dialog")).to_be_hidden()
    expect(page.locator("#profile h2")).to_have_text("咸宁市")
    expect(page.locator("#share")).to_be_focused()


def test_share_dialog_in_english(visit: Visit) -> None:
    page = visit.page
    page.locator("#lang").click()
    open_share(page)
    expect(page.locator("#share-title")).to_have_text("Share this map view")
    expect(page.locator("#share-copy")).to_have_text("Copy link")
    assert "lang=en" in page.locator("#share-url").input_value()


def assert_png_of_the_map(page: Page, path: Path) -> None:
    """``path`` is a PNG of the map's size on screen (at the page's pixel ratio, at most 2) with the map in it."""
    assert path.name.startswith("hubei-map-") and path.suffix == ".png"
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    box = page.locator("#map").bounding_box()
    assert box is not None
    ratio = page.evaluate("Math.min(window.devicePixelRatio || 1, 2)")
    with Image.open(path) as image:
        assert image.size == (round(box["width"] * ratio), round(box["height"] * ratio))
        pixels = image.convert("RGB")
        colours = pixels.getcolors(maxcolors=1 << 16)
        assert colours is None or len(colours) > 50, "the image has the map's many colours, not a blank"
        # The map is drawn in it: boundaries and entity areas in its middle, not only the background.
        middle = pixels.crop((image.width // 4, image.height // 4, image.width * 3 // 4, image.height * 3 // 4))
        background = pixels.getpixel((2, image.height // 2))
        drawn = sum(1 for pixel in middle.get_flattened_data() if pixel != background)
        assert drawn > middle.width * middle.height // 10


def test_save_image_is_a_png_of_the_map_that_is_not_blank(visit: Visit, tmp_path: Path) -> None:
    page = visit.page
    open_share(page)
    assert_png_of_the_map(page, download(page, "#share-image", tmp_path))
    expect(page.locator("#share-status")).to_have_text("图片已保存。")


def test_save_image_on_a_phone_while_the_panel_covers_the_map(browser: Browser, site: str, tmp_path: Path) -> None:
    with visiting(browser, f"{site}/", width=390, height=800) as opened:
        page = opened.page
        page.locator("#sheet-toggle").click()  # the panel takes the whole screen; the map lies hidden beneath
        expect(page.locator("body")).to_have_attribute("data-sheet", "full")
        page.locator("#share").click()
        assert_png_of_the_map(page, download(page, "#share-image", tmp_path))
        expect(page.locator("#map")).to_have_css("visibility", "hidden")  # and stays hidden behind the panel
