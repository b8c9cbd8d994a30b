"""``/api/compare`` and ``/api/lineage``: plan editions side by side, and an entity's counterparts in other
editions. The work is ``app.compare``'s."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from api.dependencies import StoreDep
from api.routers.common import only_declared_parameters
from app import compare as core
from app.query import parse_filters

router = APIRouter(prefix="/api", tags=["人员 People"], dependencies=[Depends(only_declared_parameters)])

Relation = Literal["continues", "renamed", "split", "merged", "widened", "narrowed"]


class ComparedPlan(BaseModel):
    """A plan as cited."""

    id: str
    year: int
    title_zh: str
    title_en: str
    issuer_zh: str
    issuer_en: str
    number: str | None
    date: str


class Side(BaseModel):
    """One end of a link: the entity, the plan and the plan's own words for it."""

    plan: str
    plan_year: int | None = None
    subject: Literal["entity", "sector"]
    id: str
    name_zh: str
    name_en: str
    kind: str | None = None
    status: str | None = None
    section: str | None
    quote: str | None
    in_scope: bool | None = Field(None, description="Whether this end lies in the sector or place compared.")


class Link(BaseModel):
    """An entity (or sector) of the earlier plan and its counterpart in the later one."""

    model_config = ConfigDict(populate_by_name=True)

    relation: Relation = Field(description="What the later one is to the earlier.")
    note: str | None
    from_: Side = Field(alias="from")
    to: Side


class ViaRecord(BaseModel):
    """A record of an edition between the two compared, that a chain of links passes through."""

    plan: str
    id: str
    name_zh: str
    name_en: str
    kind: str
    status: str


class ChainedLink(Link):
    """An entity of the earlier plan and its counterpart in the later, through the editions between them."""

    relation: Relation | Literal["changed"] = Field(
        description="The steps' relation: continues if all continue, the one change if only one kind of "
        "change, else changed (see steps)."
    )
    via: list[ViaRecord] = Field(description="The records passed through, in order; empty for a direct link.")
    steps: list[Relation] = Field(description="Each link's own relation, in order.")


class Quote(BaseModel):
    """A passage of a plan."""

    section: str | None
    quote: str | None


class EntityName(BaseModel):
    """An entity by name."""

    id: str
    name_zh: str
    name_en: str
    kind: str
    status: str


class Recorded(BaseModel):
    """The curators' record of what the later plan drops, with the earlier plan's words."""

    section: str | None
    quote: str
    part: str | None = Field(description="Only this part is dropped; null: the whole record.")
    note: str


class NewEntity(BaseModel):
    """An entity of the later plan with no counterpart in the earlier."""

    entity: EntityName
    quotes: list[Quote]


class DroppedEntity(BaseModel):
    """An entity of the earlier plan with no counterpart in the later."""

    entity: EntityName
    quotes: list[Quote]
    recorded: Recorded | None = Field(description="Null: derived (no link), not checked by a curator.")


class SectorName(BaseModel):
    """A sector by name."""

    id: str
    name_zh: str
    name_en: str


class DroppedSector(Recorded):
    """A sector (or part of one) the later plan has no counterpart for."""

    sector: SectorName


class SectorLineage(BaseModel):
    """Sector links and dropped sectors within the chosen sector."""

    continued: list[Link]
    dropped: list[DroppedSector]


class Place(BaseModel):
    """The place compared."""

    adcode: int
    name_zh: str
    name_en: str


class Scope(BaseModel):
    """What is compared: a sector, a place, both or (neither) the whole plans."""

    sector: SectorName | None
    place: Place | None


class Comparison(BaseModel):
    """Two editions side by side."""

    model_config = ConfigDict(populate_by_name=True)

    from_: ComparedPlan = Field(alias="from")
    to: ComparedPlan
    scope: Scope
    continued: list[ChainedLink]
    new: list[NewEntity]
    dropped: list[DroppedEntity]
    sectors: SectorLineage


class PlanLabel(BaseModel):
    """A plan by year and title."""

    id: str
    year: int
    title_zh: str
    title_en: str


class DroppedBy(Recorded):
    """A record that a later plan drops the entity."""

    by: PlanLabel


class EntityLineage(BaseModel):
    """An entity's counterparts in other editions."""

    id: str
    earlier: list[Link]
    later: list[Link]
    dropped: list[DroppedBy]


PlanId = Annotated[str, Query(min_length=1, max_length=32, pattern="^[a-z0-9]+(-[a-z0-9]+)*$")]


@router.get(
    "/compare",
    response_model=Comparison,
    response_model_by_alias=True,
    summary="Two plan editions side by side for a sector or a place",
)
def compare(
    store: StoreDep,
    from_: Annotated[PlanId, Query(alias="from", description="The earlier plan's id, e.g. action2014.")],
    to: Annotated[PlanId, Query(description="The later plan's id, e.g. fyp2021.")],
    sector: Annotated[str | None, Query(max_length=80, description="Sector id; includes its sub-sectors.")] = None,
    place: Annotated[str | None, Query(max_length=6, description="Adcode, as the place filter.")] = None,
) -> dict:
    """What continued from `from` to `to` (each link with its relation and both plans' words), what is
    new in `to`, what `from` had that `to` drops — for a sector (with earlier editions' sectors it takes in)
    or a place (the place filter's rule), or the whole plans when neither is given."""
    filters = parse_filters(store.info(), sector=sector, place=place)
    return core.compare(store, from_, to, filters)


@router.get(
    "/lineage/{entity_id}",
    response_model=EntityLineage,
    response_model_by_alias=True,
    summary="An entity's counterparts in other plan editions",
)
def lineage(store: StoreDep, entity_id: Annotated[str, Path(max_length=80)]) -> dict:
    """The entity's counterparts in earlier (`earlier`) and later (`later`) plans with relation and both
    quotes, and any record that a later plan drops it."""
    return core.entity_lineage(store, entity_id)
