"""Where the store lives, how a new build is published atomically, and how a reader pins one build.

Everything else (schema, load, queries) is one code path for both backends; only this module knows
that a SpatiaLite store is a file and a PostGIS store a schema. Either way every build keeps a unique,
immutable name, and publishing only moves a pointer to it:

- SpatiaLite: the build is written as ``.atlas.sqlite.store-<token>`` beside the configured path, then
  hard-linked over ``atlas.sqlite`` with one ``os.replace`` (atomic on POSIX);
- PostGIS: the build is a schema ``<schema>_store_<token>``; the table ``<schema>.current_store`` names
  the published one and is updated in one short transaction.

A reader resolves the pointer once and binds its engine to the build's unique name, so every query it
makes reads that build even while a newer one is published: one request, one store version. Builds
other than the current and the previous one are removed after each publish; removal never waits on
readers: a superseded build is kept for :data:`RETAIN_SECONDS` (requests reading it finish), and a
PostGIS build still locked by a reader after that is left for the next load.
"""

from __future__ import annotations

import logging
import os
import secrets
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyogrio
import sqlean
from geoalchemy2.admin.dialects.sqlite import load_spatialite, load_spatialite_driver
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import QueuePool

from app.errors import StoreUnavailable  # raised here; importable from here as before
from app.settings import Settings

log = logging.getLogger("atlas.store")

# GeoAlchemy2 loads SpatiaLite from this path; Debian's libsqlite3-mod-spatialite puts it on the
# loader's search path under this name.
os.environ.setdefault("SPATIALITE_LIBRARY_PATH", "mod_spatialite")
# pyogrio's bundled GDAL carries (and exports) its own SQLite. If GDAL registers its drivers after
# mod_spatialite has pulled the system libsqlite3 into the process, writing a GeoPackage segfaults;
# registering them first keeps each library bound to its own SQLite.
pyogrio.list_drivers()

# A superseded build is kept this long: readers move to the new one within a second, and a request
# still reading the old one finishes on it.
RETAIN_SECONDS = 120
# Dropping an old PostGIS build waits at most this long for a table lock, well under PostgreSQL's
# deadlock_timeout (1 s): a reader still on that build keeps its lock, and the drop gives way.
DROP_LOCK_TIMEOUT = "200ms"


@dataclass(frozen=True)
class PublishedBuild:
    """One published build: its unique name (file or schema) and an engine bound to it."""

    name: str
    engine: Engine


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
    def published(self) -> PublishedBuild:
        """The published build, with an engine bound to it alone; :class:`StoreUnavailable` if none."""

    @abstractmethod
    def identity(self) -> object:
        """Changes whenever a new store is published (lets readers notice a swap); cheap to ask."""

    @contextmanager
    @abstractmethod
    def staging(self) -> Iterator[Engine]:
        """An engine on an empty, private build location; published if the block succeeds, else dropped."""

    def close(self) -> None:  # noqa: B027  (a file needs nothing released; PostGIS overrides it)
        """Release what the location itself holds (connections for its own checks)."""


class SpatialiteLocation(StoreLocation):
    """A SpatiaLite file; each build is a uniquely named file hard-linked over the configured path."""

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

    def _builds(self) -> list[Path]:
        return sorted(self.path.parent.glob(f".{self.path.name}.store-*"))

    def published(self) -> PublishedBuild:
        try:
            inode = self.path.stat().st_ino
        except FileNotFoundError:
            raise StoreUnavailable(f"No store at {self.path}: build it with `atlas load`.") from None
        # The build with the published file's inode is the published one; a store written by hand (or by
        # an older atlas) has none, and is read under its public name.
        pinned = next((build for build in self._builds() if _inode(build) == inode), self.path)
        # Read-only and immutable: the service never writes a store, and a published build never changes.
        engine = _spatialite_engine(f"file:{pinned}?mode=ro&immutable=1", load_spatialite_driver)
        return PublishedBuild(pinned.name, engine)

    @contextmanager
    def staging(self) -> Iterator[Engine]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        token = secrets.token_hex(4)
        staged = self.path.with_name(f".{self.path.name}.building-{token}")
        engine = _spatialite_engine(f"file:{staged}", _load_spatialite_wgs84)
        try:
            yield engine
            engine.dispose()
            build = self.path.with_name(f".{self.path.name}.store-{token}")
            os.replace(staged, build)
            previous = _inode(self.path)
            link = self.path.with_name(f".{self.path.name}.link-{token}")
            os.link(build, link)
            os.replace(link, self.path)
            for superseded in self._builds():
                if _inode(superseded) == previous:
                    os.utime(superseded)  # its mtime now says when it was superseded
            self._remove_old_builds(current=build)
        finally:
            engine.dispose()
            staged.unlink(missing_ok=True)

    def _remove_old_builds(self, current: Path) -> None:
        # Unlinking a file a reader still has open is safe on POSIX: its connections keep reading it.
        cutoff = time.time() - RETAIN_SECONDS
        for build in self._builds():
            try:
                if build != current and build.stat().st_mtime < cutoff:
                    build.unlink()
            except FileNotFoundError:
                pass  # removed by a concurrent load


class PostgisLocation(StoreLocation):
    """A PostGIS database; each build is a schema of its own, named by the pointer table."""

    backend = "postgis"

    def __init__(self, url: str, schema: str) -> None:
        self.url, self.schema = url, schema
        self._engine: Engine | None = None
        self._checks: Engine | None = None

    def describe(self) -> str:
        url = make_url(self.url)
        return f"PostGIS {url.host or 'localhost'}:{url.port or 5432}/{url.database} schema {self.schema}"

    @property
    def _pointer(self) -> str:
        return f'"{self.schema}".current_store'

    @property
    def _retired(self) -> str:
        return f'"{self.schema}".retired_builds'

    def _admin(self) -> Engine:
        if self._engine is None:
            self._engine = create_engine(self.url, pool_pre_ping=True)
        return self._engine

    def exists(self) -> bool:
        return self.identity() is not None

    def identity(self) -> object:
        # A connection of its own: the check never waits for the readers' pool, however busy it is.
        if self._checks is None:
            self._checks = create_engine(self.url, pool_size=1, max_overflow=0, pool_pre_ping=True)
        with self._checks.connect() as connection:
            return _current_schema(connection, self.schema)

    def close(self) -> None:
        for engine in (self._checks, self._engine):
            if engine is not None:
                engine.dispose()
        self._checks = self._engine = None

    def published(self) -> PublishedBuild:
        name = self.identity()
        if name is None:
            raise StoreUnavailable(f"No store in {self.describe()}: build it with `atlas load`.")
        return PublishedBuild(str(name), self._admin().execution_options(schema_translate_map={None: name}))

    @contextmanager
    def staging(self) -> Iterator[Engine]:
        admin = self._admin()
        token = secrets.token_hex(4)
        building = f"{self.schema}_building_{token}"
        build = f"{self.schema}_store_{token}"
        with admin.begin() as connection:
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
            connection.execute(text(f'CREATE SCHEMA "{building}"'))
        try:
            yield admin.execution_options(schema_translate_map={None: building})
            with admin.begin() as connection:
                # One short transaction that takes no lock a reader holds: readers only read the pointer
                # row (MVCC) and never touch the build being renamed. The advisory lock keeps two
                # concurrent loads from interleaving.
                connection.execute(text("SELECT pg_advisory_xact_lock(hashtext(:schema))"), {"schema": self.schema})
                connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"'))
                connection.execute(
                    text(
                        f"CREATE TABLE IF NOT EXISTS {self._pointer} (only_row boolean PRIMARY KEY DEFAULT true "
                        "CHECK (only_row), schema_name text NOT NULL, published_at timestamptz NOT NULL DEFAULT now())"
                    )
                )
                connection.execute(
                    text(
                        f"CREATE TABLE IF NOT EXISTS {self._retired} "
                        "(schema_name text PRIMARY KEY, retired_at timestamptz NOT NULL DEFAULT now())"
                    )
                )
                previous = _current_schema(connection, self.schema)
                if previous is not None:
                    connection.execute(
                        text(f"INSERT INTO {self._retired} (schema_name) VALUES (:name) ON CONFLICT DO NOTHING"),
                        {"name": previous},
                    )
                connection.execute(text(f'ALTER SCHEMA "{building}" RENAME TO "{build}"'))
                connection.execute(
                    text(
                        f"INSERT INTO {self._pointer} (schema_name) VALUES (:name) ON CONFLICT (only_row) "
                        "DO UPDATE SET schema_name = excluded.schema_name, published_at = now()"
                    ),
                    {"name": build},
                )
            self._remove_old_builds()
        finally:
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{building}" CASCADE'))

    def _remove_old_builds(self) -> None:
        """Drop builds superseded more than RETAIN_SECONDS ago, and builds no pointer knows (a crashed
        publish, a pointer dropped by hand); each drop gives way to readers instead of waiting."""
        with self._admin().connect() as connection:
            # The same lock as publishing: the lists below cannot miss a build being published meanwhile.
            connection.execute(text("SELECT pg_advisory_lock(hashtext(:schema))"), {"schema": self.schema})
            try:
                builds = (
                    connection.execute(
                        text("SELECT nspname FROM pg_namespace WHERE nspname LIKE :pattern"),
                        {"pattern": self.schema.replace("_", "\\_") + "\\_store\\_%"},
                    )
                    .scalars()
                    .all()
                )
                keep = {_current_schema(connection, self.schema)}
                if connection.execute(text("SELECT to_regclass(:name)"), {"name": self._retired}).scalar():
                    keep |= set(
                        connection.execute(
                            text(
                                f"SELECT schema_name FROM {self._retired} "
                                "WHERE retired_at > now() - make_interval(secs => :seconds)"
                            ),
                            {"seconds": RETAIN_SECONDS},
                        ).scalars()
                    )
                # Tables of a store published by an older atlas (before the pointer table) sit in the
                # pointer's schema itself; nobody reads them now.
                legacy = (
                    connection.execute(
                        text(
                            "SELECT tablename FROM pg_tables WHERE schemaname = :schema "
                            "AND tablename NOT IN ('current_store', 'retired_builds')"
                        ),
                        {"schema": self.schema},
                    )
                    .scalars()
                    .all()
                )
                connection.commit()
                statements = [f'DROP SCHEMA IF EXISTS "{name}" CASCADE' for name in builds if name not in keep]
                statements += [f'DROP TABLE IF EXISTS "{self.schema}"."{table}" CASCADE' for table in legacy]
                for statement in statements:
                    try:
                        connection.execute(text(f"SET LOCAL lock_timeout = '{DROP_LOCK_TIMEOUT}'"))
                        connection.execute(text(statement))
                        connection.commit()
                    except DBAPIError as exc:  # still read by a straggler: the next load removes it
                        connection.rollback()
                        log.info("left for the next load: %s (%s)", statement, exc.orig)
                if connection.execute(text("SELECT to_regclass(:name)"), {"name": self._retired}).scalar():
                    connection.execute(
                        text(f"DELETE FROM {self._retired} WHERE schema_name NOT IN (SELECT nspname FROM pg_namespace)")
                    )
                    connection.commit()
            finally:
                connection.rollback()
                connection.execute(text("SELECT pg_advisory_unlock(hashtext(:schema))"), {"schema": self.schema})
                connection.commit()


def _inode(path: Path) -> int | None:
    try:
        return path.stat().st_ino
    except FileNotFoundError:
        return None


def _current_schema(connection: Connection, schema: str) -> str | None:
    """The schema of the published build, or None when nothing was published (or the pointer is gone)."""
    table = connection.execute(text("SELECT to_regclass(:name)"), {"name": f'"{schema}".current_store'}).scalar()
    if table is None:
        return None
    name = connection.execute(text(f'SELECT schema_name FROM "{schema}".current_store')).scalar()
    if name is None:
        return None
    exists = connection.execute(text("SELECT 1 FROM pg_namespace WHERE nspname = :name"), {"name": name}).scalar()
    return name if exists else None


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
