"""``atlas accept``: merge the accepted proposals into the catalogue, keeping its comments and layout.

The catalogue (``data/clusters.yaml``) and the targets (``data/targets.yaml``) are written by people, with
comments, blank lines and a column layout that say as much as the records. They are therefore edited
with ruamel.yaml's round trip, which keeps all of that, and new records are appended at the end of their
section. The merged data directory is then validated as a whole (``app.validation``): on any fault both
files are put back byte for byte and the faults are reported. Nothing is loaded into the store here;
``atlas validate`` and ``atlas load`` do that.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, FoldedScalarString, LiteralScalarString
from ruamel.yaml.tokens import CommentToken

from app.admin_units import AdminUnit
from app.catalogue import Confidence, Entity, Plan
from app.errors import AtlasError
from app.gazetteer import Gazetteer
from app.ingest.proposals import Decision, Proposal, ProposedTarget, read_proposals
from app.plan_texts import squeeze
from app.settings import Settings
from app.targets import TARGETS_FILE
from app.validation import DataInvalid, Fault, validate

# Wide enough that no line the catalogue holds is folded anew when the file is written back.
YAML_WIDTH = 4096
# Fields the catalogue always double-quotes: headings and quotes hold “” ： ›, and a date stays text.
QUOTED_FIELDS = frozenset({"section", "quote", "date"})


class AcceptError(AtlasError):
    """The proposals cannot be merged; ``faults`` are validation's, when it was validation that refused."""

    def __init__(self, message: str, faults: Sequence[Fault] = ()) -> None:
        super().__init__(message)
        self.faults = list(faults)


@dataclass
class AcceptResult:
    """What ``accept`` merged: the new ids, whether the plan record was added, and what it left out."""

    entities: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)
    plan_added: bool = False
    pending: int = 0
    rejected: int = 0


def accept(proposals_path: Path, data_dir: Path) -> AcceptResult:
    """Merge the accepted proposals of ``proposals_path`` into ``data_dir``'s catalogue and targets.

    Raises :class:`AcceptError` (files untouched) if the data directory is invalid before the merge, if an
    accepted id is already taken, or if the merged data does not validate (files restored byte for byte).
    """
    proposals = read_proposals(proposals_path)
    settings = Settings(data_dir=data_dir)
    try:
        before = validate(settings)
    except DataInvalid as exc:  # a fault found after the merge must be the merge's, not an old one
        raise AcceptError(
            f"{data_dir} has faults before the merge; fix them (atlas validate) first", exc.faults
        ) from None
    entities = proposals.accepted()
    targets = [each for each in proposals.targets if each.review.decision is Decision.accepted]
    result = AcceptResult(
        pending=sum(each.review.decision is Decision.pending for each in [*proposals.entities, *proposals.targets]),
        rejected=sum(each.review.decision is Decision.rejected for each in [*proposals.entities, *proposals.targets]),
    )
    if not entities and not targets:
        return result
    _refuse_clashes(
        proposals_path,
        [each.id for each in entities],
        {entity.id for entity in before.catalogue.entities},
        "data/clusters.yaml's entities",
    )
    _refuse_clashes(
        proposals_path, [each.id for each in targets], {target.id for target in before.targets}, "data/targets.yaml"
    )
    catalogue_path, targets_path = settings.catalogue_file, data_dir / TARGETS_FILE
    saved = {path: path.read_bytes() if path.exists() else None for path in (catalogue_path, targets_path)}
    records = [_record_or_refuse(proposals_path, each, before.gazetteer) for each in entities]
    source = f"{proposals_path.name} (atlas accept)"
    try:
        result.plan_added = _merge_catalogue(catalogue_path, proposals.plan, records, source)
        if targets:
            _merge_targets(targets_path, targets, source)
        validate(settings)
    except DataInvalid as exc:
        _restore(saved)
        raise AcceptError(
            f"the merged data has {len(exc.faults)} fault(s); {catalogue_path.name} and {TARGETS_FILE} are restored "
            "as they were (lines are those of the merged file; the entries name the proposals)",
            exc.faults,
        ) from None
    except BaseException:
        _restore(saved)
        raise
    result.entities, result.targets = [each.id for each in entities], [each.id for each in targets]
    return result


def _record_or_refuse(proposals_path: Path, proposal: Proposal, gazetteer: Gazetteer) -> CommentedMap:
    """The proposal's catalogue record, or an :class:`AcceptError` naming it (say, an inferred sector that
    is not one of its sectors, which only the catalogue's model refuses)."""
    try:
        return entity_record(proposal, gazetteer, proposals_path.name)
    except ValueError as exc:
        raise AcceptError(f"{proposals_path}: proposal {proposal.id} is no catalogue entity: {exc}") from None


def _refuse_clashes(proposals_path: Path, ids: list[str], taken: set[str], where: str) -> None:
    """Refuse ids that are taken already or accepted twice: a merge must never overwrite or shadow a record."""
    clashes = sorted({each for each in ids if each in taken})
    twice = sorted({each for each in ids if ids.count(each) > 1})
    if clashes:
        raise AcceptError(
            f"{proposals_path}: id(s) {', '.join(clashes)} already in {where}; give the proposals new ids "
            "(or reject them, if they are the same records)"
        )
    if twice:
        raise AcceptError(f"{proposals_path}: id(s) {', '.join(twice)} accepted more than once")


# --- proposals as catalogue records --------------------------------------------------------------------


def unnamed_members(proposal: Proposal, gazetteer: Gazetteer) -> list[str | int]:
    """The proposal's members that none of its quotes names: not by the name as written, the unit's full
    or short name or a former name, nor by a one-character abbreviation in a run such as 汉孝随襄十 (each
    character one of the short names of consecutive members, in the plan's order)."""
    quotes = [squeeze(ref.quote) for ref in proposal.plan_refs]
    units = [gazetteer.resolve(member) for member in proposal.members]
    named: set[int] = set()
    for index, (member, unit) in enumerate(zip(proposal.members, units, strict=True)):
        forms = {str(member), *((unit.name_zh, unit.short_name_zh, *unit.aliases) if unit else ())}
        if any(form and form in quote for form in forms for quote in quotes):
            named.add(index)
    for quote in quotes:
        named |= _abbreviated(quote, units)
    return [member for index, member in enumerate(proposal.members) if index not in named]


def _abbreviated(quote: str, units: Sequence[AdminUnit | None]) -> set[int]:
    """Indexes of members an abbreviation run of ``quote`` names (two or more consecutive members)."""
    shorts = [set(unit.short_name_zh) if unit else set() for unit in units]
    found: set[int] = set()
    for start in range(len(quote)):
        for first in range(len(units)):
            length = 0
            while (
                first + length < len(units)
                and start + length < len(quote)
                and quote[start + length] in shorts[first + length]
            ):
                length += 1
            if length >= 2:
                found |= set(range(first, first + length))
    return found


def proposal_entity(proposal: Proposal, gazetteer: Gazetteer, proposals_name: str) -> Entity:
    """The catalogue entity an accepted proposal becomes: ``stated`` when its quotes name every member,
    else ``inferred`` with a note naming the places the quotes do not; the review's reason is in the note
    either way, so the record says where it came from."""
    unnamed = unnamed_members(proposal, gazetteer)
    notes = [proposal.note] if proposal.note else []
    if unnamed:
        places = "、".join(map(str, unnamed))
        notes.append(f"Places inferred: the quote does not name {places}; placed as the extractor read the plan.")
    notes.append(f"Accepted in review of {proposals_name}: {proposal.review.reason}")
    confidence = Confidence.inferred if unnamed else Confidence.stated
    return proposal.model_copy(update={"note": "  ".join(notes)}).as_entity(confidence)


def entity_record(proposal: Proposal, gazetteer: Gazetteer, proposals_name: str) -> CommentedMap:
    """The proposal as a record of ``entities:`` in the catalogue's layout (lists of ids and places inline,
    headings and quotes quoted, empty optional fields left out)."""
    entity = proposal_entity(proposal, gazetteer, proposals_name)
    data = entity.model_dump(mode="json")
    record = CommentedMap()
    for key in ("id", "name_zh", "name_en", "kind", "sectors", "members", "status", "confidence"):
        record[key] = _inline(data[key]) if isinstance(data[key], list) else data[key]
    if entity.inferred_sectors:
        record["inferred_sectors"] = _inline(data["inferred_sectors"])
    record["note"] = entity.note
    record["plan_refs"] = CommentedSeq([_styled(ref) for ref in data["plan_refs"]])
    return record


def plan_record(plan: Plan) -> CommentedMap:
    """The plan as a record of ``plans:`` (number always, as the catalogue writes it; period and note if set)."""
    data = plan.model_dump(mode="json")
    return _styled({key: value for key, value in data.items() if value is not None or key == "number"})


def target_record(target: ProposedTarget) -> CommentedMap:
    """The target as a record of ``targets:`` (optional fields left out; ``year`` kept, null or not)."""
    data = target.as_target().model_dump(mode="json")
    kept = {key: value for key, value in data.items() if value is not None or key == "year"}
    for key in ("value", "value_to"):
        if isinstance(kept.get(key), float) and kept[key].is_integer():
            kept[key] = int(kept[key])  # 8, not 8.0, as a person writes it
    return _styled(kept)


def _inline(items: Iterable[Any]) -> CommentedSeq:
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


def _styled(data: dict[str, Any]) -> CommentedMap:
    record = CommentedMap()
    for key, value in data.items():
        quoted = key in QUOTED_FIELDS and isinstance(value, str | date)
        record[key] = DoubleQuotedScalarString(str(value)) if quoted else value
    return record


# --- the round trip ------------------------------------------------------------------------------------


def _yaml() -> YAML:
    """ruamel.yaml set to write the catalogue as people write it (2-space maps, "  - " items, null written)."""
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = YAML_WIDTH
    # ``number: null`` stays ``null``: ruamel would otherwise write an empty value.
    yaml.representer.add_representer(
        type(None), lambda representer, _: representer.represent_scalar("tag:yaml.org,2002:null", "null")
    )
    return yaml


def _merge_catalogue(path: Path, plan: Plan, entities: list[CommentedMap], source: str) -> bool:
    """Append the entities (and the plan, if absent) to the catalogue; whether the plan was added."""
    yaml = _yaml()
    document = yaml.load(path.read_text(encoding="utf-8"))
    plans = document.setdefault("plans", CommentedSeq())
    plan_added = all(not (isinstance(each, dict) and each.get("id") == plan.id) for each in plans)
    if plan_added:
        _append(plans, [plan_record(plan)], f"{plan.id}: added from {source}")
    if entities:
        _append(document.setdefault("entities", CommentedSeq()), entities, f"{plan.id}: accepted from {source}")
    _write(path, yaml, document)
    return plan_added


def _merge_targets(path: Path, targets: list[ProposedTarget], source: str) -> None:
    yaml = _yaml()
    document = yaml.load(path.read_text(encoding="utf-8")) if path.exists() else None
    if document is None:
        document = CommentedMap()
    plan = targets[0].plan
    _append(
        document.setdefault("targets", CommentedSeq()),
        [target_record(t) for t in targets],
        f"{plan}: accepted from {source}",
    )
    _write(path, yaml, document)


def _append(seq: CommentedSeq, items: list[CommentedMap], header: str) -> None:
    """Append ``items`` to a block sequence under a comment line, as people add a group of records.

    ruamel keeps the blank lines and comments that follow a sequence (before the next top-level key) on
    its last item; they are moved to the new last item, so they stay before the next key, and the old last
    item keeps one blank line instead. New records are separated by a blank line where that trailing part
    had one (the catalogue's entities are), and by nothing where the file had nothing (targets.yaml).
    """
    trailing = _take_trailing(seq[-1]) if seq else None
    separator = "\n" if trailing and trailing.startswith("\n") else ""
    start = len(seq)
    seq.extend(items)
    seq.yaml_set_comment_before_after_key(start, before=header, indent=2)
    for index in range(max(start - 1, 0), len(seq) - 1):
        if separator:
            _set_trailing(seq[index], separator)
    if trailing:
        _set_trailing(seq[-1], trailing)


def _leaf(node: Any) -> tuple[Any, Any] | None:
    """The innermost container holding ``node``'s last scalar, and that scalar's key (or index)."""
    while True:
        if isinstance(node, CommentedMap) and node:
            key: Any = next(reversed(node))
        elif isinstance(node, CommentedSeq) and node:
            key = len(node) - 1
        else:
            return None
        if isinstance(node[key], CommentedMap | CommentedSeq) and node[key]:
            node = node[key]
        else:
            return node, key


def _take_trailing(node: Any) -> str | None:
    """Remove the comment text (blank lines, comments) after ``node``'s last scalar and return it from its
    first blank line on: after a plain scalar ruamel's text starts with the line's own end, after a block
    scalar (``>-``) it does not, so the text is made alike for :func:`_set_trailing`."""
    found = _leaf(node)
    if found is None:
        return None
    container, key = found
    slot = 2 if isinstance(container, CommentedMap) else 0
    entry = container.ca.items.get(key)
    if not entry or len(entry) <= slot or not isinstance(entry[slot], CommentToken):
        return None
    text = str(entry[slot].value)
    entry[slot] = None
    return text if _is_block(container[key]) else text[1:]


def _set_trailing(node: Any, text: str) -> None:
    """Put ``text`` (as :func:`_take_trailing` returns it) after ``node``'s last scalar."""
    found = _leaf(node)
    if found is None:
        return
    container, key = found
    token = CommentToken(text if _is_block(container[key]) else "\n" + text, CommentMark(0), None)
    if isinstance(container, CommentedMap):
        container.ca.items[key] = [None, None, token, None]
    else:
        container.ca.items[key] = [token, None]


def _is_block(value: Any) -> bool:
    return isinstance(value, FoldedScalarString | LiteralScalarString)


def _write(path: Path, yaml: YAML, document: Any) -> None:
    """Write atomically: a crash half way leaves the old file, never half a catalogue."""
    buffer = io.StringIO()
    yaml.dump(document, buffer)
    temporary = path.with_name(f".{path.name}.accept-tmp")
    temporary.write_text(buffer.getvalue(), encoding="utf-8")
    os.replace(temporary, path)


def _restore(saved: dict[Path, bytes | None]) -> None:
    """Put each file back as it was, byte for byte (or remove it, if it did not exist)."""
    for path, content in saved.items():
        if content is None:
            path.unlink(missing_ok=True)
        else:
            path.write_bytes(content)
