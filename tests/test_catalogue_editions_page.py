"""Issue 12, point 2 in the browser: an entity with inferred sectors carries 推断行业 Inferred sector in the
list and its profile (beside 推断位置 for inferred places), and its profile names those sectors."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from app.validation import ValidData

from .test_web_e2e import DESK, site, visiting  # noqa: F401  (site: the fixture the visit reads)

pytestmark = pytest.mark.slow


def test_inferred_sectors_are_marked_on_the_page(browser: Browser, site: str, shipped: ValidData) -> None:  # noqa: F811
    marked = next(e for e in shipped.catalogue.entities if e.id == "greater-wuhan-equipment-metropolitan-area")
    plain = next(e for e in shipped.catalogue.entities if e.id == "xianning-crane-cluster")
    assert marked.inferred_sectors and not plain.inferred_sectors
    with visiting(browser, f"{site}/#sel=e:{marked.id}", **DESK) as visit:
        page = visit.page
        expect(page.locator("#profile h2")).to_have_text(marked.name_zh)
        expect(page.locator("#profile .badges .inferred-sector-badge")).to_have_text("推断行业")
        expect(page.locator("#profile .inferred-sectors")).to_contain_text("推断行业：")
        expect(page.locator("#profile .inferred-sectors")).to_contain_text("航空航天装备")
        row = page.locator(f"#results .entity[data-id='{marked.id}'] .inferred-sector-badge")
        expect(row).to_have_count(1)
        expect(page.locator(f"#results .entity[data-id='{plain.id}'] .inferred-sector-badge")).to_have_count(0)
        page.evaluate(f"location.hash = '#sel=e:{plain.id}'")
        expect(page.locator("#profile h2")).to_have_text(plain.name_zh)
        expect(page.locator("#profile .inferred-sector-badge")).to_have_count(0)
