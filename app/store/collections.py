"""The registry's layers (:mod:`app.layers`) bound to the store's tables: which rows, geometry and id."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Table, and_

from app.layers import LAYERS, BoundaryRows, LayerSpec
from app.store import schema


@dataclass(frozen=True)
class Collection:
    """One layer as rows of a table, with the column of its geometry and of its feature ids."""

    layer: LayerSpec
    table: Table
    geometry: str
    id_column: str
    # What the page draws with: entities without their quotes, units with their label points.
    map_properties: str

    @property
    def id(self) -> str:
        """The layer's id (its URL segment and file name)."""
        return self.layer.id

    def where(self) -> ColumnElement[bool] | None:
        """The rows of the table that belong to this collection (None: all of them)."""
        rows = self.layer.rows
        if isinstance(rows, BoundaryRows):
            return schema.admin_units.c.level == rows.level.value
        conditions = []
        if rows.kinds:
            conditions.append(schema.entities.c.kind.in_(sorted(kind.value for kind in rows.kinds)))
        if rows.geometry == "route":  # only an entity in the plan's order has a route (app.entities.has_route)
            conditions.append(schema.entities.c.route.is_not(None))
        return and_(*conditions) if conditions else None


def bind(layer: LayerSpec) -> Collection:
    """``layer`` bound to the table that holds its rows."""
    if isinstance(layer.rows, BoundaryRows):
        return Collection(layer, schema.admin_units, "geom", "adcode", "map_properties")
    return Collection(layer, schema.entities, layer.rows.geometry, "id", "map_properties")


COLLECTIONS: dict[str, Collection] = {layer.id: bind(layer) for layer in LAYERS.values()}
