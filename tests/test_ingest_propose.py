"""Proposing a plan's entities and targets (issue 13, points 2 and 4): the extractor on small texts written
here, ``atlas propose`` on a text file, and the evaluation on the shipped plans, which must not fall below
what eval/results records."""

from __future__ import annotations

import dataclasses
import json
import subprocess
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from app.catalogue import Kind, Plan, Status
from app.ingest.extract import propose
from app.ingest.placenames import PlaceFinder
from app.ingest.proposals import Proposal, ProposalFile, Source, read_proposals
from app.plan_texts import PlanText
from app.validation import ValidData

from .conftest import run_cli

ROOT = Path(__file__).resolve().parent.parent
PLAN = Plan(
    id="test2026",
    file="plans/test2026.txt",
    year=2026,
    title_zh="湖北省测试装备产业发展规划",
    title_en="Test plan",
    issuer_zh="湖北省经济和信息化厅",
    issuer_en="Hubei Provincial Department of Economy and Information Technology",
    date=date(2026, 3, 1),
    period="2026—2030",
)
SOURCE = Source(original="plans/test2026.source.txt", text="plans/test2026.txt", sha256="0", text_sha256="0")
TEXT = """\
湖北省测试装备产业发展规划

一、发展基础

襄阳市已形成新能源汽车产业集群。荆州、荆州和荆门都在发展。2025年，全省测试装备营业收入5000亿元。

二、主要任务

（一）优化布局

支持“宜荆荆恩”城市群发展高技术船舶。打造“汉孝随襄十”千里汽车产业走廊。建设测试装备创新中心。
加快发展荆州石油成套设备产业集群和建筑工程机械集群。

（二）发展目标

到2030年，全省测试装备营业收入达到8000亿元左右，襄阳市汽车产值超过3000亿元。
"""


def _propose(shipped: ValidData, text: str = TEXT, plan: Plan = PLAN) -> ProposalFile:
    return propose(text, plan, shipped, SOURCE)


@pytest.fixture(scope="module")
def proposed(shipped: ValidData) -> ProposalFile:
    """TEXT proposed once (the first proposal loads jieba's dictionary, about a second)."""
    return _propose(shipped)


def _entity(proposals: ProposalFile, name: str) -> Proposal:
    found = [each for each in proposals.entities if each.name_zh == name]
    assert found, f"{name} not proposed; proposed: {[each.name_zh for each in proposals.entities]}"
    return found[0]


def test_abbreviations_expand_into_places_in_the_plans_order(shipped: ValidData) -> None:
    places = PlaceFinder(shipped.gazetteer, TEXT)
    # 荆州 is named more often than 荆门 in TEXT, so the first 荆 is 荆州
    assert [p.member for p in places.find("“宜荆荆恩”")] == ["宜昌", "荆州", "荆门", "恩施"]
    assert [p.unit.adcode for p in places.find("“汉孝随襄十”")] == [420100, 420900, 421300, 420600, 420300]
    assert places.find("“十四五”") == []  # not every quoted run of letters is an abbreviation
    other = PlaceFinder(shipped.gazetteer, "荆门、荆门和荆州")
    assert [p.member for p in other.find("“宜荆荆恩”")] == ["宜昌", "荆门", "荆州", "恩施"]


def test_entities_with_kind_places_status_and_reason(proposed: ProposalFile) -> None:
    proposals = proposed
    corridor = _entity(proposals, "“汉孝随襄十”千里汽车产业走廊")
    assert corridor.kind is Kind.corridor
    assert corridor.members == ["武汉", "孝感", "随州", "襄阳", "十堰"]
    assert corridor.status is Status.planned and "打造" in corridor.review.reason
    assert "auto" in corridor.sectors
    group = _entity(proposals, "“宜荆荆恩”城市群")
    assert group.kind is Kind.city_group and group.members == ["宜昌", "荆州", "荆门", "恩施"]
    assert "abbreviation “宜荆荆恩”" in group.review.reason
    existing = _entity(proposals, "新能源汽车产业集群")
    assert existing.status is Status.existing and existing.members == ["襄阳市"]
    assert existing.sectors == ["auto-nev"]
    # 和 shares the place of the name before it
    assert _entity(proposals, "建筑工程机械集群").members == ["荆州"]


def test_a_city_specialisation_without_a_kind_word(shipped: ValidData) -> None:
    proposals = _propose(shipped, "一、布局\n\n推动蔡甸区、江夏区发展汽车零部件产业。\n")
    (special,) = proposals.entities
    assert special.kind is Kind.specialisation
    assert special.members == ["蔡甸区", "江夏区"] and special.sectors == ["auto-parts"]


def test_a_name_that_says_what_another_is_is_no_entity_of_its_own(shipped: ValidData) -> None:
    proposals = _propose(shipped, "一、基础\n\n武汉经济技术开发区是全国重要的汽车生产基地。\n")
    assert [(each.name_zh, each.members, each.status) for each in proposals.entities] == [
        ("武汉经济技术开发区", ["武汉"], Status.existing)
    ]


def test_a_placeless_entity_sits_province_wide(proposed: ProposalFile) -> None:
    centre = _entity(proposed, "测试装备创新中心")
    assert centre.kind is Kind.platform
    assert centre.members == ["湖北省"]
    assert "province-wide" in centre.review.reason


def test_quotes_are_verbatim_with_sections_and_context(proposed: ProposalFile, tmp_path: Path) -> None:
    path = tmp_path / "plan.txt"
    path.write_text(TEXT, encoding="utf-8")
    text = PlanText(path)
    proposals = proposed
    assert proposals.entities
    for proposal in proposals.entities:
        for ref in proposal.plan_refs:
            assert text.contains(ref.quote), ref.quote
    for target in proposals.targets:
        assert text.contains(target.quote) and target.number_in_quote()
    group = _entity(proposals, "“宜荆荆恩”城市群")
    assert group.plan_refs[0].section.startswith("二、主要任务 › （一）优化布局")
    assert group.review.context.after.startswith("打造“汉孝随襄十”")
    assert len({proposal.id for proposal in proposals.entities}) == len(proposals.entities)


def test_targets_with_year_qualifier_scope_and_kind(proposed: ProposalFile) -> None:
    targets = {(t.value, t.unit): t for t in proposed.targets}
    goal = targets[(8000.0, "亿元")]
    assert (goal.kind.value, goal.year, goal.qualifier.value, goal.scope.value) == ("target", 2030, "about", "province")
    place = targets[(3000.0, "亿元")]
    assert (place.scope.value, place.scope_id, place.qualifier.value) == ("place", 420600, "over")
    baseline = targets[(5000.0, "亿元")]
    assert (baseline.kind.value, baseline.year) == ("baseline", 2025)


def test_duplicates_and_lineage_are_flagged_not_merged(shipped: ValidData, proposed: ProposalFile) -> None:
    later = _entity(proposed, "荆州石油成套设备产业集群")
    assert later.review.lineage == ["jingzhou-oil-equipment-cluster"]  # the 2021 plan's, for a 2026 plan
    assert later.review.duplicates == []
    assert later.id != "jingzhou-oil-equipment-cluster"  # a proposal of its own, not the catalogue's record
    same_year = PLAN.model_copy(update={"id": "other2021", "year": 2021})
    again = _entity(_propose(shipped, plan=same_year), "荆州石油成套设备产业集群")
    assert again.review.duplicates == ["jingzhou-oil-equipment-cluster"]
    assert "jingzhou-oil-equipment-cluster" in {e.id for e in shipped.catalogue.entities}


def test_atlas_propose_writes_a_proposals_file(make_data_dir: Callable[..., Path], tmp_path: Path) -> None:
    data_dir = make_data_dir()
    document = tmp_path / "plan.txt"
    document.write_text("湖北省经济和信息化厅\n\n2026年3月1日\n\n" + TEXT, encoding="utf-8")
    out = tmp_path / "proposals" / "test2026.yaml"
    result = run_cli("propose", document, "--plan-id", "test2026", "--data-dir", data_dir, "--out", out)
    assert result.exit_code == 0, result.output
    assert "Wrote" in result.output and "Proposing" in result.output
    proposals = read_proposals(out)
    assert proposals.plan.title_zh == "湖北省测试装备产业发展规划"
    assert proposals.plan.date == date(2026, 3, 1) and proposals.plan.period is None
    assert proposals.source.text == "plans/test2026.txt"
    assert (data_dir / "plans" / "test2026.txt").is_file()
    assert any(each.name_zh == "“宜荆荆恩”城市群" for each in proposals.entities)
    # proposing the same id again is refused unless --replace
    again = run_cli("propose", document, "--plan-id", "test2026", "--data-dir", data_dir, "--out", out)
    assert again.exit_code == 1 and "test2026" in again.output
    replaced = run_cli("propose", document, "--plan-id", "test2026", "--data-dir", data_dir, "--out", out, "--replace")
    assert replaced.exit_code == 0, replaced.output


def test_atlas_propose_says_what_is_wrong(make_data_dir: Callable[..., Path], tmp_path: Path) -> None:
    data_dir = make_data_dir()
    missing = run_cli("propose", tmp_path / "nothing.pdf", "--plan-id", "x2026", "--data-dir", data_dir)
    assert missing.exit_code == 1 and "nothing.pdf" in missing.output
    undated = tmp_path / "undated.txt"
    undated.write_text("建设测试装备创新中心。\n", encoding="utf-8")
    result = run_cli("propose", undated, "--plan-id", "x2026", "--data-dir", data_dir, "--out", tmp_path / "o.yaml")
    assert result.exit_code == 2 and "--date" in result.output and "--title" in result.output
    assert not (data_dir / "plans" / "x2026.txt").exists()  # nothing archived for a plan that cannot be recorded


def test_the_extractor_does_not_read_the_catalogues_entities(shipped: ValidData) -> None:
    """With every catalogued entity taken away, a shipped plan yields the same proposals, flags aside:
    the extractor learns nothing from the curated names or quotes it is evaluated against."""
    plan = shipped.catalogue.plan("action2014")
    text = (ROOT / "data" / plan.file).read_text(encoding="utf-8")
    bare = dataclasses.replace(shipped, catalogue=shipped.catalogue.model_copy(update={"entities": []}))

    def without_flags(proposals: ProposalFile) -> list[dict[str, object]]:
        return [
            each.model_dump(exclude={"id": True, "review": {"duplicates", "lineage"}}) for each in proposals.entities
        ]

    with_catalogue = propose(text, plan, shipped, SOURCE)
    assert any(each.review.duplicates for each in with_catalogue.entities)  # the flags do use it
    assert without_flags(propose(text, plan, bare, SOURCE)) == without_flags(with_catalogue)


def test_a_later_plan_without_sectors_of_its_own(shipped: ValidData) -> None:
    """A city plan accepted without a taxonomy of its own: the next plan is read with the latest taxonomy."""
    city_plan = PLAN.model_copy(update={"id": "city2030", "year": 2030})
    catalogue = shipped.catalogue.model_copy(update={"plans": [*shipped.catalogue.plans, city_plan]})
    data = dataclasses.replace(shipped, catalogue=catalogue)
    proposals = _propose(data)
    assert _entity(proposals, "新能源汽车产业集群").sectors == ["auto-nev"]


@pytest.mark.slow
def test_the_evaluation_does_not_fall_below_its_recorded_figures(tmp_path: Path) -> None:
    """eval/run.sh on the shipped plans (text, DOCX, PDF): every figure at least what eval/results records."""
    subprocess.run(["bash", "eval/run.sh", str(tmp_path)], cwd=ROOT, check=True, capture_output=True)
    recorded = json.loads((ROOT / "eval/results/propose-shipped-plans.json").read_text(encoding="utf-8"))
    now = json.loads((tmp_path / "propose-shipped-plans.json").read_text(encoding="utf-8"))
    assert set(now["plans"]) == {"fyp2021", "action2014"}
    for plan_id, figures in recorded["plans"].items():
        for part in ("entities", "targets"):
            for key, value in figures[part].items():
                if isinstance(value, float):
                    assert now["plans"][plan_id][part][key] >= value - 1e-9, (plan_id, part, key)
        for name, plans in recorded["formats"].items():  # the DOCX and PDF made from the text
            for key, value in plans[plan_id].items():
                if isinstance(value, float):
                    assert now["formats"][name][plan_id][key] >= value - 1e-9, (name, plan_id, key)
        entities = now["plans"][plan_id]["entities"]
        # the goals
        assert entities["recall_place_anchored"] >= 0.8 and entities["precision"] >= 0.6, plan_id
