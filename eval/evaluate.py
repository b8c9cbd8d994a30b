"""Evaluate ``atlas propose`` against the curated catalogue (issue 13, point 4).

``python eval/evaluate.py plans`` lists the shipped plans (id, file) for ``eval/run.sh``;
``python eval/evaluate.py compare --proposals DIR --data-dir DIR --results DIR`` compares the proposals
files that run.sh wrote with the curated entities and targets of the repository's data/ (the ground
truth) and writes ``<results>/propose-shipped-plans.json`` and ``.md``. The matching rule is in
eval/README.md; it is implemented in :func:`names_match` and :func:`places_match`.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.catalogue import Entity  # noqa: E402  (the repository on the path first)
from app.gazetteer import Gazetteer  # noqa: E402
from app.ingest.proposals import Proposal, ProposalFile, ProposedTarget, read_proposals  # noqa: E402
from app.plan_texts import PlanText  # noqa: E402
from app.settings import Settings  # noqa: E402
from app.targets import Target  # noqa: E402
from app.validation import ValidData, validate  # noqa: E402

RESULTS_NAME = "propose-shipped-plans"
PROVINCE = 420000
_MARKS = re.compile(r"[“”\"'《》\s]")


def fold(text: str) -> str:
    """Text compared across normalisation: NFKC (full/half width alike), no white space or quote marks."""
    return _MARKS.sub("", unicodedata.normalize("NFKC", text))


def names_match(proposed: str, curated: str) -> float:
    """How alike two names are (0–100), 0 when they are not alike enough to match.

    One name holding the other (the shorter four characters at least) scores 100; else the names match
    if their similarity (rapidfuzz ratio) is 60 or more, or one nearly holds the other (partial ratio 80
    or more, the shorter five characters at least).
    """
    a, b = fold(proposed), fold(curated)
    shorter, longer = sorted((a, b), key=len)
    if len(shorter) >= 4 and shorter in longer:
        return 100.0
    ratio = fuzz.ratio(a, b)
    if ratio >= 60:
        return ratio
    partial = fuzz.partial_ratio(a, b)
    if len(shorter) >= 5 and partial >= 80:
        return partial * 0.9
    return 0.0


def adcodes(members: list[Any], gazetteer: Gazetteer) -> frozenset[int]:
    """The members' adcodes (a name the gazetteer does not know counts as nothing)."""
    found = (gazetteer.resolve(member) for member in members)
    return frozenset(unit.adcode for unit in found if unit is not None)


def places_match(proposed: frozenset[int], curated: frozenset[int]) -> bool:
    """Places are compatible when they share a place (both province-wide counts as sharing 湖北省)."""
    return bool(proposed & curated)


@dataclass
class Pair:
    """A matched proposal and curated entity."""

    proposal: Proposal
    entity: Entity
    score: float


def match_entities(proposals: list[Proposal], curated: list[Entity], gazetteer: Gazetteer) -> list[Pair]:
    """One-to-one matches, the best-scoring pairs first."""
    candidates: list[Pair] = []
    for proposal in proposals:
        mine = adcodes(proposal.members, gazetteer)
        for entity in curated:
            theirs = adcodes(entity.members, gazetteer)
            if not places_match(mine, theirs):
                continue
            score = names_match(proposal.name_zh, entity.name_zh)
            if not score and proposal.kind == entity.kind == "specialisation" and mine == theirs:
                score = 50.0  # a city's specialisation is named in the plan's words, not by a name of its own
            if score:
                candidates.append(Pair(proposal, entity, score))
    pairs: list[Pair] = []
    taken_p: set[int] = set()
    taken_e: set[str] = set()
    for pair in sorted(candidates, key=lambda pair: -pair.score):
        if id(pair.proposal) in taken_p or pair.entity.id in taken_e:
            continue
        pairs.append(pair)
        taken_p.add(id(pair.proposal))
        taken_e.add(pair.entity.id)
    return pairs


def quotes_overlap(proposed: list[str], curated: list[str]) -> bool:
    """True if a proposed quote and a curated quote overlap: one holds the other, or they share 8 characters."""
    for mine in map(fold, proposed):
        for theirs in map(fold, curated):
            if mine in theirs or theirs in mine or _common(mine, theirs) >= 8:
                return True
    return False


def _common(a: str, b: str) -> int:
    """The length of the longest common substring (short texts: quadratic is fine)."""
    best = 0
    previous = [0] * (len(b) + 1)
    for char in a:
        current = [0] * (len(b) + 1)
        for j, other in enumerate(b, start=1):
            if char == other:
                current[j] = previous[j - 1] + 1
                best = max(best, current[j])
        previous = current
    return best


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def evaluate_plan(proposals: ProposalFile, text: PlanText, truth: ValidData) -> dict[str, Any]:
    """Entity and target figures for one plan's proposals."""
    plan_id = proposals.plan.id
    gazetteer = truth.gazetteer
    curated = [e for e in truth.catalogue.entities if any(ref.plan == plan_id for ref in e.plan_refs)]
    pairs = match_entities(proposals.entities, curated, gazetteer)
    matched_e = {pair.entity.id for pair in pairs}
    matched_p = {id(pair.proposal) for pair in pairs}
    anchored = [e for e in curated if adcodes(e.members, gazetteer) != {PROVINCE}]
    verbatim = [p for p in proposals.entities if all(text.contains(ref.quote) for ref in p.plan_refs)]
    quote_right = [
        pair
        for pair in pairs
        if all(text.contains(ref.quote) for ref in pair.proposal.plan_refs)
        and quotes_overlap([r.quote for r in pair.proposal.plan_refs], [r.quote for r in pair.entity.plan_refs])
    ]
    places_right = [
        pair for pair in pairs if adcodes(pair.proposal.members, gazetteer) == adcodes(pair.entity.members, gazetteer)
    ]
    both_right = [pair for pair in quote_right if pair in places_right]
    kind_right = [pair for pair in pairs if pair.proposal.kind == pair.entity.kind]
    status_right = [pair for pair in pairs if pair.proposal.status == pair.entity.status]
    sectors_right = [
        pair
        for pair in pairs
        if set(pair.proposal.sectors) & set(pair.entity.sectors) or not (pair.proposal.sectors or pair.entity.sectors)
    ]
    by_kind: dict[str, dict[str, Any]] = {}
    kinds = sorted({e.kind.value for e in curated} | {p.kind.value for p in proposals.entities})
    for kind in kinds:
        kind_curated = [e for e in curated if e.kind.value == kind]
        kind_proposed = [p for p in proposals.entities if p.kind.value == kind]
        hits_e = sum(e.id in matched_e for e in kind_curated)
        hits_p = sum(id(p) in matched_p for p in kind_proposed)
        by_kind[kind] = {
            "curated": len(kind_curated),
            "proposed": len(kind_proposed),
            "recall": _share(hits_e, len(kind_curated)),
            "precision": _share(hits_p, len(kind_proposed)),
        }
    entities = {
        "curated": len(curated),
        "curated_place_anchored": len(anchored),
        "proposed": len(proposals.entities),
        "matched": len(pairs),
        "recall": _share(len(matched_e), len(curated)),
        "recall_place_anchored": _share(sum(e.id in matched_e for e in anchored), len(anchored)),
        "precision": _share(len(pairs), len(proposals.entities)),
        "quotes_verbatim": _share(len(verbatim), len(proposals.entities)),
        "matched_quote_right": _share(len(quote_right), len(pairs)),
        "matched_places_right": _share(len(places_right), len(pairs)),
        "matched_quote_and_places_right": _share(len(both_right), len(pairs)),
        "matched_kind_right": _share(len(kind_right), len(pairs)),
        "matched_status_right": _share(len(status_right), len(pairs)),
        "matched_sectors_overlap": _share(len(sectors_right), len(pairs)),
        "by_kind": by_kind,
        "matches": sorted(f"{pair.proposal.name_zh} ≈ {pair.entity.id}" for pair in pairs),
        "misses": [
            f"{e.id} ({e.kind.value}): {e.name_zh} @ {'、'.join(map(str, e.members))}"
            for e in curated
            if e.id not in matched_e
        ],
        "false_positives": [
            f"{p.name_zh} ({p.kind.value}) @ {'、'.join(map(str, p.members))}"
            for p in proposals.entities
            if id(p) not in matched_p
        ],
    }
    return {"entities": entities, "targets": evaluate_targets(proposals.targets, truth.targets, plan_id)}


def targets_match(proposed: ProposedTarget, curated: Target) -> bool:
    """Same number (and upper end) and unit, and quotes that overlap."""
    return (
        proposed.value == curated.value
        and proposed.value_to == curated.value_to
        and proposed.unit == curated.unit
        and quotes_overlap([proposed.quote], [curated.quote])
    )


def evaluate_targets(proposed: list[ProposedTarget], truth: list[Target], plan_id: str) -> dict[str, Any]:
    """Recall and precision of numbers, and how often the matched ones have the curated year, kind and scope."""
    curated = [t for t in truth if t.plan == plan_id]
    pairs: list[tuple[ProposedTarget, Target]] = []
    used: set[int] = set()
    for target in curated:
        found = next((p for p in proposed if id(p) not in used and targets_match(p, target)), None)
        if found is not None:
            used.add(id(found))
            pairs.append((found, target))
    same = Counter()
    for mine, theirs in pairs:
        same["year"] += mine.year == theirs.year
        same["kind"] += mine.kind == theirs.kind
        same["scope"] += mine.scope == theirs.scope and mine.scope_id == theirs.scope_id
        same["qualifier"] += mine.qualifier == theirs.qualifier
    matched = {theirs.id for _, theirs in pairs}
    return {
        "curated": len(curated),
        "proposed": len(proposed),
        "matched": len(pairs),
        "recall": _share(len(pairs), len(curated)),
        "precision": _share(len(pairs), len(proposed)),
        **{f"matched_{field}_right": _share(count, len(pairs)) for field, count in sorted(same.items())},
        "misses": [f"{t.id}: {t.value:g}{t.unit} “{t.quote}”" for t in curated if t.id not in matched],
    }


SUMMARY = ("recall", "recall_place_anchored", "precision", "quotes_verbatim", "matched_quote_and_places_right")


def _evaluate_dir(proposals_dir: Path, data_dir: Path, truth: ValidData) -> dict[str, Any]:
    plans: dict[str, Any] = {}
    for path in sorted(proposals_dir.glob("*.yaml")):
        proposals = read_proposals(path)
        text = PlanText(data_dir / proposals.source.text)
        plans[proposals.plan.id] = evaluate_plan(proposals, text, truth)
        plans[proposals.plan.id]["names"] = sorted(each.name_zh for each in proposals.entities)
    return plans


def compare(
    proposals_dir: Path, data_dir: Path, results_dir: Path, formats: list[tuple[str, Path, Path]] | None = None
) -> dict[str, Any]:
    """Compare every proposals file in ``proposals_dir`` with the repository's curated data, and those made
    from the same plans in other formats (``formats``: name, proposals directory, data directory)."""
    truth = validate(Settings(data_dir=ROOT / "data"))
    plans = _evaluate_dir(proposals_dir, data_dir, truth)
    others: dict[str, Any] = {}
    for name, directory, data in formats or []:
        for plan_id, figures in _evaluate_dir(directory, data, truth).items():
            text_names = set(plans.get(plan_id, {}).get("names", []))
            names = set(figures.pop("names"))
            others.setdefault(name, {})[plan_id] = {
                **{key: figures["entities"][key] for key in SUMMARY},
                "targets_recall": figures["targets"]["recall"],
                "entities": len(names),
                "same_names_as_text": _share(len(names & text_names), len(names | text_names)),
                "only_from_text": sorted(text_names - names),
                "only_from_this_format": sorted(names - text_names),
            }
    for figures in plans.values():
        figures.pop("names")
    result = {"rule": "eval/README.md", "plans": plans, "formats": others}
    results_dir.mkdir(parents=True, exist_ok=True)
    (results_dir / f"{RESULTS_NAME}.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    (results_dir / f"{RESULTS_NAME}.md").write_text(report(result), encoding="utf-8")
    return result


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def report(result: dict[str, Any]) -> str:
    """The results as a Markdown page."""
    lines = [
        "# `atlas propose` on the shipped plans, against the curated catalogue",
        "",
        "Made by `bash eval/run.sh`; the matching rule is in [`eval/README.md`](../README.md).",
        "",
        "| plan | curated | proposed | matched | recall | recall (place-anchored) | precision "
        "| quotes verbatim | matched: quote right | places right | both | targets recall | targets precision |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for plan_id, plan in result["plans"].items():
        e, t = plan["entities"], plan["targets"]
        lines.append(
            f"| {plan_id} | {e['curated']} | {e['proposed']} | {e['matched']} | {_pct(e['recall'])} "
            f"| {_pct(e['recall_place_anchored'])} ({e['curated_place_anchored']}) | {_pct(e['precision'])} "
            f"| {_pct(e['quotes_verbatim'])} | {_pct(e['matched_quote_right'])} | {_pct(e['matched_places_right'])} "
            f"| {_pct(e['matched_quote_and_places_right'])} | {_pct(t['recall'])} ({t['matched']}/{t['curated']}) "
            f"| {_pct(t['precision'])} ({t['matched']}/{t['proposed']}) |"
        )
    if result.get("formats"):
        lines += [
            "",
            "The same plans as a DOCX and a PDF made from their texts (`eval/documents.py`: headings, a running "
            "header, page numbers), read, normalised and proposed alike:",
            "",
            "| format | plan | entities | same names as from the text | recall | recall (place-anchored) "
            "| precision | quotes verbatim | quote and places right | targets recall |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for name, format_plans in result["formats"].items():
            for plan_id, f in format_plans.items():
                lines.append(
                    f"| {name} | {plan_id} | {f['entities']} | {_pct(f['same_names_as_text'])} | {_pct(f['recall'])} "
                    f"| {_pct(f['recall_place_anchored'])} | {_pct(f['precision'])} | {_pct(f['quotes_verbatim'])} "
                    f"| {_pct(f['matched_quote_and_places_right'])} | {_pct(f['targets_recall'])} |"
                )
    for plan_id, plan in result["plans"].items():
        e, t = plan["entities"], plan["targets"]
        lines += [
            "",
            f"## {plan_id}",
            "",
            "| kind | curated | recall | proposed | precision |",
            "|---|---|---|---|---|",
        ]
        for kind, figures in e["by_kind"].items():
            lines.append(
                f"| {kind} | {figures['curated']} | {_pct(figures['recall'])} | {figures['proposed']} "
                f"| {_pct(figures['precision'])} |"
            )
        targets_right = ", ".join(
            f"{key.removeprefix('matched_').removesuffix('_right')} {_pct(value)}"
            for key, value in t.items()
            if key.startswith("matched_") and key.endswith("_right")
        )
        lines += [
            "",
            f"Matched entities with the curated kind {_pct(e['matched_kind_right'])}, status "
            f"{_pct(e['matched_status_right'])}, a curated sector among theirs {_pct(e['matched_sectors_overlap'])}.",
            "",
            f"Targets matched with the curated {targets_right or '–'}.",
            "",
        ]
        lines += [f"### Misses ({len(e['misses'])})", "", *(f"- {miss}" for miss in e["misses"]), ""]
        lines += [f"### False positives ({len(e['false_positives'])})", ""]
        lines += [*(f"- {fp}" for fp in e["false_positives"]), ""]
        lines += [f"### Target misses ({len(t['misses'])})", "", *(f"- {miss}" for miss in t["misses"]), ""]
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> None:
    """``plans`` (for run.sh) or ``compare``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("plans", help="print each shipped plan's id and file (tab-separated)")
    compare_parser = commands.add_parser("compare", help="compare proposals with the curated catalogue")
    compare_parser.add_argument("--proposals", type=Path, required=True)
    compare_parser.add_argument("--data-dir", type=Path, required=True, help="where propose archived the texts")
    compare_parser.add_argument("--results", type=Path, default=ROOT / "eval" / "results")
    compare_parser.add_argument(
        "--format",
        nargs=3,
        action="append",
        default=[],
        metavar=("NAME", "PROPOSALS", "DATA_DIR"),
        help="proposals made from the plans in another format (docx, pdf), to set beside the text's",
    )
    args = parser.parse_args(argv)
    if args.command == "plans":
        truth = validate(Settings(data_dir=ROOT / "data"))
        for plan in truth.catalogue.plans:
            print(f"{plan.id}\t{plan.file}")
        return
    formats = [(name, Path(proposals), Path(data)) for name, proposals, data in args.format]
    result = compare(args.proposals, args.data_dir, args.results, formats)
    for plan_id, plan in result["plans"].items():
        e = plan["entities"]
        print(
            f"{plan_id}: recall {_pct(e['recall'])} (place-anchored {_pct(e['recall_place_anchored'])}), "
            f"precision {_pct(e['precision'])}, targets recall {_pct(plan['targets']['recall'])}"
        )

    for name, format_plans in result["formats"].items():
        for plan_id, figures in format_plans.items():
            print(
                f"{plan_id} from {name}: recall {_pct(figures['recall'])}, precision {_pct(figures['precision'])}, "
                f"names as from the text {_pct(figures['same_names_as_text'])}"
            )


if __name__ == "__main__":
    main()
