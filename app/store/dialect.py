"""What differs between backends in the SQL the queries need, as one interface.

Each backend module (``app.store.spatialite``, ``app.store.postgis``) implements it; queries ask the
store's dialect and never which backend they are on.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Engine, Table

from app.query import BBox


@dataclass(frozen=True)
class TileRequest:
    """One vector tile of one layer: rows of ``table`` meeting ``where``, drawn with ``geometry`` (the
    spatial index is on ``indexed``), carrying ``properties``."""

    layer: str
    table: Table
    indexed: ColumnElement[Any]
    geometry: ColumnElement[Any]
    properties: list[ColumnElement[Any]]
    where: list[ColumnElement[bool]]
    z: int
    x: int
    y: int


class Dialect(ABC):
    """A backend's way of saying what the queries need."""

    @abstractmethod
    def intersects(self, table: Table, indexed: ColumnElement[Any], geometry: ColumnElement[Any], box: BBox) -> Any:
        """Rows of ``table`` whose ``geometry`` intersects ``box`` (minlon, minlat, maxlon, maxlat),
        found through the spatial index on ``indexed``."""

    @abstractmethod
    def tile(self, engine: Engine, request: TileRequest) -> bytes:
        """The Mapbox vector tile ``request`` names (empty bytes where nothing is)."""
