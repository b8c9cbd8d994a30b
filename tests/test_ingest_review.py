"""Review and publish (issue 13, point 3): ``atlas review`` walks proposals, ``atlas accept`` merges the
accepted ones into the catalogue keeping its comments and layout, and restores it when validation refuses.

The proposals are written here, following app/ingest/proposals.py, over a small synthetic plan text in a
throw-away data directory: nothing depends on the extractor.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.factory import create_app
from app.catalogue import Confidence
from app.cli import cli
from app.ingest.accept import AcceptError, accept, unnamed_members
from app.ingest.proposals import Decision, read_proposals
from app.ingest.review import review
from app.settings import REPO_DATA_DIR, Settings
from app.validation import ValidData, validate

from .conftest import run_cli

PLAN_ID = "test2026"
# A plan that is no plan: every fixture quote below stands in it verbatim.
PLAN_TEXT = """\
湖北省测试装备产业发展规划（2026—2030年）
一、空间布局
（一）产业集群
近年来，全省测试装备产业稳步发展。襄阳市已形成新能源汽车产业集群，产值超过千亿元。支持武汉、孝感共建光电子信息产业走廊。
培育宜荆荆恩智能装备产业基地。建设全省测试装备创新中心。到2030年，全省测试装备产业营业收入达到3000亿元。
"""
SECTION = "一、空间布局 › （一）产业集群"
XIANGYANG = "襄阳市已形成新能源汽车产业集群"
# A catalogue's targets file, with the comments people write in it.
TARGETS = """\
# Test targets — a comment that must survive the merge
targets:
  # ---- fyp2021
  - id: fyp2021-revenue-2025
    plan: fyp2021
    kind: target
    metric_zh: 全省装备制造业营业收入
    metric_en: Revenue of the province's equipment manufacturing
    value: 2.2
    unit: 万亿元
    year: 2025
    scope: province
    section: "二、总体要求 › （三）发展目标"
    quote: "2025年达到2.2万亿元"
"""


def proposal(
    id_: str,
    name: str,
    kind: str,
    members: list[str],
    quote: str,
    decision: str = "accepted",
    sectors: tuple[str, ...] = ("specialty",),
) -> dict[str, object]:
    """A proposal record as the extractor writes it."""
    return {
        "id": id_,
        "name_zh": name,
        "name_en": f"{id_} (English)",
        "kind": kind,
        "sectors": list(sectors),
        "members": members,
        "status": "planned",
        "confidence": "proposed",
        "inferred_sectors": [],
        "note": None,
        "plan_refs": [{"plan": PLAN_ID, "year": 2026, "section": SECTION, "quote": quote}],
        "review": {
            "decision": decision,
            "reason": f"matched pattern …{kind}; places from the quote",
            "context": {"before": "近年来，全省测试装备产业稳步发展。", "after": "产值超过千亿元。"},
            "duplicates": [],
            "lineage": [],
        },
    }


def proposals_file(entities: list[dict[str, object]], targets: list[dict[str, object]] | None = None) -> str:
    """A proposals file for the test plan."""
    return yaml.safe_dump(
        {
            "plan": {
                "id": PLAN_ID,
                "file": f"plans/{PLAN_ID}.txt",
                "year": 2026,
                "title_zh": "湖北省测试装备产业发展规划",
                "title_en": "Hubei Test Equipment Plan",
                "issuer_zh": "测试厅",
                "issuer_en": "Test Department",
                "number": None,
                "date": "2026-01-15",
                "period": "2026—2030",
                "note": None,
            },
            "source": {
                "original": f"data/plans/{PLAN_ID}.txt",
                "text": f"data/plans/{PLAN_ID}.txt",
                "sha256": "0" * 64,
                "text_sha256": "0" * 64,
            },
            "entities": entities,
            "targets": targets or [],
        },
        allow_unicode=True,
        sort_keys=False,
    )


TARGET = {
    "id": "test2026-revenue-2030",
    "plan": PLAN_ID,
    "kind": "target",
    "metric_zh": "全省测试装备产业营业收入",
    "metric_en": "Revenue of the test equipment industry",
    "value": 3000,
    "unit": "亿元",
    "year": 2030,
    "scope": "province",
    "section": SECTION,
    "quote": "到2030年，全省测试装备产业营业收入达到3000亿元",
    "review": {"decision": "accepted", "reason": "number + unit + year"},
}


def standard_entities() -> list[dict[str, object]]:
    """Accepted: a cluster, a corridor, a base named by abbreviation, one placed by inference; rejected
    and pending ones besides."""
    return [
        proposal(
            "xiangyang-nev-cluster", "襄阳新能源汽车产业集群", "cluster", ["襄阳"], "襄阳市已形成新能源汽车产业集群"
        ),
        proposal(
            "wu-xiao-corridor",
            "光电子信息产业走廊",
            "corridor",
            ["武汉", "孝感"],
            "支持武汉、孝感共建光电子信息产业走廊",
        ),
        proposal(
            "yi-jing-jing-en-base",
            "宜荆荆恩智能装备产业基地",
            "base",
            ["宜昌", "荆州", "荆门", "恩施"],
            "培育宜荆荆恩智能装备产业基地",
        ),
        proposal("test-innovation-centre", "测试装备创新中心", "platform", ["武汉"], "建设全省测试装备创新中心"),
        proposal("rejected-one", "被拒绝", "cluster", ["咸宁"], "产值超过千亿元", decision="rejected"),
        proposal("pending-one", "待审核", "cluster", ["黄石"], "产值超过千亿元", decision="pending"),
    ]


@pytest.fixture
def workspace(make_data_dir: Callable[..., Path], tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """A throw-away data directory (the minimal catalogue, the test plan's text, a targets file) and a
    proposals file for the test plan; yields both paths."""
    data_dir = make_data_dir()
    (data_dir / "plans" / f"{PLAN_ID}.txt").write_text(PLAN_TEXT, encoding="utf-8")
    (data_dir / "targets.yaml").write_text(TARGETS, encoding="utf-8")
    path = tmp_path / "proposals" / f"{PLAN_ID}.yaml"
    path.parent.mkdir()
    path.write_text(proposals_file(standard_entities(), [TARGET]), encoding="utf-8")
    yield data_dir, path


def _lines_kept(before: str, after: str) -> bool:
    """Whether every line of ``before`` stands in ``after`` in the same order (only lines were added)."""
    remaining = iter(after.splitlines())
    return all(any(line == other for other in remaining) for line in before.splitlines())


# --- accept --------------------------------------------------------------------------------------------


def test_accept_merges_the_accepted_and_keeps_comments_and_layout(workspace: tuple[Path, Path]) -> None:
    data_dir, path = workspace
    catalogue_before = (data_dir / "clusters.yaml").read_text(encoding="utf-8")
    targets_before = (data_dir / "targets.yaml").read_text(encoding="utf-8")
    result = accept(path, data_dir)
    assert result.entities == [
        "xiangyang-nev-cluster",
        "wu-xiao-corridor",
        "yi-jing-jing-en-base",
        "test-innovation-centre",
    ]
    assert result.targets == ["test2026-revenue-2030"]
    assert result.plan_added and (result.pending, result.rejected) == (1, 1)
    catalogue_after = (data_dir / "clusters.yaml").read_text(encoding="utf-8")
    targets_after = (data_dir / "targets.yaml").read_text(encoding="utf-8")
    # Nothing of the file was rewritten: every old line stands, in order; comments included.
    assert _lines_kept(catalogue_before, catalogue_after)
    assert _lines_kept(targets_before, targets_after)
    assert "# Test targets — a comment that must survive the merge" in targets_after
    assert f"# {PLAN_ID}: accepted from {path.name} (atlas accept)" in catalogue_after
    assert "    members: [武汉, 孝感]" in catalogue_after  # inline lists, as the catalogue writes them
    # The merged data is what validation reads, with the new plan, entities and target.
    data = validate(Settings(data_dir=data_dir))
    by_id = {entity.id: entity for entity in data.catalogue.entities}
    assert PLAN_ID in {plan.id for plan in data.catalogue.plans}
    assert "rejected-one" not in by_id and "pending-one" not in by_id
    assert data.members["yi-jing-jing-en-base"] == [420500, 421000, 420800, 422800]
    assert "test2026-revenue-2030" in {target.id for target in data.targets}
    # The original records come first, unchanged.
    assert [entity.id for entity in data.catalogue.entities][:3] == [
        "xianning-crane-cluster",
        "auto-corridor",
        "honghu-vessel-cluster",
    ]


def test_confidence_stated_when_the_quote_names_every_place_else_inferred_with_a_note(
    workspace: tuple[Path, Path],
) -> None:
    data_dir, path = workspace
    accept(path, data_dir)
    entities = {entity.id: entity for entity in validate(Settings(data_dir=data_dir)).catalogue.entities}
    # 襄阳市 names 襄阳; 武汉、孝感 both; 宜荆荆恩 is the abbreviation of the four in order.
    for stated in ("xiangyang-nev-cluster", "wu-xiao-corridor", "yi-jing-jing-en-base"):
        assert entities[stated].confidence is Confidence.stated, stated
    centre = entities["test-innovation-centre"]  # 全省… names no place: 武汉 was the extractor's reading
    assert centre.confidence is Confidence.inferred
    assert centre.note is not None and "does not name 武汉" in centre.note
    # The review's reason is in every accepted entity's note.
    for accepted in ("xiangyang-nev-cluster", "wu-xiao-corridor", "yi-jing-jing-en-base", "test-innovation-centre"):
        assert f"Accepted in review of {path.name}: matched pattern" in (entities[accepted].note or ""), accepted


def test_unnamed_members_reads_abbreviations_only_in_order(shipped: ValidData) -> None:
    data = proposal("x", "x", "base", ["宜昌", "荆州", "荆门", "恩施"], "宜荆荆恩智能装备产业基地")
    from app.ingest.proposals import Proposal

    assert unnamed_members(Proposal.model_validate(data), shipped.gazetteer) == []
    shuffled = Proposal.model_validate({**data, "members": ["恩施", "宜昌", "荆州", "荆门"]})
    assert unnamed_members(shuffled, shipped.gazetteer) == ["恩施"]
    alone = Proposal.model_validate({**data, "plan_refs": [{**data["plan_refs"][0], "quote": "宜昌智能装备"}]})  # type: ignore[index]
    assert unnamed_members(alone, shipped.gazetteer) == ["荆州", "荆门", "恩施"]


def test_pending_and_rejected_alone_change_nothing(workspace: tuple[Path, Path]) -> None:
    data_dir, path = workspace
    entities = [each for each in standard_entities() if each["review"]["decision"] != "accepted"]  # type: ignore[index]
    path.write_text(proposals_file(entities), encoding="utf-8")
    before = (data_dir / "clusters.yaml").read_bytes()
    result = accept(path, data_dir)
    assert (result.entities, result.targets, result.plan_added) == ([], [], False)
    assert (data_dir / "clusters.yaml").read_bytes() == before


def test_a_bad_proposal_fails_validation_and_both_files_are_restored_byte_for_byte(
    workspace: tuple[Path, Path],
) -> None:
    data_dir, path = workspace
    bad = proposal("misquoted-cluster", "误引集群", "cluster", ["襄阳"], "襄阳市已形成氢能产业集群")  # not in the plan
    unknown_sector = proposal(
        "odd-sector", "怪行业", "cluster", ["襄阳"], "襄阳市已形成新能源汽车产业集群", sectors=("nope",)
    )
    path.write_text(proposals_file([*standard_entities(), bad, unknown_sector], [TARGET]), encoding="utf-8")
    catalogue, targets = (data_dir / "clusters.yaml").read_bytes(), (data_dir / "targets.yaml").read_bytes()
    with pytest.raises(AcceptError) as raised:
        accept(path, data_dir)
    assert (data_dir / "clusters.yaml").read_bytes() == catalogue
    assert (data_dir / "targets.yaml").read_bytes() == targets
    faults = [str(fault) for fault in raised.value.faults]
    assert any(
        "clusters.yaml:" in each and "entity misquoted-cluster" in each and "not verbatim" in each for each in faults
    )
    assert any("entity odd-sector" in each and "unknown sector 'nope'" in each for each in faults)
    assert len(faults) == 2, faults
    assert not list(data_dir.glob(".*accept-tmp"))


def test_targets_file_is_created_and_removed_again_on_failure(workspace: tuple[Path, Path]) -> None:
    data_dir, path = workspace
    (data_dir / "targets.yaml").unlink()
    bad = proposal("misquoted-cluster", "误引集群", "cluster", ["襄阳"], "不在规划里的话")
    path.write_text(proposals_file([bad], [TARGET]), encoding="utf-8")
    with pytest.raises(AcceptError):
        accept(path, data_dir)
    assert not (data_dir / "targets.yaml").exists()


def test_an_id_that_clashes_with_the_catalogue_is_refused(workspace: tuple[Path, Path]) -> None:
    data_dir, path = workspace
    clash = proposal(
        "xianning-crane-cluster", "咸宁起重机械产业集群", "cluster", ["襄阳"], "襄阳市已形成新能源汽车产业集群"
    )
    path.write_text(proposals_file([clash]), encoding="utf-8")
    before = (data_dir / "clusters.yaml").read_bytes()
    with pytest.raises(AcceptError, match=r"xianning-crane-cluster already in data/clusters\.yaml"):
        accept(path, data_dir)
    assert (data_dir / "clusters.yaml").read_bytes() == before
    # Accepting the same file twice is the same clash, not a second copy.
    path.write_text(proposals_file(standard_entities()), encoding="utf-8")
    accept(path, data_dir)
    with pytest.raises(AcceptError, match="already in"):
        accept(path, data_dir)


def test_cli_accept_then_validate(workspace: tuple[Path, Path]) -> None:
    data_dir, path = workspace
    result = run_cli("accept", path, "--data-dir", data_dir)
    assert result.exit_code == 0, result.output
    assert "已合并 Merged 4 entities, 1 target" in result.output
    assert "atlas validate" in result.output and "atlas load" in result.output
    assert run_cli("validate", "--data-dir", data_dir).exit_code == 0
    again = run_cli("accept", path, "--data-dir", data_dir)
    assert again.exit_code == 1 and "already in" in again.output


# --- review --------------------------------------------------------------------------------------------


def scripted(*answers: str) -> Callable[[str], str]:
    """An ``input`` that gives these answers in turn, then the end of input."""
    queue = list(answers)

    def ask(_prompt: str) -> str:
        if not queue:
            raise EOFError
        return queue.pop(0)

    return ask


@pytest.fixture
def pending_file(tmp_path: Path) -> Path:
    """Four pending proposals and one pending target."""
    entities = [{**each, "review": {**each["review"], "decision": "pending"}} for each in standard_entities()[:4]]  # type: ignore[dict-item]
    path = tmp_path / "pending.yaml"
    path.write_text(
        proposals_file(entities, [{**TARGET, "review": {"decision": "pending", "reason": "r"}}]), encoding="utf-8"
    )
    return path


def sector_names(data: ValidData) -> dict[str, str]:
    return {sector.id: sector.name_zh for sector in data.catalogue.sectors}


def test_review_walk_saves_decisions_and_edits(pending_file: Path, shipped: ValidData) -> None:
    out = io.StringIO()
    answers = scripted(
        "a",  # xiangyang: accept
        "p",
        "武汉, 神农架",  # wu-xiao: edit places (kept as typed), then
        "s",
        "auto auto-nev",  # edit sectors, then
        "R",  # reject (keys in either case)
        "n",  # yi-jing-jing-en: next, stays pending
        "x",  # an unknown key shows the help
        "a",  # the centre: accept
        "q",  # the target: quit
    )
    summary = review(pending_file, shipped.gazetteer, sector_names(shipped), ask=answers, out=out)
    saved = read_proposals(pending_file)
    decisions = {each.id: each.review.decision for each in saved.entities}
    assert decisions == {
        "xiangyang-nev-cluster": Decision.accepted,
        "wu-xiao-corridor": Decision.rejected,
        "yi-jing-jing-en-base": Decision.pending,
        "test-innovation-centre": Decision.accepted,
    }
    edited = saved.entities[1]
    assert edited.members == ["武汉", "神农架"] and edited.sectors == ["auto", "auto-nev"]
    assert "places edited in review" in edited.review.reason and "sectors edited in review" in edited.review.reason
    assert saved.targets[0].review.decision is Decision.pending
    assert summary.quit and summary.accepted == ["xiangyang-nev-cluster", "test-innovation-centre"]
    assert summary.pending == 2  # the base skipped, the target not reached
    shown = out.getvalue()
    # What the reviewer reads: name, kind, places resolved, sectors named, the quote in context, reason.
    assert "襄阳新能源汽车产业集群" in shown and "襄阳 = 襄阳市 (420600)" in shown
    assert "…近年来，全省测试装备产业稳步发展。【襄阳市已形成新能源汽车产业集群】产值超过千亿元。…" in shown
    assert "理由 Reason: matched pattern" in shown and "a 接受 accept" in shown


def test_review_refuses_unknown_places_and_sectors(pending_file: Path, shipped: ValidData) -> None:
    out = io.StringIO()
    answers = scripted("p", "武汉, 火星市", "p", "武汉 武汉市", "s", "auto robots-xyz", "s", "-", "a")
    review(pending_file, shipped.gazetteer, sector_names(shipped), ask=answers, out=out)
    first = read_proposals(pending_file).entities[0]
    assert first.members == ["襄阳"]  # every refused edit left the places as they were
    assert first.sectors == []  # '-' cleared them: the taxonomy's 'none' is allowed
    assert first.review.decision is Decision.accepted
    shown = out.getvalue()
    assert "未知地点 unknown place '火星市'" in shown
    assert "武汉市 (420100) is listed twice" in shown
    assert "未知行业 unknown sector 'robots-xyz'" in shown


def test_review_saves_after_each_decision(pending_file: Path, shipped: ValidData) -> None:
    """A crash after the first decision (the input fails) keeps that decision on disk."""
    calls = iter(["a"])

    def ask(_prompt: str) -> str:
        answer = next(calls, None)
        if answer is None:
            raise KeyboardInterrupt
        return answer

    with pytest.raises(KeyboardInterrupt):
        review(pending_file, shipped.gazetteer, sector_names(shipped), ask=ask, out=io.StringIO())
    assert read_proposals(pending_file).entities[0].review.decision is Decision.accepted


def test_cli_review_reads_stdin(pending_file: Path) -> None:
    environment: dict[str, str | None] = {key: None for key in os.environ if key.startswith("ATLAS_")}
    result = CliRunner().invoke(cli, ["review", str(pending_file)], input="a\nr\nq\n", env=environment)
    assert result.exit_code == 0, result.output
    decisions = [each.review.decision for each in read_proposals(pending_file).entities]
    assert decisions[:3] == [Decision.accepted, Decision.rejected, Decision.pending]
    assert "已保存 Saved" in result.output and "3 still pending" in result.output


# --- the preview route ---------------------------------------------------------------------------------


def test_only_a_preview_server_has_the_proposed_route(tmp_path: Path) -> None:
    """The public app has no /preview route (404, not in its OpenAPI) and its page config says no preview;
    a preview app answers the file's proposals, uncached, and follows the file as the review changes it."""
    path = tmp_path / "p.yaml"
    path.write_text(proposals_file(standard_entities()), encoding="utf-8")
    store = tmp_path / "no-store.sqlite"  # neither route nor page reads the store
    public = TestClient(create_app(Settings(store_path=store)))
    assert public.get("/preview/proposals").status_code == 404
    assert "/preview" not in public.get("/openapi.json").text
    assert '"preview": false' in public.get("/").text
    preview = TestClient(create_app(Settings(store_path=store, preview_proposals=path)))
    assert '"preview": true' in preview.get("/").text
    answer = preview.get("/preview/proposals")
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    features = {feature["id"]: feature for feature in answer.json()["features"]}
    assert list(features) == [each["id"] for each in standard_entities()]
    base = features["yi-jing-jing-en-base"]
    assert base["geometry"]["type"] == "MultiPolygon" and base["properties"]["places"] == [
        "宜昌市",
        "荆州市",
        "荆门市",
        "恩施土家族苗族自治州",
    ]
    assert base["properties"]["quotes"][0] == {
        "section": SECTION,
        "quote": "培育宜荆荆恩智能装备产业基地",
        "before": "近年来，全省测试装备产业稳步发展。",
        "after": "产值超过千亿元。",
    }
    # A decision saved by the review shows at once: the layer is not kept past a change of the file.
    review(path, validate(Settings()).gazetteer, {}, ask=scripted("r"), out=io.StringIO())
    again = {feature["id"]: feature for feature in preview.get("/preview/proposals").json()["features"]}
    assert again["pending-one"]["properties"]["decision"] == "rejected"
    path.write_text("plan: [", encoding="utf-8")  # broken by hand: said, not a 500
    broken = preview.get("/preview/proposals")
    assert broken.status_code == 409 and "cannot read the proposals" in broken.json()["detail"]


def test_a_proposal_that_is_no_entity_is_refused_before_anything_is_written(workspace: tuple[Path, Path]) -> None:
    data_dir, path = workspace
    odd = {**proposal("odd", "怪", "cluster", ["襄阳"], XIANGYANG), "inferred_sectors": ["auto"]}  # not a sector of it
    path.write_text(proposals_file([odd]), encoding="utf-8")
    before = (data_dir / "clusters.yaml").read_bytes()
    with pytest.raises(AcceptError, match="proposal odd is no catalogue entity"):
        accept(path, data_dir)
    assert (data_dir / "clusters.yaml").read_bytes() == before


def test_accept_into_the_shipped_catalogue_keeps_every_line(make_data_dir: Callable[..., Path], tmp_path: Path) -> None:
    """The real catalogue, with its banners, folded notes and blank lines between entities: only lines are
    added, the new entities are set apart by blank lines as the others are, and the result validates."""
    shipped_catalogue = (REPO_DATA_DIR / "clusters.yaml").read_text(encoding="utf-8")
    shipped_targets = (REPO_DATA_DIR / "targets.yaml").read_text(encoding="utf-8")
    data_dir = make_data_dir(shipped_catalogue)
    (data_dir / "targets.yaml").write_text(shipped_targets, encoding="utf-8")
    (data_dir / "plans" / f"{PLAN_ID}.txt").write_text(PLAN_TEXT, encoding="utf-8")
    entities = [{**each, "sectors": ["auto"]} for each in standard_entities()[:2]]
    path = tmp_path / "p.yaml"
    path.write_text(proposals_file(entities, [TARGET]), encoding="utf-8")
    accept(path, data_dir)
    merged = (data_dir / "clusters.yaml").read_text(encoding="utf-8")
    assert _lines_kept(shipped_catalogue, merged) and _lines_kept(
        shipped_targets, (data_dir / "targets.yaml").read_text()
    )
    assert "\n\n  - id: wu-xiao-corridor\n" in merged  # a blank line between entities, as between the others
    assert "\n\ntext_notes:\n" in merged and "\n\nsectors:\n" in merged  # sections still set apart
    data = validate(Settings(data_dir=data_dir))
    assert {"xiangyang-nev-cluster", "wu-xiao-corridor"} <= {entity.id for entity in data.catalogue.entities}
