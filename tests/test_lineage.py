"""Lineage across plan editions (data/lineage.yaml): validation faults named file:line, the sector filter
spanning editions, /api/compare and /api/lineage on both backends, and a synthetic third edition that is
compared with no code change."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, expect

from api.factory import create_app
from app.lineage import LINEAGE_FILE, TAKES_IN_WHOLE
from app.settings import REPO_DATA_DIR, Settings
from app.store.load import load_store
from app.validation import DataInvalid, Fault, ValidData, validate

from .conftest import BACKEND_PARAMS, backend_settings, entity_ids, running_server
from .test_web_e2e import DESK, visiting


def ids(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A copy of the whole shipped data directory, to break or extend."""
    target = tmp_path / "data"
    shutil.copytree(REPO_DATA_DIR, target)
    return target


def faults_of(data_dir: Path) -> list[Fault]:
    with pytest.raises(DataInvalid) as caught:
        validate(Settings(data_dir=data_dir))
    return caught.value.faults


def line_of(path: Path, needle: str) -> int:
    return next(number for number, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


# --- validation -------------------------------------------------------------------------------------------


def test_shipped_lineage_links_what_the_issue_lists(shipped: ValidData) -> None:
    links = {(link.from_.id, link.to.id): link.relation.value for link in shipped.lineage.links}
    assert links[("key-cities-specialty-clusters-2014", "key-cities-specialty-clusters-2021")] == "widened"
    assert ("industrial-robot-industrial-base", "smart-mfg-demo-parks") in links
    assert ("wuhan-3d-printing-industrial-base", "regional-3d-printing-centre") in links
    assert ("wuhan-optics-valley-optomechatronics", "hubei-optoelectronics-base") in links
    assert {
        ("a14-cnc", "smart-mfg-cnc"),
        ("a14-other", "specialty-textile"),
        ("a14-other", "specialty-packaging"),
    } <= set(links)
    dropped = {record.id for record in shipped.lineage.dropped}
    assert {
        "hubei-metallurgical-equipment-base",
        "industrial-robot-comprehensive-cluster",
        "a14-rolling-mills",
    } <= dropped
    # the 2014 alliances: the generic one continues; the three named by field have none in 2021
    assert links[("tech-innovation-strategic-alliances-2014", "nev-industry-tech-innovation-alliances")] == "continues"
    assert {
        "cnc-machine-tool-industry-alliance-2014",
        "laser-equipment-industry-alliance-2014",
        "3d-printing-technology-industry-alliance-2014",
    } <= dropped


def test_unknown_entity_is_named_with_file_line_and_a_suggestion(data_copy: Path) -> None:
    path = data_copy / LINEAGE_FILE
    text = path.read_text()
    path.write_text(
        text.replace("entity: key-cities-specialty-clusters-2021,", "entity: key-cities-specialty-cluster-2021,")
    )
    [fault] = faults_of(data_copy)
    assert (fault.file, fault.line) == (path, line_of(path, "key-cities-specialty-cluster-2021"))
    assert fault.field == "to.entity"
    assert "unknown entity 'key-cities-specialty-cluster-2021'" in fault.message
    assert "key-cities-specialty-clusters-2021" in fault.message  # did you mean
    assert str(fault).startswith(f"{path}:{fault.line}: link ")


def test_quote_must_be_verbatim_on_each_side(data_copy: Path) -> None:
    path = data_copy / LINEAGE_FILE
    text = path.read_text()
    path.write_text(text.replace('quote: "（三）3D打印装备"}', 'quote: "（三）3D打印设备"}'))
    [fault] = faults_of(data_copy)
    assert (fault.line, fault.field) == (line_of(path, "（三）3D打印设备"), "from.quote")
    assert "not verbatim" in fault.message and "（三）3D打印装备" in fault.message  # the nearest passage


def test_a_link_runs_forward_between_plans_that_name_its_ends(data_copy: Path) -> None:
    path = data_copy / LINEAGE_FILE
    text = path.read_text()
    backwards = text.replace(
        "- from: {plan: action2014, sector: a14-robots,", "- from: {plan: fyp2021, sector: a14-robots,"
    )
    path.write_text(backwards)
    messages = [fault.message for fault in faults_of(data_copy)]
    assert any("sector a14-robots is not named in fyp2021" in message for message in messages)
    assert any("not earlier than fyp2021" in message for message in messages)


def test_dropped_and_linked_at_once_is_a_fault(data_copy: Path) -> None:
    path = data_copy / LINEAGE_FILE
    path.write_text(
        path.read_text()
        + """  - plan: action2014
    entity: industrial-robot-industrial-base
    quote: "工业机器人产业基地初具规模"
    by: fyp2021
    note: contradicts link 9
"""
    )
    [fault] = faults_of(data_copy)
    assert "is dropped by fyp2021 but link" in fault.message
    assert fault.line == len(path.read_text().splitlines()) - 4  # the appended record's first line


def test_hostile_lineage_file_is_refused_with_its_line(data_copy: Path) -> None:
    path = data_copy / LINEAGE_FILE
    path.write_text("links:\n  - &a {from: 1}\n  - *a\n")
    faults = faults_of(data_copy)
    assert {fault.line for fault in faults} >= {2, 3}
    assert all(fault.file == path for fault in faults)


# --- the sector filter spans editions -------------------------------------------------------------------


def test_a_2021_sector_takes_in_the_2014_sectors_linked_whole(shipped: ValidData) -> None:
    catalogue = shipped.catalogue
    for link in shipped.lineage.links:
        if link.from_.sector and link.to.sector:
            taken = link.from_.sector in catalogue.sector_descendants(link.to.sector)
            assert taken == (link.relation in TAKES_IN_WHOLE), link
    assert "a14-cnc" in catalogue.sector_descendants("smart-mfg")
    assert "a14-rolling-mills" not in catalogue.sector_descendants("smart-mfg")  # dropped by 2021


def test_smart_manufacturing_with_plan_2014_spans_both_trees(api: httpx.Client, shipped: ValidData) -> None:
    shown = ids(api.get("/api/clusters", params={"sector": "smart-mfg", "plan": "2014", "limit": "500"}))
    assert shown == entity_ids(shipped, sector="smart-mfg", plan=2014)
    # before lineage only the entities tagged with a 2021 smart-manufacturing sector showed
    tagged_2021 = [
        entity.id
        for entity in shipped.catalogue.entities
        if 2014 in entity.plan_years() and any(s.startswith("smart-mfg") for s in entity.sectors)
    ]
    carried_2014 = {"a14-cnc", "a14-robots", "a14-3d-printing"}
    via_2014 = [
        entity.id
        for entity in shipped.catalogue.entities
        if 2014 in entity.plan_years() and carried_2014 & set(entity.sectors)
    ]
    assert set(shown) == set(tagged_2021) | set(via_2014)
    tree = {node["id"]: node for node in api.get("/api/sectors").json()}
    assert "a14-cnc" in tree["smart-mfg"]["descendants"]
    assert tree["smart-mfg"]["entity_count"] == len(entity_ids(shipped, sector="smart-mfg"))


# --- /api/compare and /api/lineage ----------------------------------------------------------------------


def compared(api: httpx.Client, **params: str) -> dict:
    response = api.get("/api/compare", params={"from": "action2014", "to": "fyp2021", **params})
    assert response.status_code == 200, response.text
    return response.json()


def test_compare_a_sector(api: httpx.Client, shipped: ValidData) -> None:
    result = compared(api, sector="smart-mfg")
    assert (result["from"]["year"], result["to"]["year"]) == (2014, 2021)
    earlier = set(entity_ids(shipped, sector="smart-mfg", plan=2014))
    later = set(entity_ids(shipped, sector="smart-mfg", plan=2021))
    expected = [
        (link.from_.id, link.to.id)
        for link in shipped.lineage.links
        if link.from_.entity and (link.from_.id in earlier or link.to.id in later)
    ]
    assert [(link["from"]["id"], link["to"]["id"]) for link in result["continued"]] == expected
    for link in result["continued"]:
        assert link["from"]["quote"] and link["to"]["quote"] and link["relation"]
    linked_from = {pair[0] for pair in expected}
    linked_to = {pair[1] for pair in expected}
    assert {entry["entity"]["id"] for entry in result["dropped"]} == earlier - linked_from
    assert {entry["entity"]["id"] for entry in result["new"]} == later - linked_to
    assert all(entry["quotes"] for entry in result["new"] + result["dropped"])
    recorded = {entry["entity"]["id"]: entry["recorded"] for entry in result["dropped"]}
    assert recorded["industrial-robot-comprehensive-cluster"]["quote"].startswith("初步形成")
    sector_pairs = {(link["from"]["id"], link["to"]["id"]) for link in result["sectors"]["continued"]}
    assert ("a14-cnc", "smart-mfg-cnc") in sector_pairs and ("a14-other", "smart-mfg-lasers") in sector_pairs


def test_compare_a_place_marks_which_end_lies_there(api: httpx.Client) -> None:
    result = compared(api, place="420300")  # 十堰: the 2021 plan adds it to the key cities
    assert result["scope"]["place"]["name_zh"] == "十堰市"
    [link] = [link for link in result["continued"] if link["to"]["id"] == "key-cities-specialty-clusters-2021"]
    assert link["relation"] == "widened"
    assert (link["from"]["in_scope"], link["to"]["in_scope"]) == (False, True)
    assert "十堰" in link["to"]["quote"] and "十堰" not in link["from"]["quote"]


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"from": "fyp2021", "to": "action2014"}, "to"),
        ({"from": "action2015", "to": "fyp2021"}, "from"),
        ({"from": "action2014", "to": "fyp2021", "sector": "no-such-sector"}, "sector"),
        ({"from": "action2014", "to": "fyp2021", "place": "110000"}, "place"),
        ({"to": "fyp2021"}, "from"),
    ],
)
def test_bad_compare_parameters_are_400_naming_the_parameter(
    api: httpx.Client, params: dict[str, str], name: str
) -> None:
    response = api.get("/api/compare", params=params)
    assert response.status_code == 400, response.text
    assert name in response.json()["description"]


def test_entity_lineage_both_ways(api: httpx.Client) -> None:
    later = api.get("/api/lineage/key-cities-specialty-clusters-2021").json()
    [link] = later["earlier"]
    assert (link["from"]["id"], link["from"]["plan_year"], link["to"]["plan_year"]) == (
        "key-cities-specialty-clusters-2014",
        2014,
        2021,
    )
    earlier = api.get("/api/lineage/wuhan-3d-printing-industrial-base").json()
    assert {link["to"]["id"] for link in earlier["later"]} == {"smart-mfg-demo-parks", "regional-3d-printing-centre"}
    dropped = api.get("/api/lineage/hubei-metallurgical-equipment-base").json()
    assert dropped["dropped"][0]["by"]["year"] == 2021 and not dropped["later"]
    assert api.get("/api/lineage/no-such-entity").status_code == 404


# --- a third edition, with no code change ----------------------------------------------------------------

THIRD_TEXT = """湖北省装备制造业“十五五”发展规划（试编）
一、发展重点
（一）数控机床与工业母机
推动宜昌—荆州—武汉—鄂州—黄石数控机床产业集群提档升级，建设长江中游工业母机产业带。
"""

THIRD_PLAN = """  - id: fyp2026
    file: plans/zz_fyp2026_synthetic.txt
    year: 2026
    title_zh: 湖北省装备制造业“十五五”发展规划（试编）
    title_en: Hubei Equipment Manufacturing 15th Five-Year Plan (synthetic test edition)
    issuer_zh: 测试
    issuer_en: Test
    date: "2026-06-30"
"""

THIRD_SECTOR = """  - id: machine-tools-2026
    name_zh: 数控机床与工业母机
    name_en: CNC machine tools and machine-tool building
    plan_refs:
      - {plan: fyp2026, year: 2026, section: "一、发展重点", quote: "（一）数控机床与工业母机"}
"""

THIRD_ENTITY = """  - id: yangtze-machine-tool-belt-2026
    name_zh: 长江中游工业母机产业带
    name_en: Middle-Yangtze Machine-tool Industry Belt
    kind: corridor
    sectors: [machine-tools-2026]
    members: [宜昌, 荆州, 武汉, 鄂州, 黄石]
    status: planned
    confidence: stated
    plan_refs:
      - plan: fyp2026
        year: 2026
        section: "一、发展重点 › （一）数控机床与工业母机"
        quote: "建设长江中游工业母机产业带"
"""

THIRD_LINKS = """  - from:
      plan: fyp2021
      entity: yangtze-cnc-machine-tool-corridor
      quote: "宜昌—荆州—武汉—鄂州—黄石数控机床产业集群"
    to:
      plan: fyp2026
      entity: yangtze-machine-tool-belt-2026
      quote: "推动宜昌—荆州—武汉—鄂州—黄石数控机床产业集群提档升级，建设长江中游工业母机产业带"
    relation: widened
  - from: {plan: fyp2021, sector: smart-mfg-cnc, quote: "高档数控机床。加强关键领域技术突破"}
    to: {plan: fyp2026, sector: machine-tools-2026, quote: "（一）数控机床与工业母机"}
    relation: widened
"""


def third_edition(data_dir: Path, links: str = THIRD_LINKS) -> Path:
    """``data_dir`` with a synthetic third plan: its text, a sector, one entity and links from 2021."""
    (data_dir / "plans" / "zz_fyp2026_synthetic.txt").write_text(THIRD_TEXT, encoding="utf-8")
    catalogue = data_dir / "clusters.yaml"
    text = catalogue.read_text(encoding="utf-8")
    text = text.replace("\nplans:\n", "\nplans:\n" + THIRD_PLAN, 1)
    text = text.replace("\nsectors:\n", "\nsectors:\n" + THIRD_SECTOR, 1)
    text = text.replace("\nentities:\n", "\nentities:\n" + THIRD_ENTITY, 1)
    catalogue.write_text(text, encoding="utf-8")
    lineage = data_dir / LINEAGE_FILE
    lineage.write_text(lineage.read_text(encoding="utf-8").replace("\nlinks:\n", "\nlinks:\n" + links, 1))
    return data_dir


@pytest.fixture(params=BACKEND_PARAMS)
def third_client(request: pytest.FixtureRequest, data_copy: Path, tmp_path: Path) -> Iterator[TestClient]:
    """The application on a store loaded from the data with the third edition, on each backend."""
    settings = backend_settings(request.param, tmp_path, "atlas_test_lineage_third", third_edition(data_copy))
    load_store(settings, progress=lambda _message: None)
    with TestClient(create_app(settings)) as client:
        yield client


def test_a_third_edition_is_compared_with_no_code_change(third_client: TestClient) -> None:
    # the 2026 sector takes in 2021's CNC sector (and that 2014's), so 2021's CNC entities are in its scope
    result = third_client.get(
        "/api/compare", params={"from": "fyp2021", "to": "fyp2026", "sector": "machine-tools-2026"}
    )
    assert result.status_code == 200, result.text
    body = result.json()
    assert body["to"]["title_zh"].startswith("湖北省装备制造业“十五五”")
    [link] = body["continued"]
    assert (link["from"]["id"], link["to"]["id"], link["relation"]) == (
        "yangtze-cnc-machine-tool-corridor",
        "yangtze-machine-tool-belt-2026",
        "widened",
    )
    assert link["from"]["in_scope"] and link["to"]["in_scope"]
    assert "national-cnc-system-erc" in {entry["entity"]["id"] for entry in body["dropped"]}
    # one sector filter spans three editions: 2026's sector takes in 2021's, which takes in 2014's
    spanning = third_client.get("/api/clusters", params={"sector": "machine-tools-2026", "limit": "500"})
    shown = {item["id"] for item in spanning.json()["items"]}
    assert {"yangtze-machine-tool-belt-2026", "yangtze-cnc-machine-tool-corridor", "national-cnc-system-erc"} <= shown
    assert third_client.get("/api/clusters", params={"plan": "2026"}).json()["total"] == 1
    lineage = third_client.get("/api/lineage/yangtze-cnc-machine-tool-corridor").json()
    assert [link["to"]["plan_year"] for link in lineage["later"]] == [2026]


# A synthetic link onward from a 2021 record that 2014's robot and 3D-printing bases merged into, so that
# 2014 → 2026 has chains to follow through 2021 (the shipped data link nothing of 2014 to 2026 directly).
CHAINED_LINK = """  - from:
      plan: fyp2021
      entity: smart-mfg-demo-parks
      quote: "创建省级工业机器人、增材制造（3D打印）等智能制造产业示范园区（基地）"
    to:
      plan: fyp2026
      entity: yangtze-machine-tool-belt-2026
      quote: "建设长江中游工业母机产业带"
    relation: narrowed
"""


def test_editions_apart_are_compared_through_the_ones_between(data_copy: Path, tmp_path: Path) -> None:
    """2014 → 2026: links compose through 2021 (merged, then narrowed: changed), naming the 2021 record in
    ``via``; the ends keep their own plans' words; what no chain reaches is dropped or new."""
    data_dir = third_edition(data_copy, THIRD_LINKS + CHAINED_LINK)
    settings = backend_settings("spatialite", tmp_path, "unused", data_dir)
    load_store(settings, progress=lambda _message: None)
    with TestClient(create_app(settings)) as client:
        body = client.get("/api/compare", params={"from": "action2014", "to": "fyp2026"}).json()
        adjacent = client.get("/api/compare", params={"from": "fyp2021", "to": "fyp2026"}).json()
    chained = {link["from"]["id"]: link for link in body["continued"]}
    assert set(chained) == {"industrial-robot-industrial-base", "wuhan-3d-printing-industrial-base"}
    for link in chained.values():
        assert link["to"]["id"] == "yangtze-machine-tool-belt-2026"
        assert link["steps"] == ["merged", "narrowed"] and link["relation"] == "changed"
        assert [(step["plan"], step["id"]) for step in link["via"]] == [("fyp2021", "smart-mfg-demo-parks")]
        assert link["via"][0]["name_zh"]
        assert link["to"]["quote"] == "建设长江中游工业母机产业带" and link["from"]["quote"]
    assert {entry["entity"]["id"] for entry in body["new"]} == set()  # the one 2026 entity is reached
    assert "key-cities-specialty-clusters-2014" in {entry["entity"]["id"] for entry in body["dropped"]}
    # adjacent editions: direct links only, each a chain of one
    assert all(link["via"] == [] and len(link["steps"]) == 1 for link in adjacent["continued"])


# --- the page -------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_the_page_compares_editions_for_a_place_and_shows_counterparts(
    browser: Browser, spatialite_loaded: Settings
) -> None:
    """十堰's profile opens the comparison; the key-city clusters continue (扩大 widened) with both plans'
    words; an entity's profile shows its counterpart as "2014 年：…"."""
    with running_server(spatialite_loaded) as base, visiting(browser, f"{base}/#sel=p:420300", **DESK) as visit:
        page = visit.page
        page.get_by_role("button", name="比较两版规划").click()
        view = page.locator("#compare-view")
        expect(view).to_be_visible()
        expect(view.locator("#compare-from")).to_have_value("action2014")
        expect(view.locator("#compare-to")).to_have_value("fyp2021")
        link = view.locator(".compare-link").filter(has_text="重点地市特色产业集群")
        expect(link).to_have_count(1)
        expect(link.locator(".relation")).to_have_text("扩大")
        expect(link.locator(".compare-side").first).to_contain_text("鼓励武汉、襄阳、宜昌、孝感、荆州、黄石")
        expect(link.locator(".compare-side").nth(1)).to_contain_text("十堰")
        expect(view.locator("h3").filter(has_text="新增")).to_be_visible()
        link.locator(".compare-side").nth(1).get_by_role("button").click()
        expect(view).to_be_hidden()
        lineage = page.locator("#profile-body .entity-lineage")
        expect(lineage).to_contain_text("2014 年：")
        expect(lineage).to_contain_text("重点地市优势特色产业集群")
