"""The catalogue in ``data/clusters.yaml``: plans, sector taxonomy, entities and text notes."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=80)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Kind(StrEnum):
    """What sort of place-anchored thing an entity is."""

    cluster = "cluster"
    corridor = "corridor"
    city_group = "city_group"
    specialisation = "specialisation"
    base = "base"
    platform = "platform"


class Status(StrEnum):
    """Whether the plan describes the entity as existing or calls for it."""

    existing = "existing"
    planned = "planned"


class Confidence(StrEnum):
    """Whether the plan itself names the place, or the placement was inferred (see the note)."""

    stated = "stated"
    inferred = "inferred"


class _Record(BaseModel):
    # Unknown fields are faults (a typo such as `member:` must not be dropped silently).
    model_config = ConfigDict(extra="forbid", frozen=True)


class Plan(_Record):
    """One source document."""

    id: Id
    file: Text
    year: int
    title_zh: Text
    title_en: Text
    issuer_zh: Text
    issuer_en: Text
    number: Text | None = None
    date: date
    # The years the plan runs, as it states them (e.g. 2021—2025); cited with every quote (app.citation).
    period: Text | None = None
    note: Text | None = None


class PlanRef(_Record):
    """A verbatim passage of a plan that supports a record."""

    plan: Id
    year: int
    section: Text
    quote: Text


class Alias(_Record):
    """Another name people search a sector or entity by: a Chinese word and its English renderings.

    For a sector, a synonym of its name or a word people use for it (新能源汽车, NEV); for an entity, the
    plan's own wording from one of its quotes (东风汽车集团), which validation checks. ``note`` says why
    where it is not plain.
    """

    zh: Text | None = None
    en: list[Text] = Field(default_factory=list)
    note: Text | None = None

    @model_validator(mode="after")
    def _names_something(self) -> Alias:
        if self.zh is None and not self.en:
            raise ValueError("an alias needs zh, en or both")
        return self

    def forms(self) -> list[str]:
        """Every written form of the alias: the Chinese word first, then the English ones."""
        return [*([self.zh] if self.zh else []), *self.en]


class Sector(_Record):
    """A sector or sub-sector (``parent`` set) of a plan's taxonomy."""

    id: Id
    name_zh: Text
    name_en: Text
    parent: Id | None = None
    aliases: list[Alias] = Field(default_factory=list)
    plan_refs: list[PlanRef] = Field(min_length=1)
    note: Text | None = None


class Entity(_Record):
    """A place-anchored cluster, corridor, city group, specialisation, base or platform.

    ``members`` are adcodes or names the gazetteer resolves; for corridors their order is the plan's.
    ``sectors`` may be empty where the plan ties the entity to no field (its note says so).
    ``inferred_sectors`` are those of ``sectors`` that the plan's words for the entity do not give (a
    mapping of a word that names no field, a tag across editions, a definition elsewhere in the plan):
    marked like inferred places, and the note says why (data/README.md, the inclusion rule).
    """

    id: Id
    name_zh: Text
    name_en: Text
    kind: Kind
    sectors: list[Id]
    members: list[Text | int] = Field(min_length=1)
    status: Status
    confidence: Confidence
    inferred_sectors: list[Id] = Field(default_factory=list)
    note: Text | None = None
    aliases: list[Alias] = Field(default_factory=list)
    plan_refs: list[PlanRef] = Field(min_length=1)

    @model_validator(mode="after")
    def _inferred_sectors_say_why(self) -> Entity:
        # Inferred sectors are marked like inferred places: each is one of the entity's own sectors, once,
        # and the note says which were inferred and why.
        for sector in self.inferred_sectors:
            if sector not in self.sectors:
                raise ValueError(f"inferred sector {sector!r} is not one of the entity's sectors")
        if len(set(self.inferred_sectors)) != len(self.inferred_sectors):
            raise ValueError("an inferred sector is listed twice")
        if self.inferred_sectors and not self.note:
            raise ValueError("some sectors are inferred, so a note must say which and why")
        return self

    def plan_years(self) -> list[int]:
        """The years of the plans that speak of the entity, ascending, each once."""
        return sorted({ref.year for ref in self.plan_refs})


class TextNote(_Record):
    """A place where the extracted plan text is defective, recorded for the reader."""

    plan: Id
    section: Text
    quote: Text
    note: Text


SECTIONS: dict[str, type[_Record]] = {
    "plans": Plan,
    "sectors": Sector,
    "entities": Entity,
    "text_notes": TextNote,
}


class Catalogue(BaseModel):
    """The whole catalogue once every record has passed validation."""

    model_config = ConfigDict(frozen=True)

    plans: list[Plan]
    sectors: list[Sector]
    entities: list[Entity]
    text_notes: list[TextNote]
    # Later sector id → earlier editions' sectors it takes in whole (data/lineage.yaml, app.lineage), so
    # that one sector filter spans every edition.
    sector_takes_in: dict[str, tuple[str, ...]] = Field(default_factory=dict)

    def plan(self, plan_id: str) -> Plan:
        """The plan with this id (the catalogue is validated, so it exists)."""
        return next(plan for plan in self.plans if plan.id == plan_id)

    def sector(self, sector_id: str) -> Sector:
        """The sector with this id."""
        return next(sector for sector in self.sectors if sector.id == sector_id)

    # The sector roll-up lives here alone: the store's ancestor rows (the filters' ``sector``), the
    # published ``descendants``, ``top_sector`` and colours, and the standalone map all derive from these.

    def sector_chain(self, sector_id: str) -> list[str]:
        """The sector's id, then its parent's, up to its top-level sector."""
        chain = [sector_id]
        while (parent := self.sector(chain[-1]).parent) is not None:
            chain.append(parent)
        return chain

    def top_sector(self, sector_id: str) -> str:
        """The top-level sector the sector belongs to (itself when it has no parent)."""
        return self.sector_chain(sector_id)[-1]

    def sector_descendants(self, sector_id: str) -> list[str]:
        """The sector's own id first, then its sub-sectors' at every depth in catalogue order, then the
        earlier editions' sectors it takes in (``sector_takes_in``) with theirs: the sectors that selecting
        this sector selects."""
        below = [sector.id for sector in self.sectors if sector_id in self.sector_chain(sector.id)[1:]]
        found = [sector_id, *below]
        for current in found:  # grows as earlier editions' sectors are found
            for earlier in self.sector_takes_in.get(current, ()):
                found += [each for each in self.sector_descendants(earlier) if each not in found]
        return found

    def entity_top_sector(self, entity: Entity) -> str | None:
        """The top-level sector of the entity's first sector (the one it is drawn in), or None if it has none."""
        return self.top_sector(entity.sectors[0]) if entity.sectors else None
