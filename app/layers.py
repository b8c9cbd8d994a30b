"""The published layers, in one registry.

Every place that lists layers derives its list from :data:`LAYERS`: the OGC API collections and their
OpenAPI enum, the downloads, ``atlas export``'s choices, the vector tiles, the page's drawn layers and the
extents the store records. Adding a layer is adding one entry here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import shapely

from app.admin_units import PROVINCE_ADCODE, AdminUnit, AdminUnits, Level
from app.catalogue import Kind
from app.query import FilterName


@dataclass(frozen=True)
class BoundaryRows:
    """The administrative units of one level."""

    level: Level


@dataclass(frozen=True)
class EntityRows:
    """Catalogue entities — of ``kinds``, or of every kind when it is empty — as the footprints of their
    member places, or as routes through their members' seats."""

    kinds: frozenset[Kind] = frozenset()
    geometry: Literal["footprint", "route"] = "footprint"


BOUNDARY_FIELDS = ("adcode", "name_zh", "name_en", "level")
# A client colours by sector and filters by plan from the tile alone: sectors and plans as comma-separated
# text (vector tiles hold no lists), e.g. "auto,auto-nev" and "2014,2021".
ENTITY_FIELDS = (
    "id",
    "name_zh",
    "name_en",
    "kind",
    "status",
    "sectors",
    "top_sector",
    "colour",
    "plans",
    "province_wide",
)
# TileJSON's field types; the others are strings.
TILE_FIELD_TYPES = {"adcode": "Number", "province_wide": "Boolean"}
ENTITY_FILTERS = frozenset(FilterName)


@dataclass(frozen=True)
class LayerSpec:
    """One published layer: what it is called, which rows it holds, the filters it takes and where it
    is shown."""

    id: str
    title_zh: str
    title_en: str
    description: str
    rows: BoundaryRows | EntityRows
    filters: frozenset[FilterName] = frozenset()
    # The page draws the layer (and /tiles serves it, with these properties in each tile).
    on_map: bool = False
    tile_fields: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        """Bilingual title, Chinese first."""
        return f"{self.title_zh} {self.title_en}"


LAYERS: dict[str, LayerSpec] = {
    layer.id: layer
    for layer in (
        LayerSpec(
            "province",
            "湖北省",
            "Hubei Province",
            "The outline of Hubei (Tianditu standard map).",
            BoundaryRows(Level.province),
        ),
        LayerSpec(
            "prefectures",
            "市州",
            "Prefecture-level units",
            "Hubei's 17 prefecture-level units, including the province-administered 仙桃、潜江、天门、神农架.",
            BoundaryRows(Level.prefecture),
            on_map=True,
            tile_fields=BOUNDARY_FIELDS,
        ),
        LayerSpec(
            "counties",
            "县市区",
            "County-level units",
            "Hubei's 103 county-level units (districts, county-level cities, counties).",
            BoundaryRows(Level.county),
            on_map=True,
            tile_fields=BOUNDARY_FIELDS,
        ),
        LayerSpec(
            "clusters",
            "产业集群与布局",
            "Clusters and other plan entities",
            "Every place-anchored entity of the 2021 and 2014 plans, as the footprint of its member places, "
            "with the plans' verbatim quotes.",
            EntityRows(),
            ENTITY_FILTERS,
            on_map=True,
            tile_fields=ENTITY_FIELDS,
        ),
        LayerSpec(
            "corridors",
            "产业走廊",
            "Corridors",
            "Corridors as lines through their member cities' seats, in the plan's order (a corridor whose "
            "stops the plan does not give has no line; it is in the clusters layer).",
            EntityRows(frozenset({Kind.corridor}), geometry="route"),
            ENTITY_FILTERS - {FilterName.kind},
            on_map=True,
            tile_fields=ENTITY_FIELDS,
        ),
    )
}


def map_layers() -> list[LayerSpec]:
    """The layers the page draws and /tiles serves, in registry order."""
    return [layer for layer in LAYERS.values() if layer.on_map]


def names(layers: list[LayerSpec] | None = None) -> str:
    """``a, b, c`` — the ids of ``layers`` (default: all), for messages and descriptions."""
    return ", ".join(layer.id for layer in (LAYERS.values() if layers is None else layers))


def extents(units: AdminUnits, entities: Sequence[tuple[Kind, Sequence[AdminUnit]]] = ()) -> dict[str, list[float]]:
    """The bounding box of every layer: its units', or its own entities' (``entities``: each one's kind and
    member units) — a footprint's box is its members' outlines', a route's its members' seats' — and
    Hubei's for an entity layer with nothing in it."""
    hubei = units.get(PROVINCE_ADCODE)
    found = {}
    for layer in LAYERS.values():
        rows = layer.rows
        if isinstance(rows, BoundaryRows):
            box = tuple(units.layer(rows.level).total_bounds)
        else:
            members = [unit for kind, each in entities if not rows.kinds or kind in rows.kinds for unit in each]
            if rows.geometry == "route":
                shapes = [unit.seat for unit in members]
            else:
                shapes = [unit.geometry for unit in members]
            if shapes:
                box = tuple(shapely.total_bounds(shapes))
            else:
                box = hubei.geometry.bounds if hubei else tuple(units.layer(Level.province).total_bounds)
        found[layer.id] = [round(float(value), 6) for value in box]
    return found
