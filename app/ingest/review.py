"""``atlas review``: walk the pending proposals in the terminal, one at a time.

Each proposal is shown with what a reviewer needs to judge it without opening the plan: its name, kind,
places (as the gazetteer resolves them), sectors (with their names), status, the quote between the
sentences before and after it, the extractor's reason, and any possible duplicates or earlier-edition
counterparts in the catalogue. The reviewer accepts, rejects, edits places or sectors, skips or quits;
the file is saved after every decision and edit, so that quitting (or a crash) loses nothing.

Input and output are injected (``ask`` and ``out``), so that tests drive the walk with scripted answers.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from app.catalogue import Kind
from app.gazetteer import Gazetteer
from app.ingest.proposals import Decision, Proposal, ProposalFile, ProposedTarget, read_proposals, write_proposals
from app.text_search import did_you_mean

# How a reviewer may separate places or sectors: commas, the enumeration comma, semicolons, spaces.
_SEPARATORS = re.compile(r"[,，、;；\s]+")
MIN_CORRIDOR_MEMBERS = 2
HELP = (
    "a 接受 accept · r 拒绝 reject · p 改地点 edit places · s 改行业 edit sectors · "
    "n 下一条 next (stays pending) · q 退出 quit"
)

Ask = Callable[[str], str]


@dataclass
class ReviewSummary:
    """What one walk decided."""

    accepted: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    edited: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    quit: bool = False
    # proposals of the file still pending when the walk ended (skipped, or not reached before quitting)
    pending: int = 0


def review(
    path: Path,
    gazetteer: Gazetteer,
    sectors: Mapping[str, str],
    ask: Ask = input,
    out: TextIO = sys.stdout,
) -> ReviewSummary:
    """Walk the pending proposals of ``path`` (entities, then targets), saving after each decision or edit.

    ``sectors`` maps the taxonomy's ids to their names (an edit may use only these ids); ``ask`` reads one
    answer for a prompt (``input`` by default; end of input quits), ``out`` receives what is shown.
    """
    proposals = read_proposals(path)
    summary = ReviewSummary()
    pending = [i for i, each in enumerate(proposals.entities) if each.review.decision is Decision.pending]
    pending_targets = [i for i, each in enumerate(proposals.targets) if each.review.decision is Decision.pending]
    total = len(pending) + len(pending_targets)
    print(f"待审核 {total} 条 Pending: {total} proposal(s) in {path}", file=out)
    print(HELP, file=out)
    position = 0
    for index in pending:
        position += 1
        if not _walk_entity(path, proposals, index, f"[{position}/{total}]", gazetteer, sectors, ask, out, summary):
            return _ended(summary, proposals, quit=True)
    for index in pending_targets:
        position += 1
        if not _walk_target(path, proposals, index, f"[{position}/{total}]", ask, out, summary):
            return _ended(summary, proposals, quit=True)
    print("审核完毕 Review done.", file=out)
    return _ended(summary, proposals, quit=False)


def _ended(summary: ReviewSummary, proposals: ProposalFile, quit: bool) -> ReviewSummary:
    summary.quit = quit
    every = [*proposals.entities, *proposals.targets]
    summary.pending = sum(each.review.decision is Decision.pending for each in every)
    return summary


def _walk_entity(
    path: Path,
    proposals: ProposalFile,
    index: int,
    counter: str,
    gazetteer: Gazetteer,
    sectors: Mapping[str, str],
    ask: Ask,
    out: TextIO,
    summary: ReviewSummary,
) -> bool:
    """One entity until the reviewer decides, skips or quits; False when they quit."""
    while True:
        proposal = proposals.entities[index]
        print(show_proposal(proposal, counter, gazetteer, sectors), file=out)
        answer = _key(ask, "a/r/p/s/n/q > ")
        if answer in ("a", "r"):
            decided = Decision.accepted if answer == "a" else Decision.rejected
            proposals.entities[index] = _decided(proposal, decided)
            write_proposals(path, proposals)
            (summary.accepted if answer == "a" else summary.rejected).append(proposal.id)
            return True
        if answer == "p":
            members = _answer(ask, "地点 Places (e.g. 武汉、孝感; empty: keep) > ")
            edited = edit_places(proposal, members, gazetteer) if members else None
        elif answer == "s":
            chosen = _answer(ask, "行业 Sector ids (e.g. auto auto-nev; '-': none; empty: keep) > ")
            edited = edit_sectors(proposal, chosen, sectors) if chosen else None
        elif answer == "n":
            summary.skipped.append(proposal.id)
            return True
        elif answer in ("q", None):
            return False
        else:
            print(HELP, file=out)
            continue
        if isinstance(edited, str):
            print(f"未修改 Not changed: {edited}", file=out)
        elif edited is not None:
            proposals.entities[index] = edited
            write_proposals(path, proposals)
            summary.edited.append(proposal.id)


def _walk_target(
    path: Path, proposals: ProposalFile, index: int, counter: str, ask: Ask, out: TextIO, summary: ReviewSummary
) -> bool:
    """One target (accept, reject, next or quit; its places and sectors are not edited here)."""
    while True:
        target = proposals.targets[index]
        print(show_target(target, counter), file=out)
        answer = _key(ask, "a/r/n/q > ")
        if answer in ("a", "r"):
            decided = Decision.accepted if answer == "a" else Decision.rejected
            review = target.review.model_copy(update={"decision": decided})
            proposals.targets[index] = target.model_copy(update={"review": review})
            write_proposals(path, proposals)
            (summary.accepted if answer == "a" else summary.rejected).append(target.id)
            return True
        if answer == "n":
            summary.skipped.append(target.id)
            return True
        if answer in ("q", None):
            return False
        print("a 接受 accept · r 拒绝 reject · n 下一条 next · q 退出 quit", file=out)


def _answer(ask: Ask, prompt: str) -> str | None:
    """The reviewer's answer, stripped; None at the end of input (which quits, as q does)."""
    try:
        return ask(prompt).strip()
    except EOFError:
        return None


def _key(ask: Ask, prompt: str) -> str | None:
    """The key the reviewer pressed (A and a alike), or None at the end of input."""
    answer = _answer(ask, prompt)
    return answer.lower() if answer is not None else None


def _decided(proposal: Proposal, decision: Decision) -> Proposal:
    return proposal.model_copy(update={"review": proposal.review.model_copy(update={"decision": decision})})


def _reason_with(proposal: Proposal, edit: str) -> str:
    """The reason, with the reviewer's edit recorded once (it goes into the accepted entity's note)."""
    return proposal.review.reason if edit in proposal.review.reason else f"{proposal.review.reason}; {edit}"


def edit_places(proposal: Proposal, typed: str, gazetteer: Gazetteer) -> Proposal | str:
    """The proposal with the places ``typed`` (in that order), or why not: every name must be one the
    gazetteer resolves, no place twice, and a corridor needs two. Names are kept as typed, as the catalogue
    keeps the plan's (a full name such as 荆州区 reaches the county its short name would not)."""
    names = [name for name in _SEPARATORS.split(typed) if name]
    problems, seen = [], {}
    for name in names:
        unit = gazetteer.resolve(name)
        if unit is None:
            guesses = gazetteer.suggest(name, limit=1)
            hint = f"；是否指 did you mean {guesses[0].label}?" if guesses else ""
            problems.append(f"未知地点 unknown place {name!r}{hint}")
        elif unit.adcode in seen:
            problems.append(f"重复 {unit.label} is listed twice ({seen[unit.adcode]!r}, {name!r})")
        else:
            seen[unit.adcode] = name
    if not names:
        problems.append("没有地点 no place given")
    if proposal.kind is Kind.corridor and len(names) < MIN_CORRIDOR_MEMBERS:
        problems.append(
            f"走廊至少 {MIN_CORRIDOR_MEMBERS} 个地点 a corridor needs {MIN_CORRIDOR_MEMBERS} places, in order"
        )
    if problems:
        return "; ".join(problems)
    review = proposal.review.model_copy(update={"reason": _reason_with(proposal, "places edited in review")})
    return proposal.model_copy(update={"members": names, "review": review})


def edit_sectors(proposal: Proposal, typed: str, sectors: Mapping[str, str]) -> Proposal | str:
    """The proposal with the sector ids ``typed`` (``-`` for none), or why not: every id must be one of
    the taxonomy's. Inferred sectors the reviewer dropped are dropped from ``inferred_sectors`` too."""
    ids = [] if typed.strip() == "-" else [each for each in _SEPARATORS.split(typed) if each]
    unknown = [each for each in ids if each not in sectors]
    if unknown:
        return "; ".join(f"未知行业 unknown sector {each!r}{did_you_mean(each, sectors)}" for each in unknown)
    if len(set(ids)) != len(ids):
        return "重复 a sector is listed twice"
    review = proposal.review.model_copy(update={"reason": _reason_with(proposal, "sectors edited in review")})
    inferred = [each for each in proposal.inferred_sectors if each in ids]
    return proposal.model_copy(update={"sectors": ids, "inferred_sectors": inferred, "review": review})


def show_proposal(proposal: Proposal, counter: str, gazetteer: Gazetteer, sectors: Mapping[str, str]) -> str:
    """The proposal as the reviewer reads it: fields, the quote in its context, reason and flags."""
    places = ", ".join(_place(member, gazetteer) for member in proposal.members)
    named = ", ".join(f"{each} {sectors.get(each, '？未知 unknown')}" for each in proposal.sectors) or "—"
    lines = [
        "",
        f"{counter} {proposal.name_zh} · {proposal.name_en}  ({proposal.id})",
        f"  类型 Kind: {proposal.kind.value} · 状态 Status: {proposal.status.value} · "
        f"审核 Review: {proposal.review.decision.value}",
        f"  地点 Places: {places}",
        f"  行业 Sectors: {named}",
    ]
    if proposal.inferred_sectors:
        lines.append(f"  推断行业 Inferred sectors: {', '.join(proposal.inferred_sectors)}")
    for ref in proposal.plan_refs:
        lines.append(f"  原文 Quote ({ref.plan}, {ref.section}):")
        lines.append(_in_context(ref.quote, proposal.review.context.before, proposal.review.context.after))
    lines += _flags(proposal.review.reason, proposal.review.duplicates, proposal.review.lineage, proposal.note)
    return "\n".join(lines)


def show_target(target: ProposedTarget, counter: str) -> str:
    """A proposed target as the reviewer reads it."""
    value = f"{target.value:g}" + (f"–{target.value_to:g}" if target.value_to is not None else "")
    scope = target.scope.value + (f" {target.scope_id}" if target.scope_id is not None else "")
    lines = [
        "",
        f"{counter} 目标 {target.metric_zh} · {target.metric_en}  ({target.id})",
        f"  {target.kind.value}: {value} {target.unit} ({target.year or '—'}) · 范围 Scope: {scope}",
        f"  原文 Quote ({target.plan}, {target.section}):",
        _in_context(target.quote, target.review.context.before, target.review.context.after),
    ]
    lines += _flags(target.review.reason, target.review.duplicates, target.review.lineage, target.note)
    return "\n".join(lines)


def _in_context(quote: str, before: str, after: str) -> str:
    """The quote marked 【…】 between the sentences around it."""
    return f"    …{before}【{quote}】{after}…"


def _flags(reason: str, duplicates: list[str], lineage: list[str], note: str | None) -> list[str]:
    lines = [f"  理由 Reason: {reason}"]
    if note:
        lines.append(f"  说明 Note: {note}")
    if duplicates:
        lines.append(f"  ⚠ 可能重复 Possible duplicate of: {', '.join(duplicates)}")
    if lineage:
        lines.append(f"  ↺ 前版对应 Earlier-edition counterpart(s): {', '.join(lineage)}")
    return lines


def _place(member: str | int, gazetteer: Gazetteer) -> str:
    unit = gazetteer.resolve(member)
    return f"{member} = {unit.label}" if unit else f"{member} ？未知 unknown"
