"""The proposals file (``proposals/<plan id>.yaml``): what ``atlas propose`` read in a plan, for review.

Each proposal is a catalogue entity (``app.catalogue.Entity``'s fields) with ``confidence: proposed`` and
a ``review`` block: the reviewer's decision, the extractor's reason (which pattern matched, where the
places and sectors came from), the sentences around the quote, and possible duplicates and lineage
counterparts in the catalogue — flagged, never merged. Targets follow ``data/targets.yaml``'s schema
with the same block. ``atlas accept`` turns the accepted ones into catalogue records.
"""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from app.catalogue import Confidence, Entity, Id, Kind, Plan, PlanRef, Status, Text
from app.errors import AtlasError
from app.targets import Target

PROPOSED = "proposed"


class Decision(StrEnum):
    """What the reviewer made of a proposal."""

    pending = "pending"
    accepted = "accepted"
    rejected = "rejected"


class Context(BaseModel):
    """The sentences before and after the quote, so that a reviewer reads it in its place."""

    model_config = ConfigDict(extra="forbid")

    before: str = ""
    after: str = ""


class Review(BaseModel):
    """The reviewer's decision and what the extractor gives the reviewer to check it by."""

    model_config = ConfigDict(extra="forbid")

    decision: Decision = Decision.pending
    reason: Text
    context: Context = Field(default_factory=Context)
    duplicates: list[Id] = Field(default_factory=list)
    lineage: list[Id] = Field(default_factory=list)


class Proposal(BaseModel):
    """A proposed entity: the catalogue's fields, ``confidence: proposed`` and its review."""

    model_config = ConfigDict(extra="forbid")

    id: Id
    name_zh: Text
    name_en: Text
    kind: Kind
    sectors: list[Id] = Field(default_factory=list)
    members: list[Text | int] = Field(min_length=1)
    status: Status
    confidence: Literal["proposed"] = PROPOSED
    inferred_sectors: list[Id] = Field(default_factory=list)
    note: Text | None = None
    plan_refs: list[PlanRef] = Field(min_length=1)
    review: Review

    def as_entity(self, confidence: Confidence = Confidence.stated) -> Entity:
        """The proposal as a catalogue entity (for the preview layer and for ``atlas accept``)."""
        fields = self.model_dump(exclude={"review", "confidence"})
        return Entity.model_validate({**fields, "confidence": confidence})


class ProposedTarget(Target):
    """A proposed target: ``data/targets.yaml``'s record with its review."""

    model_config = ConfigDict(extra="forbid", frozen=False)

    review: Review

    def as_target(self) -> Target:
        """The proposal as a targets.yaml record."""
        return Target.model_validate(self.model_dump(exclude={"review"}))


class Source(BaseModel):
    """The archived document (``data/plans/``): the original file and its normalised text, with checksums."""

    model_config = ConfigDict(extra="forbid")

    original: Text
    text: Text
    sha256: Text
    text_sha256: Text


class ProposalFile(BaseModel):
    """One plan's proposals."""

    model_config = ConfigDict(extra="forbid")

    plan: Plan
    source: Source
    entities: list[Proposal] = Field(default_factory=list)
    targets: list[ProposedTarget] = Field(default_factory=list)

    def accepted(self) -> list[Proposal]:
        """The entities the reviewer accepted, in the file's order."""
        return [each for each in self.entities if each.review.decision is Decision.accepted]


class ProposalsError(AtlasError):
    """A proposals file that cannot be read or does not follow the schema."""


def read_proposals(path: Path) -> ProposalFile:
    """Read and check a proposals file; raise :class:`ProposalsError` naming the file and the fault."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ProposalsError(f"{path}: cannot read the proposals: {exc}") from exc
    try:
        return ProposalFile.model_validate(raw)
    except ValueError as exc:
        raise ProposalsError(f"{path}: not a proposals file: {exc}") from exc


def write_proposals(path: Path, proposals: ProposalFile) -> None:
    """Write ``proposals`` as YAML (UTF-8, Chinese as written, fields in the schema's order)."""
    data: dict[str, Any] = proposals.model_dump(mode="json")
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120)
    # Written beside and renamed over: the review saves after every decision while a preview server may be
    # reading the file, and neither a reader nor a crash half way may ever see half a file.
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
