"""A new plan from document to published atlas (issue 13's acceptance): a plan the test makes as a PDF and as a
Word file — not shipped — goes through ``atlas propose`` → the preview (the proposed layer shows on the review
server, in Chromium for the PDF; the public server has none) → ``atlas review`` (a reviewer's keystrokes) →
``atlas accept`` → ``atlas validate`` → ``atlas load``; its entities then appear with their quotes and the
plan's citation in the API, the OGC collection and the downloads, and its target in /api/targets.

What the reviewer accepts is decided here from the plan's own sentences (which place, which kind), never
from the proposals' names, so a wrong proposal is rejected as a person would and the test says which.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, expect
from typer.testing import CliRunner

from api.factory import create_app
from app.cli import cli
from app.ingest.proposals import Decision, Proposal, ProposalFile, read_proposals
from app.settings import REPO_DATA_DIR

from .conftest import backend_settings, run_cli, running_server, server_environment
from .test_web_e2e import visiting

pytestmark = pytest.mark.slow  # PDF making, three loads, a live server and Chromium

PLAN_ID = "test2026"
TITLE = "湖北省高端装备产业集群发展行动计划（测试）"
PLAN_TEXT = f"""{TITLE}

湖北省经济和信息化厅

2026年3月1日

一、发展现状

近年来，全省高端装备产业稳步发展。襄阳市已形成新能源汽车产业集群，产值超过千亿元。

二、重点任务

（一）培育产业集群

支持咸宁市打造智能输变电装备产业集群。推动荆门市建设通用航空产业基地。

（二）建设创新平台

在武汉市建设高端数控机床创新中心。

三、发展目标

到2030年，全省高端装备产业营业收入达到8000亿元。
"""
# What a reviewer reads in the plan: (adcode, kind, status, the quote's words, the heading it stands under).
EXPECTED = [
    (420600, "cluster", "existing", "襄阳市已形成新能源汽车产业集群", "一、发展现状"),
    (421200, "cluster", "planned", "支持咸宁市打造智能输变电装备产业集群", "二、重点任务 › （一）培育产业集群"),
    (420800, "base", "planned", "推动荆门市建设通用航空产业基地", "二、重点任务 › （一）培育产业集群"),
    (420100, "platform", "planned", "在武汉市建设高端数控机床创新中心", "二、重点任务 › （二）建设创新平台"),
]
SHIPPED_CATALOGUE = (REPO_DATA_DIR / "clusters.yaml").read_text(encoding="utf-8")


def _writers() -> ModuleType:
    """eval/documents.py: the evaluation's own PDF (running header, page numbers) and DOCX writers."""
    spec = importlib.util.spec_from_file_location("eval_documents", REPO_DATA_DIR.parent / "eval" / "documents.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _document(kind: str, directory: Path) -> Path:
    writers = _writers()
    path = directory / f"plan.{kind}"
    (writers.write_pdf if kind == "pdf" else writers.write_docx)(PLAN_TEXT, path)
    return path


def _expected_for(proposal: Proposal) -> tuple[int, str, str, str, str] | None:
    """The reviewer's reading: the expected entry whose sentence the proposal quotes, if any."""
    quote = proposal.plan_refs[0].quote
    for entry in EXPECTED:
        if entry[3] in quote:
            return entry
    return None


def _answers(proposals: ProposalFile) -> str:
    """Keystrokes for ``atlas review``: accept what the plan's sentences support, reject the rest; then the
    targets (accepted when they hold the plan's 8000亿元)."""
    keys = ["a" if _expected_for(each) else "r" for each in proposals.entities]
    keys += ["a" if "8000亿元" in target.quote else "r" for target in proposals.targets]
    return "\n".join([*keys, "q"]) + "\n"


@pytest.mark.parametrize("kind", ["pdf", "docx"])
def test_a_plan_document_goes_from_propose_to_published(
    kind: str, make_data_dir: Callable[..., Path], tmp_path: Path, browser: Browser
) -> None:
    data_dir = make_data_dir(SHIPPED_CATALOGUE)
    settings = backend_settings("spatialite", tmp_path, "unused", data_dir)
    document = _document(kind, tmp_path)
    proposals_path = tmp_path / "proposals" / f"{PLAN_ID}.yaml"

    # 1. propose: the document is archived with its normalised text, and its entities proposed.
    proposed = run_cli("propose", document, "--plan-id", PLAN_ID, "--out", proposals_path, settings=settings)
    assert proposed.exit_code == 0, proposed.output
    assert (data_dir / "plans" / f"{PLAN_ID}.{kind}").is_file() and (data_dir / "plans" / f"{PLAN_ID}.txt").is_file()
    proposals = read_proposals(proposals_path)
    assert proposals.plan.title_zh == TITLE
    assert not [each.name_zh for each in proposals.entities if TITLE in each.plan_refs[0].quote], (
        "the title is no entity"
    )
    found = {}
    for proposal in proposals.entities:
        entry = _expected_for(proposal)
        if entry is not None:
            found[entry[3]] = proposal
    assert set(found) == {entry[3] for entry in EXPECTED}, "every entity the plan names is proposed"
    for _adcode, entity_kind, status, words, section in EXPECTED:
        proposal = found[words]
        assert (proposal.kind.value, proposal.status.value) == (entity_kind, status), words
        assert proposal.plan_refs[0].section == section, words
        assert proposal.review.decision is Decision.pending and proposal.confidence == "proposed"
    [target] = [each for each in proposals.targets if each.value == 8000]
    assert (target.unit, target.year) == ("亿元", 2030)

    # 2. preview: the review server serves the proposals; the public one does not know them.
    with TestClient(create_app(settings.model_copy(update={"preview_proposals": proposals_path}))) as preview:
        drawn = preview.get("/preview/proposals").json()["features"]
    assert len(drawn) == len(proposals.entities)
    with TestClient(create_app(settings)) as public:
        assert public.get("/preview/proposals").status_code == 404
    if kind == "pdf":  # once in a real browser: the dashed layer and its count
        previewing = settings.model_copy(update={"preview_proposals": proposals_path})
        load = run_cli("load", settings=settings)
        assert load.exit_code == 0, load.output
        with running_server(previewing) as base, visiting(browser, f"{base}/") as visit:
            control = visit.page.locator(".proposed-control")
            expect(control).to_contain_text("待审核 proposed")
            expect(control).to_contain_text(f"({len(proposals.entities)})")

    # 3. review in the terminal: a reviewer's keystrokes, saved as decisions.
    environment = {key: value for key, value in server_environment(settings).items() if key.startswith("ATLAS_")}
    walked = CliRunner().invoke(cli, ["review", str(proposals_path)], input=_answers(proposals), env=environment)
    assert walked.exit_code == 0, walked.output
    reviewed = read_proposals(proposals_path)
    assert len(reviewed.accepted()) == len(EXPECTED)

    # 4. accept → validate → load.
    for command in (("accept", proposals_path), ("validate",), ("load",)):
        result = run_cli(*command, settings=settings)
        assert result.exit_code == 0, (command, result.output)

    # 5. published like any other plan's entities: quotes, citation, OGC, downloads, targets.
    accepted = {each.id: each for each in reviewed.accepted()}
    with TestClient(create_app(settings)) as client:
        plans = {plan["id"]: plan for plan in client.get("/api/plans").json()}
        assert TITLE in plans[PLAN_ID]["citation"]
        listed = client.get("/api/clusters", params={"plan": "2026", "limit": "50"}).json()["items"]
        assert {item["id"] for item in listed} == set(accepted)
        for item in listed:
            [ref] = item["plan_refs"]
            assert ref["quote"] == accepted[item["id"]].plan_refs[0].quote and TITLE in ref["citation"]
        by_words = {entry[3]: entry[0] for entry in EXPECTED}
        for item in listed:
            [adcode] = [code for words, code in by_words.items() if words in item["plan_refs"][0]["quote"]]
            assert item["members"] == [adcode]
        ogc = client.get("/ogc/collections/clusters/items", params={"plan": "2026", "limit": "50"}).json()
        assert {feature["id"] for feature in ogc["features"]} == set(accepted)
        assert all(feature["geometry"]["type"] == "MultiPolygon" for feature in ogc["features"])
        download = client.get("/downloads/clusters.geojson", params={"plan": "2026"})
        assert download.status_code == 200
        assert {feature["properties"]["id"] for feature in download.json()["features"]} == set(accepted)
        targets = client.get("/api/targets", params={"plan": "2026"}).json()["items"]
        assert [(each["value"], each["unit"], each["year"]) for each in targets] == [(8000, "亿元", 2030)]
