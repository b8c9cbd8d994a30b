"""Compare places (issue 11, point 8): ``/api/matrix`` on both backends — its sums against the entity counts
``/api/clusters`` gives for the same filters — its CSV and XLSX opened with ``csv`` and ``openpyxl``, and
the page's matrix view in Chromium."""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, expect

from app.admin_units import PROVINCE_ADCODE
from app.validation import ValidData

from .test_web_e2e import DESK, visiting

SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"

# The filter combinations the acceptance names, and one that combines two.
FILTERS = [
    pytest.param({}, id="no-filter"),
    pytest.param({"plan": "2021"}, id="plan-2021"),
    pytest.param({"plan": "2014"}, id="plan-2014"),
    pytest.param({"kind": "cluster"}, id="clusters"),
    pytest.param({"status": "planned"}, id="planned"),
    pytest.param({"kind": "corridor,city_group", "status": "existing"}, id="existing-groups"),
]


def get(api: httpx.Client, path: str, **params: str) -> Any:
    response = api.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def listing(api: httpx.Client, **params: str) -> list[dict[str, Any]]:
    """Every entity /api/clusters gives for ``params`` (one page holds them all)."""
    body = get(api, "/api/clusters", limit="500", **params)
    assert body["total"] == len(body["items"])
    return body["items"]


class Gazetteer:
    """Which prefecture-level units an entity lies in, worked out from /api/places and the entity's
    members alone (not from the store's table the matrix reads)."""

    def __init__(self, api: httpx.Client) -> None:
        places = get(api, "/api/places")
        self.prefectures = [p["adcode"] for p in places if p["level"] == "prefecture"]
        highest: dict[int, dict[str, Any]] = {}
        for place in reversed(places):  # the higher level wins for the four adcodes at two levels
            highest[place["adcode"]] = place
        self.highest = highest

    def prefectures_of(self, entity: dict[str, Any]) -> set[int]:
        found = set()
        for adcode in entity["members"]:
            place = self.highest[adcode]
            if place["level"] == "prefecture":
                found.add(adcode)
            elif place["level"] == "county":
                found.add(place["parent_adcode"])
        return found


def descendants(api: httpx.Client) -> dict[str, set[str]]:
    """Sector id → itself and its sub-sectors, as /api/sectors publishes them."""
    found: dict[str, set[str]] = {}

    def walk(node: dict[str, Any]) -> None:
        found[node["id"]] = set(node["descendants"])
        for child in node["children"]:
            walk(child)

    for root in get(api, "/api/sectors"):
        walk(root)
    return found


@pytest.mark.parametrize("params", FILTERS)
def test_the_matrix_sums_equal_the_entity_counts(api: httpx.Client, shipped: ValidData, params: dict[str, str]) -> None:
    answer = get(api, "/api/matrix", **params)
    entities = listing(api, **params)
    assert 0 < len(entities) <= len(shipped.catalogue.entities)
    gazetteer, sectors = Gazetteer(api), descendants(api)
    tree = get(api, "/api/sectors")
    columns = [sector["id"] for sector in answer["sectors"]]
    # The columns: every top-level sector, or the chosen plan's.
    assert columns == [root["id"] for root in tree if "plan" not in params or str(root["plan_year"]) == params["plan"]]
    assert [row["adcode"] for row in answer["rows"]] == gazetteer.prefectures and len(answer["rows"]) == 17

    placed = {entity["id"]: gazetteer.prefectures_of(entity) for entity in entities}
    carries = {e["id"]: {s for s in columns if sectors[s] & set(e["sectors"])} for e in entities}
    # Each entity once per prefecture it lies in; a province-wide one in the 全省 row.
    assert answer["entities"] == len(entities)
    assert answer["placements"] == sum(max(1, len(places)) for places in placed.values())
    assert answer["province_wide"]["total"] == sum(1 for e in entities if e["province_wide"])
    assert all(bool(placed[e["id"]]) != e["province_wide"] for e in entities)  # placed somewhere, or province-wide
    assert answer["prefecture_sum"]["total"] == sum(row["total"] for row in answer["rows"])
    assert answer["placements"] == answer["prefecture_sum"]["total"] + answer["province_wide"]["total"]
    for row in answer["rows"]:
        there = [e for e in entities if row["adcode"] in placed[e["id"]]]
        # a row's total is /api/clusters?place= with the same filters
        assert (
            row["total"]
            == len(there)
            == get(api, "/api/clusters", place=str(row["adcode"]), limit="1", **params)["total"]
        )
        assert row["counts"] == {s: sum(1 for e in there if s in carries[e["id"]]) for s in columns}
    for sector in columns:
        with_sector = listing(api, sector=sector, **params)
        # a column's sum: the entities of the sector, each once per prefecture it lies in
        assert answer["prefecture_sum"][sector] == sum(len(placed[e["id"]]) for e in with_sector)
        assert answer["province_wide"]["counts"][sector] == sum(1 for e in with_sector if e["province_wide"])
        assert next(s for s in answer["sectors"] if s["id"] == sector)["entities"] == len(with_sector)
    nonzero = [(row["adcode"], s) for row in answer["rows"] for s in columns if row["counts"][s]]
    assert nonzero, "the filter leaves the matrix empty: the comparison would prove nothing"
    # Cells against /api/clusters?place=&sector= (what the page's profile lists for that cell).
    for adcode, sector in nonzero[:: max(1, len(nonzero) // 12)]:
        row = next(row for row in answer["rows"] if row["adcode"] == adcode)
        count = get(api, "/api/clusters", place=str(adcode), sector=sector, limit="1", **params)["total"]
        assert row["counts"][sector] == count, (adcode, sector)


def test_a_corridor_counts_in_each_prefecture_and_a_county_for_its_prefecture(api: httpx.Client) -> None:
    answer = get(api, "/api/matrix", kind="corridor")
    auto = {row["adcode"]: row["counts"]["auto"] for row in answer["rows"]}
    # 汉孝随襄十: Wuhan, Xiaogan, Suizhou, Xiangyang, Shiyan, once each
    assert {adcode for adcode, count in auto.items() if count} == {420100, 420900, 421300, 420600, 420300}
    fans = get(api, "/api/matrix", kind="cluster", sector="specialty-fans")["ranking"]
    assert [place["adcode"] for place in fans["places"]] == [421300]  # 广水's fan cluster counts for 随州


def test_the_ranking_of_places_for_a_sector(api: httpx.Client) -> None:
    answer = get(api, "/api/matrix", sector="aerospace")
    ranking = answer["ranking"]
    assert ranking["sector"]["id"] == "aerospace"
    counts = {row["adcode"]: row["counts"]["aerospace"] for row in answer["rows"]}
    assert [place["count"] for place in ranking["places"]] == sorted(
        (count for count in counts.values() if count), reverse=True
    )
    assert all(place["count"] == counts[place["adcode"]] for place in ranking["places"])
    ranks = [place["rank"] for place in ranking["places"]]
    assert ranks[0] == 1 and ranks == sorted(ranks)
    for before, after in zip(ranking["places"], ranking["places"][1:], strict=False):  # ties share a rank
        assert (after["rank"] == before["rank"]) == (after["count"] == before["count"])
    assert ranking["places"][0]["adcode"] == 420100
    assert ranking["province_wide"] == answer["province_wide"]["counts"]["aerospace"]
    # A sub-sector ranks too; the matrix stays whole.
    cranes = get(api, "/api/matrix", sector="specialty-cranes")
    assert [place["adcode"] for place in cranes["ranking"]["places"]] == [421200]
    assert cranes["rows"] == answer["rows"]
    assert get(api, "/api/matrix")["ranking"] is None


@pytest.mark.parametrize(
    ("params", "message"),
    [({"place": "420100"}, "unknown parameter"), ({"sector": "cranes"}, "unknown sector"), ({"plan": "1999"}, "plan")],
)
def test_bad_requests_say_what_is_wrong(api: httpx.Client, params: dict[str, str], message: str) -> None:
    for path in ("/api/matrix", "/api/matrix.csv", "/api/matrix.xlsx"):
        response = api.get(path, params=params)
        assert response.status_code == 400 and message in response.json()["description"], response.text


def test_csv(api: httpx.Client) -> None:
    answer = get(api, "/api/matrix", plan="2021")
    response = api.get("/api/matrix.csv", params={"plan": "2021"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert 'filename="hubei-matrix-2021.csv"' in response.headers["content-disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")  # Excel reads Chinese with the BOM
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    names = [sector["name_zh"] for sector in answer["sectors"]]
    assert rows[0] == ["地区", "行政区划代码", *names, "条目数（不重复）"]
    assert len(rows) == 1 + 17 + 3
    for line, row in zip(rows[1:18], answer["rows"], strict=True):
        assert line[:2] == [row["name_zh"], str(row["adcode"])]
        assert [int(cell) for cell in line[2:]] == [*row["counts"].values(), row["total"]]
    assert rows[18][1] == str(PROVINCE_ADCODE) and int(rows[18][-1]) == answer["province_wide"]["total"]
    assert [int(cell) for cell in rows[19][2:]] == [
        *(answer["prefecture_sum"][s["id"]] for s in answer["sectors"]),
        answer["prefecture_sum"]["total"],
    ]
    assert int(rows[20][-1]) == answer["entities"]
    # English headers with lang=en; an empty selection keeps the whole header and every row (all zeros).
    english = list(
        csv.reader(io.StringIO(api.get("/api/matrix.csv", params={"lang": "en"}).content.decode("utf-8-sig")))
    )
    assert english[0][:2] == ["Place", "Adcode"] and english[1][0] == "Wuhan"
    empty = api.get("/api/matrix.csv", params={"plan": "2014", "kind": "corridor"})
    lines = list(csv.reader(io.StringIO(empty.content.decode("utf-8-sig"))))
    assert lines[0][0] == "地区" and len(lines) == 21 and all(cell == "0" for line in lines[1:] for cell in line[2:])


def test_xlsx(api: httpx.Client) -> None:
    params = {"kind": "cluster", "sector": "specialty"}
    answer = get(api, "/api/matrix", **params)
    response = api.get("/api/matrix.xlsx", params=params)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="hubei-matrix-cluster-specialty.xlsx"' in response.headers["content-disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["地区×行业", "排名", "说明"]
    sheet = book["地区×行业"]
    assert sheet.freeze_panes == "C2"  # the header row (and the place's name) stay in view
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}18"
    header = [cell.value for cell in sheet[1]]
    assert header == ["地区", "行政区划代码", *(s["name_zh"] for s in answer["sectors"]), "条目数（不重复）"]
    assert sheet.column_dimensions["A"].width >= 12
    for index, row in enumerate(answer["rows"], start=2):
        values = [cell.value for cell in sheet[index]]
        assert values == [row["name_zh"], row["adcode"], *row["counts"].values(), row["total"]]
    ranking = book["排名"]
    assert ranking.freeze_panes == "A2" and ranking["A1"].value == "名次"
    ranked = [
        [cell.value for cell in line]
        for line in ranking.iter_rows(min_row=2, max_row=1 + len(answer["ranking"]["places"]))
    ]
    assert ranked == [[p["rank"], p["name_zh"], p["adcode"], p["count"]] for p in answer["ranking"]["places"]]
    about = {line[0].value: line[1].value for line in book["说明"].iter_rows(min_row=2)}
    assert "县级成员计入所属市州" in about["计数规则"] and "kind=cluster" in about["筛选"] and about["日期"]
    english = load_workbook(io.BytesIO(api.get("/api/matrix.xlsx", params={"lang": "en"}).content))
    assert english.sheetnames == ["Places x sectors", "About"]
    assert english.active["A1"].value == "Place" and english.active["A2"].value == "Wuhan"


def test_openapi_documents_the_matrix(api: httpx.Client) -> None:
    document = get(api, "/openapi.json")
    assert {"/api/matrix", "/api/matrix.csv", "/api/matrix.xlsx"} <= set(document["paths"])
    example = document["components"]["schemas"]["Matrix"]["examples"][0]
    assert example["rows"][0]["name_zh"] == "咸宁市"
    parameters = {p["name"] for p in document["paths"]["/api/matrix"]["get"]["parameters"]}
    assert parameters == {"kind", "plan", "status", "sector"}


# --- the page --------------------------------------------------------------------------------------------


@pytest.mark.slow  # Chromium and a live server
def test_the_page_compares_places(browser: Browser, servers: dict[str, str]) -> None:
    site = servers["spatialite"]
    answer = httpx.get(f"{site}/api/matrix", params={"plan": "2021", "sector": "aerospace"}, timeout=30).json()
    with visiting(browser, f"{site}/#plan=2021&sector=aerospace", **DESK) as visit:
        page = visit.page
        page.locator("#compare").click()
        view = page.locator("#matrix-view")
        expect(view).to_be_visible()
        # Rows and columns as the API has them; every cell's count the API's.
        expect(view.locator("tbody tr.place-row")).to_have_count(17)
        headers = view.locator("thead th.sector-col").all_inner_texts()
        assert headers == [sector["name_zh"] for sector in answer["sectors"]]
        shown = {
            (int(cell.get_attribute("data-adcode")), cell.get_attribute("data-sector")): int(cell.inner_text())
            for cell in view.locator("tbody tr.place-row button.cell").all()
        }
        assert shown == {(row["adcode"], s): n for row in answer["rows"] for s, n in row["counts"].items()}
        totals = view.locator("tbody tr.place-row td.total").all_inner_texts()
        assert [int(text) for text in totals] == [row["total"] for row in answer["rows"]]
        # The ranking for the chosen sector, as the API ranks.
        ranked = view.locator(".ranking li")
        expect(ranked).to_have_count(len(answer["ranking"]["places"]))
        expect(ranked.first).to_contain_text(answer["ranking"]["places"][0]["name_zh"])
        page.screenshot(path=str(SCREENSHOTS / "matrix.png"))

        # The panel's filters stay in reach and the matrix follows them.
        page.select_option("#status", "planned")
        planned = httpx.get(f"{site}/api/matrix", params={"plan": "2021", "status": "planned"}, timeout=30).json()
        wuhan = planned["rows"][0]
        expect(view.locator('tbody tr.place-row[data-adcode="420100"] td.total')).to_have_text(str(wuhan["total"]))
        assert wuhan["total"] != answer["rows"][0]["total"]  # the filter changed the count the page shows
        page.select_option("#status", "")

        # A cell opens that place's profile with that sector chosen: what it lists is the cell's count.
        xiangyang = next(row for row in answer["rows"] if row["adcode"] == 420600)
        sector = max((s for s in xiangyang["counts"] if s != "aerospace"), key=lambda s: xiangyang["counts"][s])
        expected = xiangyang["counts"][sector]
        assert expected > 0
        view.locator(f'button.cell[data-adcode="420600"][data-sector="{sector}"]').click()
        expect(view).to_be_hidden()
        expect(page.locator("#profile h2")).to_have_text("襄阳市")
        assert f"sector={sector}" in page.url and ("sel=p%3A420600" in page.url or "sel=p:420600" in page.url)
        expect(page.locator("#sector-tree input[type=radio]:checked")).to_have_value(sector)
        listed = page.locator("#profile-body > ul.results > li > button.entity")
        expect(listed).to_have_count(expected)
        ids = listed.evaluate_all("nodes => nodes.map(n => n.dataset.id)")
        api_ids = httpx.get(
            f"{site}/api/clusters",
            params={"place": "420600", "sector": sector, "plan": "2021", "limit": "500"},
            timeout=30,
        ).json()["items"]
        assert Counter(ids) == Counter(item["id"] for item in api_ids)
