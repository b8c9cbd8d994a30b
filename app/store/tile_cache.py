"""What the load prepares for SpatiaLite's vector tiles (issue 14): outlines ready to cut, and whole tiles
for the zooms where a layer fits in a few hundred tiles.

Every outline a tile layer draws (each zoom band's column) is projected to Web Mercator and repaired once,
and kept once however many rows share it (``tile_shapes``; ``tile_shape_of`` maps a row's column to it):
a tile drawn on request then only cuts, quantises and encodes, with the same functions as before, so its
bytes are unchanged.

SpatiaLite has no ``ST_AsMVT``: a tile drawn on request costs clipping and encoding in Python (about 80 %
of its time, ``bench/results/2026-12-06-tiles-profile.md``). The data changes only with a load, so the load
draws every tile of the low zooms with the very function that draws them on request (:func:`app.store.tiles.draw`),
and keeps them in the store: a request at those zooms is one primary-key lookup, and its bytes are those
the request would have drawn. Memory stays bounded: the tiles live in the store's file, not in the process.

Per layer, zooms are pre-built from 0 up while the layer's extent spans at most :data:`TILE_BUDGET` tiles
(Hubei: zooms 0–10, a few hundred tiles per layer) and its tiles so far weigh less than :data:`BYTES_BUDGET`
(the clusters' heavy tiles stop earlier). ``prebuilt_tile_zooms`` says, per layer, the highest
pre-built zoom, so a tile missing from ``prebuilt_tiles`` at or below it is known to be empty.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import shapely
import sqlean
from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Engine,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    func,
    literal_column,
    select,
)

from app.generalise import BANDS
from app.layers import map_layers
from app.store import mvt
from app.store.dialect import Dialect

TILE_BUDGET = 400  # tiles of one layer at one zoom, at most, for that zoom to be pre-built
# Encoded bytes of one layer: once its zooms so far hold this much, no further zoom is pre-built. It bounds
# the store's growth and the load's time where tiles are heavy (clusters: every footprint at full size).
BYTES_BUDGET = 512 * 1024
mapbox_vector_tile_version = version("mapbox-vector-tile")
_EPSILON = 1e-4  # degrees: the stored extents are rounded to 6 decimals

metadata = MetaData()
prebuilt_tiles = Table(
    "prebuilt_tiles",
    metadata,
    Column("layer", String, primary_key=True),
    Column("z", Integer, primary_key=True),
    Column("x", Integer, primary_key=True),
    Column("y", Integer, primary_key=True),
    Column("data", LargeBinary, nullable=False),
)
tile_shapes = Table(
    "tile_shapes",
    metadata,
    Column("shape", Integer, primary_key=True),
    Column("wkb", LargeBinary, nullable=False),  # Web Mercator, repaired (app.store.mvt.tile_shape)
    Column("dimension", Integer, nullable=False),
)
tile_shape_of = Table(
    "tile_shape_of",
    metadata,
    Column("source", String, primary_key=True),  # "<table>.<geometry column>"
    Column("row_id", Integer, primary_key=True),  # the row's rowid
    Column("shape", Integer, nullable=False),
)
prebuilt_tile_zooms = Table(
    "prebuilt_tile_zooms",
    metadata,
    Column("layer", String, primary_key=True),
    Column("max_zoom", Integer, nullable=False),
    Column("inputs", String, nullable=False),  # digest of what the tiles are made of (_inputs_digest)
)


@dataclass(frozen=True)
class _StagingReader:
    """Just what :func:`app.store.tiles.draw` reads through, on the store being built."""

    dialect: Dialect
    _engine: Engine

    def engine(self) -> Engine:
        return self._engine


def tiles_over(extent: list[float], z: int) -> Iterator[tuple[int, int]]:
    """The x/y of every tile at zoom ``z`` whose box, grown by the tile buffer, meets ``extent`` (degrees)."""
    west, south, east, north = extent
    n = 2**z
    grow = 360 / n * mvt.BUFFER / mvt.EXTENT + _EPSILON

    def column(lon: float) -> int:
        return min(n - 1, max(0, math.floor((lon + 180) / 360 * n)))

    def row(lat: float) -> int:
        lat = max(min(lat, 85.05), -85.05)
        return min(n - 1, max(0, math.floor((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)))

    for x in range(column(west - grow), column(east + grow) + 1):
        for y in range(row(north + grow), row(south - grow) + 1):
            yield x, y


def prebuilt_zoom(extent: list[float]) -> int:
    """The highest zoom at which ``extent`` spans at most :data:`TILE_BUDGET` tiles (-1: none)."""
    z = -1
    while z < 18 and sum(1 for _ in tiles_over(extent, z + 1)) <= TILE_BUDGET:
        z += 1
    return z


def source(table: Table, column: ColumnElement[Any]) -> str:
    """How ``tile_shape_of`` names a geometry column of a table."""
    return f"{table.name}.{column.name}"


def tile_columns() -> dict[str, tuple[Table, ColumnElement[Any]]]:
    """Every geometry column a tile layer draws at some zoom, by :func:`source` name."""
    from app.store.map_layers import display_geometry, drawn_collection  # here: map_layers reaches tiles

    columns = {}
    for layer in map_layers():
        target = drawn_collection(layer.id, "tile layer")
        for z in band_zooms():
            column = display_geometry(target, z)
            columns[source(target.table, column)] = (target.table, column)
    return columns


def prepare_shapes(engine: Engine, progress: Callable[[str], None]) -> int:
    """Fill ``tile_shapes``/``tile_shape_of`` from the store being built; the number of distinct shapes."""
    metadata.create_all(engine)
    keys: dict[bytes, int] = {}  # an outline's WKB in degrees: its shape (rows often share one)
    shapes, refs = [], []
    with engine.begin() as connection:
        for name, (table, column) in tile_columns().items():
            rowid = literal_column(f"{table.name}.rowid")
            query = select(rowid, func.ST_AsBinary(column)).where(column.is_not(None)).order_by(rowid)
            for row_id, wkb in connection.execute(query):
                wkb = bytes(wkb)
                if wkb not in keys:
                    if (ready := mvt.tile_shape(wkb, f"{name} row {row_id}")) is None:
                        continue
                    keys[wkb] = len(keys) + 1
                    shapes.append({"shape": keys[wkb], "wkb": ready.wkb, "dimension": ready.dimension})
                refs.append({"source": name, "row_id": row_id, "shape": keys[wkb]})
        connection.execute(tile_shapes.insert(), shapes)
        connection.execute(tile_shape_of.insert(), refs)
    progress(f"  outlines ready for tiles: {len(shapes)} shapes for {len(refs)} rows")
    return len(shapes)


def prebuild(
    engine: Engine,
    dialect: Dialect,
    extents: dict[str, list[float]],
    progress: Callable[[str], None],
    previous: Path | None = None,
) -> dict[str, int]:
    """Draw and store the low zooms' tiles of every tile layer in the store being built; the count per layer.
    A layer whose tiles' inputs are those of the ``previous`` build (a SpatiaLite file) takes its tiles
    from there: a catalogue edit redraws the entity layers only, and a reload of the same data none."""
    from app.store.tiles import draw  # here: tiles imports this module

    reader: Any = _StagingReader(dialect, engine)
    with engine.connect() as connection:
        shapes = dict(connection.execute(select(tile_shapes.c.shape, tile_shapes.c.wkb)).all())
    counts: dict[str, int] = {}
    for layer in (layer.id for layer in map_layers()):
        digest = _inputs_digest(engine, dialect, layer, extents[layer], shapes)
        if (kept := _previous_tiles(previous, layer, digest)) is not None:
            max_zoom, rows = kept
            how = "kept from the previous build"
        else:
            max_zoom, rows = _draw_layer(draw, reader, layer, extents[layer])
            how = "drawn"
        with engine.begin() as connection:
            if rows:
                connection.execute(prebuilt_tiles.insert(), rows)
            connection.execute(prebuilt_tile_zooms.insert(), [{"layer": layer, "max_zoom": max_zoom, "inputs": digest}])
        counts[layer] = len(rows)
        size = sum(len(row["data"]) for row in rows)
        progress(f"  pre-built tiles of {layer}: zooms 0–{max_zoom}, {len(rows)} tiles, {size / 1e6:.1f} MB, {how}")
    return counts


def _draw_layer(
    draw: Callable[..., bytes], reader: Any, layer: str, extent: list[float]
) -> tuple[int, list[dict[str, Any]]]:
    """The highest pre-built zoom of ``layer`` and its tiles, drawn now."""
    max_zoom = prebuilt_zoom(extent)
    rows: list[dict[str, Any]] = []
    size = 0
    for z in range(max_zoom + 1):
        for x, y in tiles_over(extent, z):
            if data := draw(reader, layer, z, x, y):
                rows.append({"layer": layer, "z": z, "x": x, "y": y, "data": data})
                size += len(data)
        if size >= BYTES_BUDGET:
            return z, rows  # this zoom is whole; the next ones are drawn on request
    return max_zoom, rows


def _inputs_digest(engine: Engine, dialect: Dialect, layer: str, extent: list[float], shapes: dict[int, bytes]) -> str:
    """A digest of everything ``layer``'s pre-built tiles are made of: the rows (outlines, from ``shapes``,
    and properties, in order) that the tile statement of each zoom band reads for the whole world, the
    layer's extent and the code that draws tiles. Equal digests make equal tiles."""
    from app.store.tiles import statement_for  # here: tiles imports this module

    digest = hashlib.sha256(_code_fingerprint())
    digest.update(json.dumps([layer, extent]).encode())
    world = dict(zip("wsen", (-180.0, -90.0, 180.0, 90.0), strict=True))
    with engine.connect() as connection:
        for z in band_zooms():
            rows = connection.execute(statement_for(dialect, layer, z), world).all()
            for key, *values in rows:
                digest.update(bytes(shapes[key]))
                digest.update(json.dumps(values, default=str).encode())
    return digest.hexdigest()


def band_zooms() -> list[int]:
    """One zoom of each zoom band and one past them: between them they reach every column tiles draw."""
    return sorted({band.max_zoom for band in BANDS} | {BANDS[-1].max_zoom + 1})


@functools.cache
def _code_fingerprint() -> bytes:
    """The source of the modules that draw tiles and the versions of the libraries they draw with."""
    digest = hashlib.sha256()
    for module in ("mvt", "tiles", "tile_cache", "spatialite", "map_layers"):
        digest.update((Path(__file__).parent / f"{module}.py").read_bytes())
    digest.update(f"{mapbox_vector_tile_version} {shapely.__version__} {shapely.geos_version_string}".encode())
    return digest.digest()


def _previous_tiles(previous: Path | None, layer: str, digest: str) -> tuple[int, list[dict[str, Any]]] | None:
    """``layer``'s pre-built zooms and tiles in the ``previous`` build if its inputs had ``digest``; else None
    (no previous build, another digest, a build without these tables, or one removed while being read)."""
    if previous is None or not previous.is_file():
        return None
    try:
        with closing(sqlean.dbapi2.connect(f"file:{previous}?mode=ro", uri=True)) as connection:
            found = connection.execute(
                "SELECT max_zoom FROM prebuilt_tile_zooms WHERE layer = ? AND inputs = ?", (layer, digest)
            ).fetchone()
            if found is None:
                return None
            tiles = connection.execute("SELECT z, x, y, data FROM prebuilt_tiles WHERE layer = ?", (layer,))
            rows = [{"layer": layer, "z": z, "x": x, "y": y, "data": bytes(data)} for z, x, y, data in tiles]
    except sqlean.dbapi2.Error:
        return None
    return found[0], rows


def lookup(connection: Connection, layer: str, z: int, x: int, y: int) -> bytes | None:
    """The pre-built tile z/x/y of ``layer`` (empty bytes: known empty), or None where it was not pre-built."""
    row = connection.exec_driver_sql(
        # One statement: the layer's highest pre-built zoom and the tile, if stored.
        "SELECT (SELECT max_zoom FROM prebuilt_tile_zooms WHERE layer = ?),"
        " (SELECT data FROM prebuilt_tiles WHERE layer = ? AND z = ? AND x = ? AND y = ?)",
        (layer, layer, z, x, y),
    ).one()
    max_zoom, data = row
    if max_zoom is None or z > max_zoom:
        return None
    return bytes(data) if data is not None else b""
