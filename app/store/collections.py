"""The published feature collections and the filters they take."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Table

from app.admin_units import Level
from app.catalogue import Kind
from app.query import FilterName
from app.store import schema


@dataclass(frozen=True)
class Collection:
    """One layer: which rows of which table, with which geometry and id."""

    id: str
    title_zh: str
    title_en: str
    description: str
    table: Table
    geometry: str
    id_column: str
    filters: frozenset[FilterName] = field(default_factory=frozenset)

    @property
    def title(self) -> str:
        """Bilingual title, Chinese first."""
        return f"{self.title_zh} {self.title_en}"

    def where(self) -> ColumnElement[bool] | None:
        """The rows of the table that belong to this collection."""
        if self.table is schema.admin_units:
            return schema.admin_units.c.level == _LEVELS[self.id].value
        if self.id == "corridors":
            return schema.entities.c.kind == Kind.corridor.value
        return None


_LEVELS = {"province": Level.province, "prefectures": Level.prefecture, "counties": Level.county}
_ENTITY_FILTERS = frozenset(FilterName)

COLLECTIONS: dict[str, Collection] = {
    collection.id: collection
    for collection in (
        Collection(
            "province",
            "湖北省",
            "Hubei Province",
            "The outline of Hubei (Tianditu standard map).",
            schema.admin_units,
            "geom",
            "adcode",
        ),
        Collection(
            "prefectures",
            "市州",
            "Prefecture-level units",
            "Hubei's 17 prefecture-level units, including the province-administered 仙桃、潜江、天门、神农架.",
            schema.admin_units,
            "geom",
            "adcode",
        ),
        Collection(
            "counties",
            "县市区",
            "County-level units",
            "Hubei's 103 county-level units (districts, county-level cities, counties).",
            schema.admin_units,
            "geom",
            "adcode",
        ),
        Collection(
            "clusters",
            "产业集群与布局",
            "Clusters and other plan entities",
            "Every place-anchored entity of the 2021 and 2014 plans, as the footprint of its member places, "
            "with the plans' verbatim quotes.",
            schema.entities,
            "footprint",
            "id",
            _ENTITY_FILTERS,
        ),
        Collection(
            "corridors",
            "产业走廊",
            "Corridors",
            "Corridors as lines through their member cities' seats, in the plan's order.",
            schema.entities,
            "route",
            "id",
            _ENTITY_FILTERS - {FilterName.kind},
        ),
    )
}
