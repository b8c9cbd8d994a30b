"""The SpatiaLite backend (the default): a store is a file, read through SQLite with mod_spatialite.

Each build is written as ``.atlas.sqlite.store-<token>`` beside the configured path, then hard-linked
over ``atlas.sqlite`` with one ``os.replace`` (atomic on POSIX). Readers open the build's own file,
read-only and immutable. Spatial filters join SpatiaLite's R*Tree index explicitly (its planner does
not), and vector tiles are encoded in Python (``app.store.mvt``): SpatiaLite has no ``ST_AsMVT``.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import sqlean
from geoalchemy2.admin.dialects.sqlite import load_spatialite, load_spatialite_driver
from sqlalchemy import (
    ColumnElement,
    Engine,
    Float,
    Select,
    Table,
    and_,
    bindparam,
    create_engine,
    event,
    func,
    literal_column,
    select,
)
from sqlalchemy.pool import QueuePool

from app.runtime import prepare
from app.store import mvt, tile_cache
from app.store.dialect import BBox, Dialect, TileRequest
from app.store.location import RETAIN_SECONDS, PublishedBuild, StoreLocation, StoreUnavailable


class SpatialiteDialect(Dialect):
    """SpatiaLite's SQL: the R*Tree probe, and tiles drawn in Python."""

    def intersects(self, table: Table, indexed: ColumnElement[Any], geometry: ColumnElement[Any], box: BBox) -> Any:
        west, south, east, north = box
        rtree = sa.table(
            f"idx_{table.name}_{indexed.name}", *(sa.column(name) for name in ("pkid", "xmin", "xmax", "ymin", "ymax"))
        )
        candidates = select(rtree.c.pkid).where(
            rtree.c.xmin <= east, rtree.c.xmax >= west, rtree.c.ymin <= north, rtree.c.ymax >= south
        )
        rowid = literal_column(f"{table.name}.rowid")
        envelope = func.BuildMbr(west, south, east, north, 4326)
        return and_(rowid.in_(candidates), func.ST_Intersects(geometry, envelope) == 1)

    def tile_statement(self, request: TileRequest) -> Select[Any]:
        # The box is the tile's, in degrees, grown by the tile buffer (bound as w, s, e, n by tile()).
        box: Any = tuple(bindparam(side, type_=Float) for side in "wsen")
        condition = self.intersects(request.table, request.indexed, request.geometry, box)
        # Each row's outline as the load prepared it (tile_cache): projected, repaired, shared between rows.
        shape_of = tile_cache.tile_shape_of
        rowid = literal_column(f"{request.table.name}.rowid")
        joined = request.table.join(
            shape_of,
            and_(shape_of.c.source == tile_cache.source(request.table, request.geometry), shape_of.c.row_id == rowid),
        )
        return (
            select(shape_of.c.shape, *request.properties)
            .select_from(joined)
            .where(*request.where, condition)
            .order_by(rowid)
        )

    def tile(self, engine: Engine, layer: str, statement: Select[Any], z: int, x: int, y: int) -> bytes:
        box = mvt.lonlat_bounds(z, x, y, margin=mvt.BUFFER / mvt.EXTENT)
        with engine.connect() as connection:
            rows = connection.execute(statement, dict(zip("wsen", box, strict=True))).all()
            found = connection.execute(_SHAPES, {"keys": list({row[0] for row in rows})})
            ready = {key: mvt.TileShape(bytes(wkb), dimension) for key, wkb, dimension in found}
        names = [column.name for column in statement.selected_columns][1:]
        return mvt.encode_rows(layer, names, rows, ready, z, x, y)


_SHAPES = select(tile_cache.tile_shapes).where(tile_cache.tile_shapes.c.shape.in_(bindparam("keys", expanding=True)))


class SpatialiteLocation(StoreLocation):
    """A SpatiaLite file; each build is a uniquely named file hard-linked over the configured path."""

    backend = "spatialite"
    dialect = SpatialiteDialect()

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

    def release(self, engine: Engine) -> None:
        engine.dispose()  # each build's engine has a pool of its own

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


def _inode(path: Path) -> int | None:
    try:
        return path.stat().st_ino
    except FileNotFoundError:
        return None


def _load_spatialite_wgs84(dbapi_connection: object, *args: object) -> None:
    # Only the WGS 84 family of SRIDs: the full EPSG table takes seconds to load and is not needed.
    load_spatialite(dbapi_connection, init_mode="WGS84")


def _spatialite_engine(uri: str, on_connect: object) -> Engine:
    prepare()  # normally done at start-up already; a process that forgot must not segfault later
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
