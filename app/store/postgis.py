"""The PostGIS backend: a store is a schema of a PostgreSQL database with PostGIS.

Each build is a schema ``<schema>_store_<token>``; the one-row table ``<schema>.current_store`` names the
published one and is updated in one short transaction that takes no lock a reader holds. PostGIS plans
its GiST index itself, and draws vector tiles with ``ST_AsMVT``.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Integer,
    Select,
    Table,
    bindparam,
    create_engine,
    func,
    literal_column,
    select,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from app.store import mvt
from app.store.dialect import BBox, Dialect, TileRequest
from app.store.location import RETAIN_SECONDS, PublishedBuild, StoreLocation, StoreUnavailable

log = logging.getLogger("atlas.store")

# Dropping an old build waits at most this long for a table lock, well under PostgreSQL's
# deadlock_timeout (1 s): a reader still on that build keeps its lock, and the drop gives way.
DROP_LOCK_TIMEOUT = "200ms"


class PostgisDialect(Dialect):
    """PostGIS's SQL: ``ST_Intersects`` with an envelope (the planner uses the GiST index), ``ST_AsMVT``."""

    def intersects(self, table: Table, indexed: ColumnElement[Any], geometry: ColumnElement[Any], box: BBox) -> Any:
        return func.ST_Intersects(geometry, func.ST_MakeEnvelope(*box, 4326))

    def tile_statement(self, request: TileRequest) -> Select[Any]:
        envelope = func.ST_TileEnvelope(*(bindparam(name, type_=Integer) for name in "zxy"))
        # The GiST index is on the full geometry: the && probe lets the planner use it.
        near = request.indexed.op("&&")(func.ST_Transform(envelope, 4326))
        shapes = (
            select(
                func.ST_AsMVTGeom(
                    func.ST_Transform(request.geometry, 3857), envelope, mvt.EXTENT, mvt.BUFFER, True
                ).label("geom"),
                *request.properties,
            )
            .where(*request.where, near)
            # ST_AsMVT writes features in the order its rows come: published order, whatever the table's layout.
            .order_by(request.table.c.position)
            .subquery("shapes")
        )
        return select(func.ST_AsMVT(literal_column("shapes"), request.layer, mvt.EXTENT, "geom")).select_from(shapes)

    def tile(self, engine: Engine, layer: str, statement: Select[Any], z: int, x: int, y: int) -> bytes:
        with engine.connect() as connection:
            data = connection.execute(statement, {"z": z, "x": x, "y": y}).scalar()
        return bytes(data or b"")


class PostgisLocation(StoreLocation):
    """A PostGIS database; each build is a schema of its own, named by the pointer table."""

    backend = "postgis"
    dialect = PostgisDialect()

    def __init__(self, url: str, schema: str) -> None:
        self.url, self.schema = url, schema
        self._engine: Engine | None = None
        self._checks: Engine | None = None

    def describe(self) -> str:
        url = make_url(self.url)
        return f"PostGIS {url.host or 'localhost'}:{url.port or 5432}/{url.database} schema {self.schema}"

    @property
    def _pointer(self) -> str:
        return _pointer_table(self.schema)

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

    def writable(self) -> bool:
        # A streaming replica is in recovery: it serves the primary's store and refuses every write.
        with self._admin().connect() as connection:
            return not connection.execute(text("SELECT pg_is_in_recovery()")).scalar()

    def close(self) -> None:
        for engine in (self._checks, self._engine):
            if engine is not None:
                engine.dispose()
        self._checks = self._engine = None

    def release(self, engine: Engine) -> None:
        pass  # a reader shares the location's pool (it only names another schema): nothing of its own

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


def _pointer_table(schema: str) -> str:
    """The one-row table naming the published build, qualified by its schema."""
    return f'"{schema}".current_store'


def _current_schema(connection: Connection, schema: str) -> str | None:
    """The schema of the published build, or None when nothing was published (or the pointer is gone)."""
    pointer = _pointer_table(schema)
    table = connection.execute(text("SELECT to_regclass(:name)"), {"name": pointer}).scalar()
    if table is None:
        return None
    name = connection.execute(text(f"SELECT schema_name FROM {pointer}")).scalar()
    if name is None:
        return None
    exists = connection.execute(text("SELECT 1 FROM pg_namespace WHERE nspname = :name"), {"name": name}).scalar()
    return name if exists else None
