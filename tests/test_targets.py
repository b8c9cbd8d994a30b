"""The plans' targets and baselines (issue 12, points 5 and 6): validation of data/targets.yaml (faults named
file:line), the shipped numbers against their quotes, ``/api/targets`` with its filters on both backends,
its CSV and XLSX, the plan's citation with every quote, and the page's targets block and chart."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, expect

from app.admin_units import PROVINCE_ADCODE
from app.settings import Settings
from app.targets import UNITS, Target
from app.validation import DataInvalid, ValidData, validate

from .conftest import REPO_DATA_DIR
from .test_web_e2e import DESK, visiting

# The numbers the issue names, as (plan, value, unit): each must be recorded with a quote that holds it.
NAMED_IN_THE_ISSUE = [
    ("fyp2021", 2.2, "万亿元"),
    ("fyp2021", 8, "%"),
    ("fyp2021", 1, "万亿元"),
    ("fyp2021", 5500, "亿元"),
    ("fyp2021", 180, "家"),
    ("fyp2021", 70, "%"),
    ("fyp2021", 3, "个"),  # 3-5个 key equipment industries per prefecture
    ("fyp2021", 16280, "亿元"),
    ("fyp2021", 952, "亿元"),
    ("fyp2021", 15414, "亿元"),
    ("fyp2021", 32.4, "%"),
    ("fyp2021", 40.7, "%"),
    ("fyp2021", 3.4, "%"),
    ("fyp2021", 3.9, "%"),
    ("fyp2021", 39, "个"),
    ("action2014", 2000, "亿元"),
    ("action2014", 5, "%"),
    ("action2014", 3, "家"),
    ("action2014", 8, "个"),
    ("action2014", 1, "家"),
    ("action2014", 1, "个"),
]

_FAULTY = """\
targets:
  - id: unknown-unit
    plan: fyp2021
    kind: target
    metric_zh: 营业收入
    metric_en: Revenue
    value: 2.2
    unit: 万亿美元
    year: 2025
    scope: province
    section: "二、总体要求 › （三）发展目标"
    quote: "2025年达到2.2万亿元"
  - id: number-not-in-quote
    plan: fyp2021
    kind: target
    metric_zh: 营业收入
    metric_en: Revenue
    value: 2.3
    unit: 万亿元
    year: 2025
    scope: province
    section: "二、总体要求 › （三）发展目标"
    quote: "2025年达到2.2万亿元"
  - id: not-verbatim
    plan: fyp2021
    kind: target
    metric_zh: 营业收入
    metric_en: Revenue
    value: 2.2
    unit: 万亿元
    year: 2025
    scope: sector
    scope_id: no-such-sector
    section: "二、总体要求 › （三）发展目标"
    quote: "2025年力争达到2.2万亿元"
"""


def _line_of(text: str, needle: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if needle in line)


def test_faults_are_named_with_file_and_line(make_data_dir: Any) -> None:
    """Unknown unit, a number the quote does not hold, a quote not in the plan, an unknown scope: each a
    fault on its own line of targets.yaml."""
    data_dir = make_data_dir((REPO_DATA_DIR / "clusters.yaml").read_text(encoding="utf-8"))
    (data_dir / "targets.yaml").write_text(_FAULTY, encoding="utf-8")
    with pytest.raises(DataInvalid) as caught:
        validate(Settings(data_dir=data_dir))
    faults = [str(fault) for fault in caught.value.faults]
    path = data_dir / "targets.yaml"
    expected = {
        _line_of(_FAULTY, "万亿美元"): "unknown unit '万亿美元'",
        _line_of(_FAULTY, "value: 2.3") + 5: "does not hold the number as written (2.3万亿元",
        _line_of(_FAULTY, "力争"): "quote is not verbatim",
        _line_of(_FAULTY, "no-such-sector"): "unknown sector 'no-such-sector'",
    }
    for line, message in expected.items():
        assert any(fault.startswith(f"{path}:{line}: ") and message in fault for fault in faults), (line, faults)
    assert len(faults) == len(expected), faults


def test_a_data_directory_without_targets_is_valid(make_data_dir: Any) -> None:
    data_dir = make_data_dir((REPO_DATA_DIR / "clusters.yaml").read_text(encoding="utf-8"))
    assert validate(Settings(data_dir=data_dir)).targets == []


@pytest.mark.parametrize(
    ("value", "value_to", "unit", "quote", "holds"),
    [
        (80, None, "%", "达到180%", False),  # a whole number, not the tail of another
        (70, None, "%", "本地化配套达到 70％", True),  # full-width per cent, white space aside
        (3, 5, "家", "培育3-5家企业", True),
        (3, 5, "家", "培育3～5家企业", True),
        (3, 5, "家", "培育3-5个企业", False),  # the unit must follow the number
        (2.2, None, "万亿元", "达到2.2 万亿元", True),
        (2.2, None, "亿元", "达到2.2万亿元", False),
    ],
)
def test_the_number_as_written(value: float, value_to: float | None, unit: str, quote: str, holds: bool) -> None:
    target = Target(
        id="t", plan="p", kind="target", metric_zh="m", metric_en="m", value=value, value_to=value_to,
        unit=unit, year=2025, scope="province", section="s", quote=quote,
    )  # fmt: skip
    assert target.number_in_quote() is holds


def test_every_shipped_target_holds_its_number(shipped: ValidData) -> None:
    assert shipped.targets, "data/targets.yaml ships targets"
    for target in shipped.targets:
        assert target.unit in UNITS, target.id
        assert target.number_in_quote(), target.id
    recorded = {(target.plan, target.value, target.unit) for target in shipped.targets}
    missing = [named for named in NAMED_IN_THE_ISSUE if named not in recorded]
    assert not missing, missing
    kinds = {(target.plan, target.kind.value) for target in shipped.targets}
    assert {("fyp2021", "target"), ("fyp2021", "baseline"), ("action2014", "target")} <= kinds


# --- the API, on both backends ----------------------------------------------------------------------------


def get(api: httpx.Client, path: str, **params: str) -> Any:
    response = api.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def _descendants(api: httpx.Client, sector: str) -> set[str]:
    """What ``sector=`` selects, as /api/sectors publishes it (the sector, its sub-sectors, and whatever
    else the store's one sector rule rolls up into it)."""
    stack = list(get(api, "/api/sectors"))
    while stack:
        node = stack.pop()
        if node["id"] == sector:
            return set(node["descendants"])
        stack.extend(node.get("children", []))
    raise AssertionError(f"no sector {sector}")


def _expected(shipped: ValidData, descendants: set[str] | None = None, **filters: Any) -> list[str]:
    """The ids /api/targets should give, worked out from the catalogue (and the sector's descendants)."""
    catalogue = shipped.catalogue
    ids = []
    for target in shipped.targets:
        plan = catalogue.plan(target.plan)
        if "plan" in filters and plan.year != filters["plan"]:
            continue
        if "year" in filters and target.year != filters["year"]:
            continue
        if "sector" in filters and not (target.scope.value == "sector" and str(target.scope_id) in (descendants or ())):
            continue
        if "place" in filters and not (filters["place"] == PROVINCE_ADCODE and target.scope.value == "province"):
            continue  # the shipped targets are about the province or sectors only
        ids.append(target.id)
    return ids


@pytest.mark.parametrize(
    "filters",
    [{}, {"plan": 2014}, {"plan": 2021}, {"sector": "auto"}, {"sector": "smart-mfg"}, {"year": 2017},
     {"place": PROVINCE_ADCODE}, {"place": 420600}, {"plan": 2021, "year": 2020}],
)  # fmt: skip
def test_api_targets_filters(api: httpx.Client, shipped: ValidData, filters: dict[str, Any]) -> None:
    answer = get(api, "/api/targets", **{key: str(value) for key, value in filters.items()})
    descendants = _descendants(api, filters["sector"]) if "sector" in filters else None
    assert [item["id"] for item in answer["items"]] == _expected(shipped, descendants, **filters)
    assert answer["total"] == len(answer["items"])


def test_api_targets_carry_quote_and_citation(api: httpx.Client) -> None:
    items = {item["id"]: item for item in get(api, "/api/targets")["items"]}
    revenue = items["fyp2021-revenue-2025"]
    assert (revenue["value"], revenue["unit"], revenue["year"], revenue["kind"]) == (2.2, "万亿元", 2025, "target")
    assert "2.2万亿元" in revenue["quote"]
    assert "鄂经信规划〔2021〕203号" in revenue["citation"] and "2021—2025" in revenue["citation"]
    assert items["fyp2021-auto-revenue-2025"]["scope_name_zh"] == "汽车制造"
    assert "原文未载文号" in items["action2014-revenue-2017"]["citation"]
    assert "2014—2017" in items["action2014-revenue-2017"]["citation"]


def test_api_targets_refuse_bad_filters(api: httpx.Client) -> None:
    assert api.get("/api/targets", params={"year": "２０２５"}).status_code == 400
    assert api.get("/api/targets", params={"colour": "red"}).status_code == 400


def test_targets_files_open(api: httpx.Client, shipped: ValidData) -> None:
    response = api.get("/api/targets.csv", params={"plan": "2014"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["编号", "规划年份", "类型"]
    assert [row[0] for row in rows[1:]] == _expected(shipped, plan=2014)
    response = api.get("/api/targets.xlsx", params={"lang": "en"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert header[0] == "id" and "source" in header
    assert sheet.max_row == len(shipped.targets) + 1
    assert any("鄂经信规划〔2021〕203号" in str(row[0]) for row in book["关于 About"].iter_rows(values_only=True))


def test_plan_refs_cite_the_plan(api: httpx.Client) -> None:
    """Point 6: entity and place responses cite the plan with every quote: title, number, date, period."""
    detail = get(api, "/api/clusters/xianning-crane-cluster")
    for ref in detail["plan_refs"]:
        assert ref["citation"].startswith("《")
        if ref["plan"] == "fyp2021":
            assert "鄂经信规划〔2021〕203号" in ref["citation"] and "2021年12月31日" in ref["citation"]
    profile = get(api, "/api/places/421200")
    refs = [ref for entity in profile["entities"] for ref in entity["plan_refs"]]
    assert refs and all(" / " in ref["citation"] for ref in refs)


def test_every_quote_served_carries_the_citation(api: httpx.Client) -> None:
    """Point 6, "wherever a quote is": the entity list, OGC features and the GeoJSON download cite each
    quote's plan as the profile does (the list once served ``citation: null``)."""
    plans = {plan["id"]: plan["citation"] for plan in get(api, "/api/plans")}
    listed = get(api, "/api/clusters", limit="50", offset="40")["items"]
    features = get(api, "/ogc/collections/clusters/items", limit="100")["features"]
    downloaded = api.get("/downloads/clusters.geojson")
    assert downloaded.status_code == 200
    for records in (
        listed,
        [f["properties"] for f in features],
        [f["properties"] for f in downloaded.json()["features"]],
    ):
        refs = [ref for record in records for ref in record["plan_refs"]]
        assert records and all(record["plan_refs"] for record in records)
        assert {ref["plan"] for ref in refs} == set(plans)
        assert all(ref["citation"] == plans[ref["plan"]] for ref in refs)


def test_api_plans_give_the_one_citation(api: httpx.Client) -> None:
    """/api/plans (the print sheet's sources) cites each plan as the quotes do, period included."""
    plans = {plan["id"]: plan for plan in get(api, "/api/plans")}
    assert plans["fyp2021"]["period"] == "2021—2025" and plans["action2014"]["period"] == "2014—2017"
    ref = get(api, "/api/clusters/xianning-crane-cluster")["plan_refs"][0]
    assert ref["citation"] == plans[ref["plan"]]["citation"]
    zh, en = plans["fyp2021"]["citation"].split(" / ")
    assert zh.startswith("《湖北省装备制造业“十四五”发展规划》") and "规划期2021—2025年" in zh
    assert "period 2021–2025" in en


# --- the page ---------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_page_shows_targets_and_the_chart(browser: Browser, servers: dict[str, str]) -> None:
    """湖北's profile shows the province's targets and the chart comparing the 2014 and 2021 plans; with the
    汽车制造 sector chosen, its target stands above the list."""
    with visiting(browser, f"{servers['spatialite']}/#sel=p:{PROVINCE_ADCODE}", **DESK) as visit:
        block = visit.page.locator("#profile-body .targets")
        expect(block).to_contain_text("2.2万亿元")
        expect(block).to_contain_text("2000亿元")
        expect(block).to_contain_text("鄂经信规划〔2021〕203号")
        chart = block.locator("svg.targets-chart")
        expect(chart).to_be_visible()
        assert chart.locator("rect.bar-2014").count() >= 1 and chart.locator("rect.bar-2021").count() >= 1
        expect(chart).to_contain_text("2017")
        expect(chart).to_contain_text("2025")
        sources = visit.page.locator(".print-sources")
        expect(sources).to_contain_text("规划期2021—2025年")
        expect(sources).to_contain_text("规划期2014—2017年")
    with visiting(browser, f"{servers['spatialite']}/#sector=auto", **DESK) as visit:
        block = visit.page.locator("#sector-targets")
        expect(block).to_contain_text("1万亿元")
        expect(block).to_contain_text("汽车制造营业收入")
