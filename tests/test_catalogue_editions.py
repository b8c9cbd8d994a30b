"""Issue 12, points 1 and 2: the catalogue is complete by its written inclusion rule (data/README.md) and
its calls are uneven no more; inferred sectors are marked, published and shown like inferred places."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.admin_units import PROVINCE_ADCODE
from app.catalogue import Confidence, Entity, Kind, Status
from app.settings import REPO_DATA_DIR, Settings
from app.validation import DataInvalid, ValidData, validate

from .conftest import MINIMAL_CATALOGUE

# Each entity issue 12 added (point 1), with words of its name that its own quote must hold: the plan named
# it, so the catalogue quotes the plan naming it.
ADDED: dict[str, tuple[str, ...]] = {
    "han-river-industrial-corridor": ("汉江千里产业走廊",),
    "yangtze-river-economic-belt": ("长江经济带",),
    "middle-yangtze-city-group": ("长江中游城市群",),
    "hubei-51020-modern-industrial-clusters": ("“51020”现代产业集群",),
    "wuhan-city-circle-advanced-mfg-zones": ("武汉城市圈", "先进制造业高质量发展区"),
    "robot-industry-alliance": ("机器人产业联盟",),
    "nev-industry-tech-innovation-alliances": ("产业技术创新战略联盟",),
    "urban-rail-maglev-technology-platform": ("城轨车辆及中低速磁悬浮系统", "技术平台"),
    "academician-industrial-parks": ("院士产业园",),
    "tech-transfer-centres": ("技术转化中心",),
    "tech-transfer-platforms": ("科技成果转化承载平台",),
    "industrial-software-verification-platforms": ("工业软件适配、测试、验证和中试平台",),
    "industrial-software-supply-demand-platform": ("工业软件产品供需对接平台",),
    "industrial-chain-collaboration-platforms": ("产业链协同服务平台",),
    "machine-tool-industry-data-platform": ("机床等产业数据平台",),
    "internet-platform-digital-transformation-centre": ("互联网平台和数字化转型促进中心",),
    "standards-innovation-research-base": ("标准创新研究基地",),
    "first-set-test-verification-platforms": ("首（台）套试验、验证类公共服务平台",),
    "equipment-supply-demand-platform": ("供需对接平台", "装备制造企业"),
    "smart-equipment-application-service-platform-2014": ("智能制造装备应用服务平台",),
    "park-public-service-platforms-2014": ("园区产业发展公共服务平台",),
    "cnc-machine-tool-industry-alliance-2014": ("数控机床产业联盟",),
    "laser-equipment-industry-alliance-2014": ("激光装备产业联盟",),
    "3d-printing-technology-industry-alliance-2014": ("3D打印技术产业联盟",),
    "tech-innovation-strategic-alliances-2014": ("技术创新战略联盟",),
    "user-maker-industry-alliances-2014": ("产业联盟",),
    "3d-printing-parks-target-2014": ("3D打印产业园",),
}
LABS = ("luojia-lab", "jiangcheng-lab", "donghu-lab")
PROVINCE_WORDS = ("全省", "我省", "湖北")


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def entity(data: ValidData, entity_id: str) -> Entity:
    found = [e for e in data.catalogue.entities if e.id == entity_id]
    assert found, f"no entity {entity_id}"
    return found[0]


def plan_text(data: ValidData, plan_id: str) -> str:
    return squeezed((REPO_DATA_DIR / data.catalogue.plan(plan_id).file).read_text(encoding="utf-8"))


# -- point 1: what the plans name is catalogued --------------------------------------------------------------


@pytest.mark.parametrize(("entity_id", "words"), ADDED.items(), ids=list(ADDED))
def test_each_added_entity_quotes_the_plan_naming_it(
    shipped: ValidData, entity_id: str, words: tuple[str, ...]
) -> None:
    added = entity(shipped, entity_id)
    quotes = [squeezed(ref.quote) for ref in added.plan_refs]
    for word in words:
        assert any(word in quote for quote in quotes), f"{entity_id}: no quote holds {word}"
    for ref in added.plan_refs:
        assert squeezed(ref.quote) in plan_text(shipped, ref.plan), ref.quote
    # Unplaced entries sit province-wide and say so, as every unplaced entry does.
    if shipped.members[entity_id] == [PROVINCE_ADCODE] and added.confidence is Confidence.inferred:
        assert "shown at province level" in (added.note or "")


def test_every_alliance_the_plans_name_is_a_platform(shipped: ValidData) -> None:
    """The inclusion rule keeps every 联盟 the plans name, under one kind (data/README.md)."""
    alliances = [e for e in shipped.catalogue.entities if "联盟" in e.name_zh]
    assert len(alliances) >= 6
    assert {e.kind for e in alliances} == {Kind.platform}
    for plan in shipped.catalogue.plans:
        text = plan_text(shipped, plan.id)
        named = set(re.findall(r"[\w（）]{0,8}?(?:数控机床|激光装备|3D打印技术|机器人)产业联盟", text))
        for name in named:
            assert any(name.endswith(e.name_zh) or e.name_zh in name for e in alliances), name


def test_the_han_river_corridor_stands_beside_its_city_group(shipped: ValidData) -> None:
    corridor = entity(shipped, "han-river-industrial-corridor")
    group = entity(shipped, "xiang-shi-sui-shen-city-group")
    assert corridor.kind is Kind.corridor
    assert shipped.members[corridor.id] == shipped.members[group.id]  # the group's places, in its order
    assert corridor.confidence is Confidence.inferred
    assert "xiang-shi-sui-shen-city-group" in (corridor.note or "")
    assert "han-xiao-sui-xiang-shi-auto-corridor" in (corridor.note or "")
    assert "han-river-industrial-corridor" in (group.note or "")
    assert all(alias.zh != corridor.name_zh for alias in group.aliases)  # one name, one record


def test_only_a_corridor_in_the_plans_order_is_a_numbered_line(in_process: TestClient) -> None:
    """汉江千里产业走廊's stops are inferred (the plan names none), so the atlas draws no route through them
    and numbers none: it is outlined, not lined; 汉孝随襄十's stated order stays a numbered line."""
    clusters = {f["id"]: f["properties"] for f in in_process.get("/api/map/clusters").json()["features"]}
    assert clusters["han-river-industrial-corridor"]["ordered"] is False
    assert clusters["han-xiao-sui-xiang-shi-auto-corridor"]["ordered"] is True
    assert clusters["xiang-shi-sui-shen-city-group"]["ordered"] is True
    assert clusters["yangtze-river-economic-belt"]["ordered"] is False  # inferred: no order to show
    lines = {f["id"] for f in in_process.get("/api/map/corridors").json()["features"]}
    assert lines == {"han-xiao-sui-xiang-shi-auto-corridor", "yangtze-shipbuilding-corridor"}
    ogc = in_process.get("/ogc/collections/corridors/items").json()
    assert ogc["numberMatched"] == 2 and all(f["geometry"] for f in ogc["features"])
    assert in_process.get("/api/clusters/han-river-industrial-corridor").json()["route"] is None


def test_the_inclusion_rule_is_written(shipped: ValidData) -> None:
    readme = (REPO_DATA_DIR / "README.md").read_text(encoding="utf-8")
    assert "## What is catalogued" in readme
    for word in ("联盟", "inferred_sectors", "推断行业", "Never from outside", "shown at province level"):
        assert word in readme


# -- point 2: the uneven calls, made one way -------------------------------------------------------------


def test_wuhan_core_lead_role_quotes_the_whole_directive(shipped: ValidData) -> None:
    lead = entity(shipped, "wuhan-core-lead-role")
    quotes = [squeezed(ref.quote) for ref in lead.plan_refs]
    whole = [quote for quote in quotes if "支持武汉大力发展" in quote]
    assert whole and "以“光芯屏端网”" in whole[0] and whole[0].endswith("集聚承载能力。")
    assert lead.status is Status.planned
    assert "optoelectronics-ic-equipment" not in lead.sectors
    assert set(lead.inferred_sectors) == {"optoelectronics-optical-comms"}


def test_the_2014_opto_mechatronics_is_planned_and_quotes_only_wuhan(shipped: ValidData) -> None:
    opto = entity(shipped, "wuhan-optics-valley-optomechatronics")
    assert opto.status is Status.planned
    assert all("武汉" in ref.quote for ref in opto.plan_refs)


def test_kinds_follow_the_plans_word(shipped: ValidData) -> None:
    cnc = entity(shipped, "yangtze-cnc-machine-tool-corridor")  # the id stays, for links
    assert cnc.kind is Kind.cluster
    assert all("沿江" not in ref.quote for ref in cnc.plan_refs)
    ships = entity(shipped, "yangtze-shipbuilding-corridor")  # the plan does say 沿江 of this one
    assert ships.kind is Kind.corridor and any("沿江" in ref.quote for ref in ships.plan_refs)
    for entity_id in ("wuhan-high-end-equipment-clusters", "xiangyang-specialty-clusters"):
        assert entity(shipped, entity_id).kind is Kind.cluster
    # Every entity whose own quotes call it a 产业集群 and that is not strung along the river is a cluster.
    for candidate in shipped.catalogue.entities:
        named_cluster = squeezed(candidate.name_zh).endswith(("产业集群", "装备集群", "机械集群"))
        if named_cluster and "沿江" not in candidate.name_zh:
            assert candidate.kind is Kind.cluster, candidate.id


def test_province_wide_placements_follow_one_rule(shipped: ValidData) -> None:
    """Stated at province level only where a quote names the province; otherwise inferred and labelled."""
    base = entity(shipped, "hubei-equipment-manufacturing-base")
    assert base.confidence is Confidence.inferred
    for candidate in shipped.catalogue.entities:
        if shipped.members[candidate.id] != [PROVINCE_ADCODE]:
            continue
        if candidate.confidence is Confidence.stated:
            assert any(word in ref.quote for ref in candidate.plan_refs for word in PROVINCE_WORDS), candidate.id
        else:
            assert "shown at province level" in re.sub(r"\s+", " ", candidate.note or ""), candidate.id


def test_no_place_comes_from_outside_knowledge(shipped: ValidData) -> None:
    aerospace = entity(shipped, "national-aerospace-industry-base")
    assert shipped.members[aerospace.id] == [PROVINCE_ADCODE]
    assert "Wuhan" not in aerospace.name_en
    for candidate in shipped.catalogue.entities:
        note = re.sub(r"\s+", " ", candidate.note or "")
        assert "well-established public fact" not in note, candidate.id


def test_labs_carry_no_sector_from_their_public_remit(shipped: ValidData) -> None:
    treatments = {entity(shipped, lab).sectors == [] for lab in LABS}
    assert treatments == {True}


def test_key_city_clusters_carry_no_sector_the_plan_does_not_give(shipped: ValidData) -> None:
    for entity_id in ("key-cities-specialty-clusters-2021", "key-cities-specialty-clusters-2014"):
        key = entity(shipped, entity_id)
        assert set(key.sectors) <= set(key.inferred_sectors), entity_id
        assert key.kind is Kind.cluster
    metropolitan = entity(shipped, "greater-wuhan-equipment-metropolitan-area")
    assert metropolitan.sectors and set(metropolitan.sectors) == set(metropolitan.inferred_sectors)


def test_a_province_wide_target_is_not_wuhans(shipped: ValidData) -> None:
    wuhan_base = entity(shipped, "wuhan-3d-printing-industrial-base")
    assert all("1-2个" not in ref.quote for ref in wuhan_base.plan_refs)
    target = entity(shipped, "3d-printing-parks-target-2014")
    assert shipped.members[target.id] == [PROVINCE_ADCODE]
    assert any("1-2个" in ref.quote for ref in target.plan_refs)


def test_english_names_do_not_assert_inferred_places(shipped: ValidData) -> None:
    machinery = entity(shipped, "jingzhou-construction-machinery-cluster")
    assert machinery.confidence is Confidence.inferred
    assert not machinery.name_en.startswith("Jingzhou")


def test_cross_edition_tags_are_inferred(shipped: ValidData) -> None:
    """A 2014-only entity tagged with a 2021 sector carries it as inferred (the 2014 plan has no such tree)."""
    plan_of_sector = {sector.id: {ref.plan for ref in sector.plan_refs} for sector in shipped.catalogue.sectors}
    for candidate in shipped.catalogue.entities:
        if candidate.plan_years() != [2014]:
            continue
        for sector in candidate.sectors:
            if "action2014" not in plan_of_sector[sector]:
                assert sector in candidate.inferred_sectors, (candidate.id, sector)


# -- inferred sectors: validated, published, shown ------------------------------------------------------------


def test_an_inferred_sector_must_be_one_of_the_entitys(make_data_dir: Callable[..., Path]) -> None:
    text = MINIMAL_CATALOGUE.replace(
        "    sectors: [specialty-cranes]\n", "    sectors: [specialty-cranes]\n    inferred_sectors: [auto]\n", 1
    )
    assert text != MINIMAL_CATALOGUE
    with pytest.raises(DataInvalid) as caught:
        validate(Settings(data_dir=make_data_dir(text)))
    [fault] = caught.value.faults
    assert fault.entry == "entity xianning-crane-cluster"
    assert "'auto' is not one of the entity's sectors" in fault.message


def test_an_inferred_sector_needs_a_note(make_data_dir: Callable[..., Path]) -> None:
    text = MINIMAL_CATALOGUE.replace(
        "    sectors: [specialty-cranes]\n",
        "    sectors: [specialty-cranes]\n    inferred_sectors: [specialty-cranes]\n",
        1,
    )
    with pytest.raises(DataInvalid) as caught:
        validate(Settings(data_dir=make_data_dir(text)))
    assert any("a note must say which and why" in fault.message for fault in caught.value.faults)


def test_inferred_sectors_are_published(in_process: TestClient, shipped: ValidData) -> None:
    marked = [e for e in shipped.catalogue.entities if e.inferred_sectors]
    assert marked
    for candidate in marked:
        detail = in_process.get(f"/api/clusters/{candidate.id}").json()
        assert detail["inferred_sectors"] == candidate.inferred_sectors
    listed = in_process.get("/api/clusters", params={"limit": 500}).json()["items"]
    by_id = {item["id"]: item for item in listed}
    assert {item_id for item_id, item in by_id.items() if item["inferred_sectors"]} == {e.id for e in marked}


def test_the_page_marks_inferred_sectors() -> None:
    """The list row and the profile show 推断行业 Inferred sector beside 推断位置, from the published field."""
    web = Path(__file__).resolve().parents[1] / "web" / "static"
    i18n = (web / "i18n.js").read_text(encoding="utf-8")
    assert 'inferredSectorBadge: ["推断行业", "Inferred sector"]' in i18n
    for module in ("panel.js", "profiles.js"):
        source = (web / "js" / module).read_text(encoding="utf-8")
        assert "inferred_sectors?.length" in source and 'tr("inferredSectorBadge")' in source, module
