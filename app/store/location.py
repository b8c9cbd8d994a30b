"""Where the store lives, how a new build is published atomically, and how a reader pins one build.

Everything else (schema, load, queries) is one code path for every backend. What differs lives in one
module per backend, each a :class:`StoreLocation` with its :class:`~app.store.dialect.Dialect`:
``app.store.spatialite`` (a file) and ``app.store.postgis`` (a schema). Either way every build keeps a
unique, immutable name, and publishing only moves a pointer to it; a reader resolves the pointer once
and binds its engine to the build's unique name, so every query it makes reads that build even while a
newer one is published: one request, one store version. A superseded build is kept for
:data:`RETAIN_SECONDS` (requests reading it finish), then removed by a later load without waiting on
readers.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine

from app.errors import StoreUnavailable  # raised here; importable from here as before
from app.settings import Settings
from app.store.dialect import Dialect

# A superseded build is kept this long: readers move to the new one within a second, and a request
# still reading the old one finishes on it.
RETAIN_SECONDS = 120


@dataclass(frozen=True)
class PublishedBuild:
    """One published build: its unique name (file or schema) and an engine bound to it."""

    name: str
    engine: Engine


class StoreLocation(ABC):
    """A place a store can be built in and read from."""

    backend: str  # its name, for people (health details); queries ask the dialect, never the name
    dialect: Dialect

    @abstractmethod
    def describe(self) -> str:
        """Where the store is, for people (no passwords)."""

    @abstractmethod
    def exists(self) -> bool:
        """Whether a published store is there."""

    @abstractmethod
    def release(self, engine: Engine) -> None:
        """Let go of an engine :meth:`published` gave, once no request reads through it."""

    @abstractmethod
    def published(self) -> PublishedBuild:
        """The published build, with an engine bound to it alone; :class:`StoreUnavailable` if none."""

    @abstractmethod
    def identity(self) -> object:
        """Changes whenever a new store is published (lets readers notice a swap); cheap to ask."""

    @contextmanager
    @abstractmethod
    def staging(self) -> Iterator[Engine]:
        """An engine on an empty, private build location; published if the block succeeds, else dropped."""

    def writable(self) -> bool:
        """Whether a load can build here: not a read-only replica (a PostGIS hot standby)."""
        return True

    def close(self) -> None:  # noqa: B027  (a file needs nothing released; PostGIS overrides it)
        """Release what the location itself holds (connections for its own checks)."""


def store_location(settings: Settings) -> StoreLocation:
    """The configured store: PostGIS when ``ATLAS_DATABASE_URL`` is set, else the SpatiaLite file."""
    if settings.database_url:
        from app.store.postgis import PostgisLocation  # each backend's module loads only when it is used

        if not settings.database_url.startswith("postgresql"):
            raise StoreUnavailable(
                f"ATLAS_DATABASE_URL must be a postgresql+psycopg:// URL, not {settings.database_url!r}."
            )
        return PostgisLocation(settings.database_url, settings.database_schema)
    from app.store.spatialite import SpatialiteLocation

    return SpatialiteLocation(settings.store_path)
