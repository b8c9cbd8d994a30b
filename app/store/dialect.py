"""What differs between backends in the SQL the queries need, as one interface.

Each backend module (``app.store.spatialite``, ``app.store.postgis``) implements it; queries ask the
store's dialect and never which backend they are on.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Engine, Select, Table

from app.query import BBox


@dataclass(frozen=True)
class TileRequest:
    """The rows one layer's tiles draw at one zoom band: rows of ``table`` meeting ``where``, drawn with
    ``geometry`` (the spatial index is on ``indexed``), carrying ``properties``. The tile itself is a bound
    parameter of the statement a dialect makes of it (:meth:`Dialect.tile_statement`)."""

    layer: str
    table: Table
    indexed: ColumnElement[Any]
    geometry: ColumnElement[Any]
    properties: list[ColumnElement[Any]]
    where: list[ColumnElement[bool]]


class Dialect(ABC):
    """A backend's way of saying what the queries need."""

    @abstractmethod
    def intersects(self, table: Table, indexed: ColumnElement[Any], geometry: ColumnElement[Any], box: BBox) -> Any:
        """Rows of ``table`` whose ``geometry`` intersects ``box`` (minlon, minlat, maxlon, maxlat),
        found through the spatial index on ``indexed``."""

    @abstractmethod
    def tile_statement(self, request: TileRequest) -> Select[Any]:
        """The statement drawing any tile of ``request``, the tile left as bound parameters that
        :meth:`tile` fills: built once per layer and zoom band (building costs more than running it)."""

    @abstractmethod
    def tile(self, engine: Engine, layer: str, statement: Select[Any], z: int, x: int, y: int) -> bytes:
        """The Mapbox vector tile z/x/y of ``layer`` drawn by ``statement`` (empty bytes where nothing is)."""
