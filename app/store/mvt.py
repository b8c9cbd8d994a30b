"""Mapbox vector tiles encoded in Python (``mapbox-vector-tile``), for backends without ``ST_AsMVT``.

Outlines are projected to Web Mercator and repaired if invalid once, at load (:func:`tile_shape`); a
tile cuts them (with a buffer, so that neighbouring tiles join cleanly), quantises them to its grid and
encodes them.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from mapbox_vector_tile.encoder import VectorTile
from mapbox_vector_tile.geom_encoder import GeometryEncoder
from mapbox_vector_tile.utils import CMD_LINE_TO, CMD_MOVE_TO, CMD_SEG_END
from pyproj import Transformer

log = logging.getLogger("atlas.tiles")
EXTENT = 4096
BUFFER = 64  # in tile units: shapes run on past the edge so that neighbouring tiles join cleanly
WEB_MERCATOR_HALF = 20037508.342789244
_TO_MERCATOR = Transformer.from_crs(4326, 3857, always_xy=True)


def mercator_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """The tile's box in EPSG:3857 metres."""
    size = 2 * WEB_MERCATOR_HALF / 2**z
    west = -WEB_MERCATOR_HALF + x * size
    north = WEB_MERCATOR_HALF - y * size
    return west, north - size, west + size, north


def lonlat_bounds(z: int, x: int, y: int, margin: float = 0.0) -> tuple[float, float, float, float]:
    """The tile's box in degrees, grown by ``margin`` of its size on every side."""
    n = 2**z

    def lat(row: float) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))

    west, east = x / n * 360 - 180, (x + 1) / n * 360 - 180
    grow = (east - west) * margin
    return west - grow, max(lat(y + 1) - grow, -85.06), east + grow, min(lat(y) + grow, 85.06)


@dataclass(frozen=True)
class TileShape:
    """An outline ready to be cut into tiles: in Web Mercator, repaired if it was invalid (as WKB), and the
    dimension of the outline as drawn (a cut keeps only parts of that dimension)."""

    wkb: bytes
    dimension: int


def tile_shape(wkb: bytes, what: str) -> TileShape | None:
    """``wkb`` (degrees) projected to Web Mercator and repaired if invalid (a self-intersecting ring makes
    GEOS's overlay fail with a TopologyException); None, logged, if it cannot be: one broken outline costs
    its feature, never the tile. The load does this once per outline (:mod:`app.store.tile_cache`)."""
    try:
        shape = shapely.transform(
            shapely.from_wkb(wkb), lambda xy: np.column_stack(_TO_MERCATOR.transform(xy[:, 0], xy[:, 1]))
        )
        dimension = int(shapely.get_dimensions(shape))
        if not shape.is_valid:
            # "structure" keeps a polygon a polygon (no stray lines) and drops collapsed parts.
            shape = shapely.make_valid(shape, method="structure", keep_collapsed=False)
        return TileShape(shapely.to_wkb(shape), dimension)
    except (shapely.errors.ShapelyError, ValueError) as exc:
        log.warning("left out of tiles, its geometry cannot be projected: %s (%s)", what, exc)
        return None


def encode_rows(
    layer: str, names: list[str], rows: Sequence[Sequence[Any]], shapes: Mapping[Any, TileShape], z: int, x: int, y: int
) -> bytes:
    """Tile z/x/y of ``layer`` from rows of (key of the row's shape in ``shapes``, *values named ``names``*)."""
    bounds = mercator_bounds(z, x, y)
    grow = (bounds[2] - bounds[0]) * BUFFER / EXTENT
    clip = shapely.box(bounds[0] - grow, bounds[1] - grow, bounds[2] + grow, bounds[3] + grow)
    features = []
    # Many features share one outline (83 clusters, 21 footprints: a city's clusters are all the city), so
    # each distinct outline is cut and quantised once; the encoder reuses its commands too (_VectorTile).
    on_grid: dict[Any, shapely.Geometry | None] = {}
    for row in rows:
        values = dict(zip(names, row[1:], strict=True))
        key = row[0]
        if key not in on_grid:
            clipped = _clipped(shapes[key], clip, f"{layer} {values}")
            on_grid[key] = None if clipped is None or clipped.is_empty else _quantized(clipped, bounds)
        if (shape := on_grid[key]) is not None:
            features.append({"geometry": shape, "properties": values})
    if not features:
        return b""
    # Quantised above, in one vectorised step: the encoder's own quantize_bounds walks every point in Python.
    return _encode(layer, features, {"extents": EXTENT})


def _quantized(shape: shapely.Geometry, bounds: tuple[float, float, float, float]) -> shapely.Geometry:
    """``shape`` on the tile's grid of EXTENT units, exactly as mapbox-vector-tile's ``quantize_bounds`` does
    it (the same float operations in the same order, rounding half to even like Python's ``round``)."""
    west, south, east, north = bounds
    xfac, yfac = EXTENT / (east - west), EXTENT / (north - south)

    def on_grid(xy: np.ndarray) -> np.ndarray:
        return np.round(np.column_stack((xfac * (xy[:, 0] - west), yfac * (xy[:, 1] - south))))

    return shapely.transform(shape, on_grid)


def _clipped(prepared: TileShape, clip: shapely.Geometry, what: str) -> shapely.Geometry | None:
    """The prepared shape cut to ``clip``; None, logged, if it cannot be cut even after a second repair."""
    try:
        shape = shapely.from_wkb(prepared.wkb)
        try:
            clipped = shapely.intersection(shape, clip)
        except shapely.errors.GEOSException:
            clipped = shapely.intersection(shapely.make_valid(shape), clip)  # the other repair, once
        return _of_dimension(clipped, prepared.dimension)
    except (shapely.errors.ShapelyError, ValueError) as exc:
        log.warning("left out of a tile, its geometry cannot be clipped: %s (%s)", what, exc)
        return None


def _of_dimension(shape: shapely.Geometry, dimension: int) -> shapely.Geometry:
    """Only the parts of ``shape`` of the given dimension: a cut can leave stray lines or points on the
    tile's edge in a geometry collection, which vector tiles cannot carry."""
    if shape.geom_type != "GeometryCollection":
        return shape
    parts = [part for part in shapely.get_parts(shape) if shapely.get_dimensions(part) == dimension]
    if not parts:
        return shapely.GeometryCollection()
    return shapely.union_all(parts) if len(parts) > 1 else parts[0]


def _encode(layer: str, features: list[dict[str, Any]], options: dict[str, Any]) -> bytes:
    """The MVT of ``features``; should the encoder fail on some, the tile is made of the others."""
    try:
        return _tile_bytes(layer, features, options)
    except Exception:  # whatever the encoder trips on, the fallback below finds the feature(s)
        kept = []
        for feature in features:
            try:
                _tile_bytes(layer, [feature], options)
            except Exception as exc:
                log.warning("left out of a tile, cannot encode: %s %s (%s)", layer, feature["properties"], exc)
            else:
                kept.append(feature)
        if not kept:
            return b""
        return _tile_bytes(layer, kept, options)


def _tile_bytes(layer: str, features: list[dict[str, Any]], options: dict[str, Any]) -> bytes:
    tile = _VectorTile(options)
    tile.add_layer(layer, features)
    return tile.tile.SerializeToString()


class _VectorTile(VectorTile):
    """mapbox-vector-tile's encoder with its two per-point Python steps done in C and numpy, the bytes
    unchanged (``tests/test_mvt_encoder.py`` compares them with the library's on every tile of the data
    and on hostile shapes).

    With the options the atlas passes (no ``on_invalid_geometry`` handler), the library's winding step is
    exactly GEOS's ``orient_polygons`` with clockwise exteriors (it rounds coordinates already on the grid,
    then calls it; validity is tested but an invalid shape is kept as it is), and its geometry step writes
    MoveTo/LineTo/ClosePath commands of zig-zag deltas, skipping a point equal to the one before and a
    ring or line left with no segment. Both were about 40 % of a tile drawn on request
    (``bench/results/2026-12-06-tiles-profile.md``).
    """

    def __init__(self, default_options: dict[str, Any]) -> None:
        super().__init__(default_options)
        # Features sharing one shape object (encode_rows) share its orientation and commands. Keyed by id():
        # the shapes stay alive, held by the features and by these dicts, while the tile is encoded.
        self._oriented: dict[int, shapely.Geometry] = {}
        self._geometry_of: dict[int, list[int]] = {}

    def enforce_winding_order(self, shape: shapely.Geometry, n_try: int = 1) -> shapely.Geometry:
        if shape.geom_type not in ("Polygon", "MultiPolygon"):
            return shape
        if (oriented := self._oriented.get(id(shape))) is None:
            # The library orients with sign -1 (y up, the default): clockwise exteriors, counter-clockwise holes.
            oriented = shapely.orient_polygons(shape, exterior_cw=not self.layer_options["y_coord_down"])
            self._oriented[id(shape)] = oriented
        return oriented

    def add_feature(self, feature: dict[str, Any], shape: shapely.Geometry) -> None:
        if shape.geom_type not in _ARCS:  # points: the library's own encoder (no layer has them today)
            super().add_feature(feature, shape)
            return
        if (geometry := self._geometry_of.get(id(shape))) is None:
            geometry = _commands(shape, self.layer_options["extents"], self.layer_options["y_coord_down"])
            self._geometry_of[id(shape)] = geometry
        if not geometry:
            return  # nothing left on the grid: the library leaves such a feature out too
        encoded = self.layer.features.add()
        if isinstance(fid := feature.get("id"), int) and fid >= 0:
            encoded.id = fid
        if (properties := feature.get("properties")) is not None:
            self._handle_attr(self.layer, encoded, properties)
        encoded.type = self._get_feature_type(shape)
        encoded.geometry.extend(geometry)


_ARCS = {"LineString": False, "MultiLineString": False, "Polygon": True, "MultiPolygon": True}
_MOVE_TO_ONE = GeometryEncoder.encode_cmd_length(CMD_MOVE_TO, 1)


def _commands(shape: shapely.Geometry, extent: int, y_down: bool) -> list[int]:
    """The MVT geometry commands of a line or polygon on the tile grid, as mapbox-vector-tile writes them."""
    closed = _ARCS[shape.geom_type]
    if closed:
        polygons = shapely.get_parts(shape)
        arcs = [
            [shapely.get_exterior_ring(p), *shapely.get_interior_ring(p, range(shapely.get_num_interior_rings(p)))]
            for p in polygons
        ]
    else:
        arcs = [[line] for line in shapely.get_parts(shape)]
    out: list[np.ndarray] = []
    cursor = np.zeros(2, dtype=np.int64)
    for rings in arcs:
        for index, ring in enumerate(rings):
            points = np.round(shapely.get_coordinates(ring)).astype(np.int64)
            if closed:
                points = points[:-1]  # the closing point is implied by ClosePath
            if not y_down:
                points[:, 1] = extent - points[:, 1]
            deltas = np.diff(points, axis=0)
            deltas = deltas[(deltas != 0).any(axis=1)]  # a repeated point adds nothing
            if not len(deltas):
                if closed and index == 0:
                    break  # an exterior with no segment: the library drops the polygon, holes and all
                continue
            start = points[0] - cursor
            cursor = points[-1]
            line_to = GeometryEncoder.encode_cmd_length(CMD_LINE_TO, len(deltas))
            head = np.array([_MOVE_TO_ONE, *start, line_to], dtype=np.int64)
            zigzag = _zigzag(deltas.ravel())
            head[1:3] = _zigzag(head[1:3])
            out += [head, zigzag, _CLOSED] if closed else [head, zigzag]
    return np.concatenate(out).tolist() if out else []


_CLOSED = np.array([GeometryEncoder.encode_cmd_length(CMD_SEG_END, 1)], dtype=np.int64)


def _zigzag(values: np.ndarray) -> np.ndarray:
    """MVT's zig-zag encoding of signed integers (as the library's ``zig_zag_encode``, 32-bit)."""
    return (values << 1) ^ (values >> 31)
