"""Lineage across plan editions (``data/lineage.yaml``): which entity or sector of one plan continues in
another, how (the relation), and the plans' own words on each side; what one edition names and the next
does not is recorded as dropped.

Links run from an earlier edition to a later one. What has no counterpart is *derived* (new in the later
plan, dropped from the earlier); a ``dropped`` record adds the quote and the reason where the curators
checked that the later plan has nothing like it. A new edition needs only its plan, its text, its
entities and its links: nothing here names an edition.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.catalogue import Id, Text

LINEAGE_FILE = "lineage.yaml"


class Relation(StrEnum):
    """How the later counterpart relates to the earlier record."""

    continues = "continues"  # the same thing, named alike
    renamed = "renamed"  # the same thing under another name
    split = "split"  # the earlier became several later ones (one link to each)
    merged = "merged"  # several earlier ones became one (one link from each)
    widened = "widened"  # the later one covers more than the earlier
    narrowed = "narrowed"  # the later one covers less


# A link with one of these relations means the later sector takes in the whole earlier one, so the sector
# filter rolls the earlier sector up into the later (a split or narrowed sector would drag in entities
# that the later sector does not cover).
TAKES_IN_WHOLE = frozenset({Relation.continues, Relation.renamed, Relation.widened, Relation.merged})


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Side(_Record):
    """One end of a link: a plan, an entity or a sector that the plan names, and the plan's words for it."""

    plan: Id
    entity: Id | None = None
    sector: Id | None = None
    section: Text | None = None
    quote: Text

    @model_validator(mode="after")
    def _one_subject(self) -> Side:
        if (self.entity is None) == (self.sector is None):
            raise ValueError("name either an entity or a sector")
        return self

    @property
    def subject(self) -> str:
        """``entity`` or ``sector``."""
        return "entity" if self.entity is not None else "sector"

    @property
    def id(self) -> str:
        """The entity's or sector's id."""
        return self.entity or self.sector or ""


class Link(_Record):
    """An entity or sector of an earlier plan and its counterpart in a later one."""

    from_: Side = Field(alias="from")
    to: Side
    relation: Relation
    note: Text | None = None


class Dropped(Side):
    """An entity or sector of a plan that a later plan (``by``) has no counterpart for, with the reason."""

    by: Id
    # Only this part of the record is dropped (the rest is linked); None: the whole record.
    part: Text | None = None
    note: Text


class Lineage(BaseModel):
    """The links and dropped records of ``data/lineage.yaml`` (empty when the file is absent)."""

    model_config = ConfigDict(frozen=True)

    links: list[Link] = Field(default_factory=list)
    dropped: list[Dropped] = Field(default_factory=list)

    def sector_takes_in(self) -> dict[str, tuple[str, ...]]:
        """Later sector id → the earlier sectors it takes in whole (see :data:`TAKES_IN_WHOLE`)."""
        found: dict[str, list[str]] = {}
        for link in self.links:
            if link.to.sector is not None and link.from_.sector is not None and link.relation in TAKES_IN_WHOLE:
                found.setdefault(link.to.sector, []).append(link.from_.sector)
        return {later: tuple(earlier) for later, earlier in found.items()}


SECTIONS: dict[str, type[_Record]] = {"links": Link, "dropped": Dropped}


def link_rows(lineage: Lineage) -> list[dict[str, Any]]:
    """The store's ``lineage`` rows: links first, then dropped records (``to_*`` of a dropped record
    names only the plan that drops it)."""
    rows = []
    for link in lineage.links:
        rows.append(
            {"kind": "link", "relation": link.relation.value, "part": None, "note": link.note}
            | _side(link.from_, "from")
        )
        rows[-1] |= _side(link.to, "to")
    for record in lineage.dropped:
        rows.append(
            {"kind": "dropped", "relation": None, "part": record.part, "note": record.note} | _side(record, "from")
        )
        rows[-1] |= {"to_plan": record.by, "to_subject": None, "to_id": None, "to_section": None, "to_quote": None}
    return [row | {"position": position} for position, row in enumerate(rows)]


def _side(side: Side, prefix: str) -> dict[str, Any]:
    return {
        f"{prefix}_plan": side.plan,
        f"{prefix}_subject": side.subject,
        f"{prefix}_id": side.id,
        f"{prefix}_section": side.section,
        f"{prefix}_quote": side.quote,
    }
