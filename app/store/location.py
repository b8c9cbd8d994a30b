"""Where the store lives, and how a new build replaces it atomically.

Everything else (schema, load, queries) is one code path for both backends; only this module knows
that a SpatiaLite store is a file (built beside it, then renamed over it) and a PostGIS store is a
schema (built as a fresh schema, then swapped in by renaming, in one transaction).
"""

from __future__ import annotations

import os
import secrets
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyogrio
import sqlean
from geoalchemy2.admin.dialects.sqlite import load_spatialite, load_spatialite_driver
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import QueuePool

from app.settings import Settings

# GeoAlchemy2 loads SpatiaLite from this path; Debian's libsqlite3-mod-spatialite puts it on the
# loader's search path under this name.
os.environ.setdefault("SPATIALITE_LIBRARY_PATH", "mod_spatialite")
# pyogrio's bundled GDAL carries (and exports) its own SQLite. If GDAL registers its drivers after
# mod_spatialite has pulled the system libsqlite3 into the process, writing a GeoPackage segfaults;
# registering them first keeps each library bound to its own SQLite.
pyogrio.list_drivers()


class StoreUnavailable(Exception):
    """The store cannot be reached or has not been built; the message says what to do."""


class StoreLocation(ABC):
    """A place a store can be built in and read from."""

    backend: str

    @abstractmethod
    def describe(self) -> str:
        """Where the store is, for people (no passwords)."""

    @abstractmethod
    def exists(self) -> bool:
        """Whether a published store is there."""

    @abstractmethod
    def reader(self) -> Engine:
        """An engine on the published store."""

    @abstractmethod
    def identity(self) -> object:
        """Changes whenever a new store is published (lets readers notice a swap)."""

    @contextmanager
    @abstractmethod
    def staging(self) -> Iterator[Engine]:
        """An engine on an empty, private build location; published if the block succeeds, else dropped."""


class SpatialiteLocation(StoreLocation):
    """A SpatiaLite file; a build is written beside it and renamed over it (atomic on POSIX)."""

    backend = "spatialite"

    def __init__(self, path: Path) -> None:
        self.path = path

    def describe(self) -> str:
        return f"SpatiaLite file {self.path}"

    def exists(self) -> bool:
        return self.path.is_file()

    def identity(self) -> object:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return None
        return (stat.st_ino, stat.st_mtime_ns)

    def reader(self) -> Engine:
        if not self.exists():
            raise StoreUnavailable(f"No store at {self.path}: build it with `atlas load`.")
        # Read-only at the SQLite level: the service never writes the store.
        return _spatialite_engine(f"file:{self.path}?mode=ro", load_spatialite_driver)

    @contextmanager
    def staging(self) -> Iterator[Engine]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        staged = self.path.with_name(f".{self.path.name}.building-{secrets.token_hex(4)}")
        engine = _spatialite_engine(f"file:{staged}", _load_spatialite_wgs84)
        try:
            yield engine
            engine.dispose()
            os.replace(staged, self.path)
        finally:
            engine.dispose()
            staged.unlink(missing_ok=True)


class PostgisLocation(StoreLocation):
    """A schema in a PostGIS database; a build goes to a fresh schema that is renamed into place."""

    backend = "postgis"

    def __init__(self, url: str, schema: str) -> None:
        self.url, self.schema = url, schema
        self._engine: Engine | None = None

    def describe(self) -> str:
        url = make_url(self.url)
        return f"PostGIS {url.host or 'localhost'}:{url.port or 5432}/{url.database} schema {self.schema}"

    def _admin(self) -> Engine:
        if self._engine is None:
            self._engine = create_engine(self.url, pool_pre_ping=True)
        return self._engine

    def exists(self) -> bool:
        return self.identity() is not None

    def identity(self) -> object:
        with self._admin().connect() as connection:
            return _schema_exists(connection, self.schema)

    def reader(self) -> Engine:
        if not self.exists():
            raise StoreUnavailable(f"No store in {self.describe()}: build it with `atlas load`.")
        return self._admin().execution_options(schema_translate_map={None: self.schema})

    @contextmanager
    def staging(self) -> Iterator[Engine]:
        admin = self._admin()
        building = f"{self.schema}_building_{secrets.token_hex(4)}"
        retired = f"{self.schema}_retired_{secrets.token_hex(4)}"
        with admin.begin() as connection:
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
            connection.execute(text(f'CREATE SCHEMA "{building}"'))
        try:
            yield admin.execution_options(schema_translate_map={None: building})
            with admin.begin() as connection:
                # One transaction: readers see the old schema or the new one, never neither; the
                # advisory lock keeps two concurrent loads from interleaving their swaps.
                connection.execute(text("SELECT pg_advisory_xact_lock(hashtext(:schema))"), {"schema": self.schema})
                if _schema_exists(connection, self.schema):
                    connection.execute(text(f'ALTER SCHEMA "{self.schema}" RENAME TO "{retired}"'))
                connection.execute(text(f'ALTER SCHEMA "{building}" RENAME TO "{self.schema}"'))
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{retired}" CASCADE'))
        finally:
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{building}" CASCADE'))


def _schema_exists(connection: Connection, schema: str) -> int | None:
    """The schema's oid, or None; a renamed-in schema has a new oid, so this also identifies a build."""
    return connection.execute(text("SELECT oid FROM pg_namespace WHERE nspname = :schema"), {"schema": schema}).scalar()


def store_location(settings: Settings) -> StoreLocation:
    """The configured store: PostGIS when ``ATLAS_DATABASE_URL`` is set, else the SpatiaLite file."""
    if settings.database_url:
        if not settings.database_url.startswith("postgresql"):
            raise StoreUnavailable(
                f"ATLAS_DATABASE_URL must be a postgresql+psycopg:// URL, not {settings.database_url!r}."
            )
        return PostgisLocation(settings.database_url, settings.database_schema)
    return SpatialiteLocation(settings.store_path)


def _load_spatialite_wgs84(dbapi_connection: object, *args: object) -> None:
    # Only the WGS 84 family of SRIDs: the full EPSG table takes seconds to load and is not needed.
    load_spatialite(dbapi_connection, init_mode="WGS84")


def _spatialite_engine(uri: str, on_connect: object) -> Engine:
    engine = create_engine(
        "sqlite://",
        module=sqlean.dbapi2,
        creator=lambda: sqlean.dbapi2.connect(uri, uri=True, check_same_thread=False),
        # Explicit: for a bare sqlite:// URL SQLAlchemy assumes :memory: and picks SingletonThreadPool,
        # whose dispose() (on a swap) closes connections other threads are still reading from.
        poolclass=QueuePool,
        pool_size=8,
    )
    event.listen(engine, "connect", on_connect)
    return engine
