"""Mapbox vector tiles of the map layers: ``ST_AsMVT`` in PostGIS, ``mapbox-vector-tile`` over
SpatiaLite. Both use the generalised outlines of the tile's zoom band and the spatial index."""

from __future__ import annotations

import logging
import math
from typing import Any

import mapbox_vector_tile
import numpy as np
import shapely
from pyproj import Transformer
from sqlalchemy import func, literal_column, select

from app.store.collections import COLLECTIONS
from app.store.features import bbox_condition
from app.store.map_layers import MAP_LAYERS, display_geometry
from app.store.store import InvalidParameter, NotFound, StoreReader

log = logging.getLogger("atlas.tiles")
EXTENT = 4096
BUFFER = 64  # in tile units: shapes run on past the edge so that neighbouring tiles join cleanly
MAX_ZOOM = 18
WEB_MERCATOR_HALF = 20037508.342789244
_TO_MERCATOR = Transformer.from_crs(4326, 3857, always_xy=True)
_PROPERTIES = {
    "admin_units": ("adcode", "name_zh", "name_en", "level"),
    "entities": ("id", "name_zh", "name_en", "kind", "status"),
}


def check_tile(z: int, x: int, y: int) -> None:
    """Raise :class:`InvalidParameter` unless z/x/y name a tile of the Web Mercator grid."""
    if not 0 <= z <= MAX_ZOOM:
        raise InvalidParameter("z", f"zoom must be 0–{MAX_ZOOM}")
    for name, value in (("x", x), ("y", y)):
        if not 0 <= value < 2**z:
            raise InvalidParameter(name, f"must be 0–{2**z - 1} at zoom {z}")


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


def tile(store: StoreReader, layer: str, z: int, x: int, y: int) -> bytes:
    """One tile of ``layer`` (one MVT layer of that name); empty bytes where the layer has nothing."""
    if layer not in MAP_LAYERS:
        raise NotFound(f"No tile layer {layer!r}; layers: {', '.join(MAP_LAYERS)}.")
    check_tile(z, x, y)
    target = COLLECTIONS[layer]
    geometry, _decimals = display_geometry(target, z)  # MVT quantises coordinates itself
    properties = [target.table.c[name] for name in _PROPERTIES[target.table.name]]
    where = [geometry.is_not(None)]
    if (collection_where := target.where()) is not None:
        where.append(collection_where)
    if store.backend == "postgis":
        indexed = target.table.c[target.geometry]  # the GiST index is on the full geometry
        where.append(indexed.op("&&")(func.ST_Transform(func.ST_TileEnvelope(z, x, y), 4326)))
        return _postgis_tile(store, layer, geometry, properties, where, z, x, y)
    return _python_tile(store, layer, target, geometry, properties, where, z, x, y)


def _postgis_tile(store, layer, geometry, properties, where, z, x, y) -> bytes:  # type: ignore[no-untyped-def]
    envelope = func.ST_TileEnvelope(z, x, y)
    shapes = (
        select(
            func.ST_AsMVTGeom(func.ST_Transform(geometry, 3857), envelope, EXTENT, BUFFER, True).label("geom"),
            *properties,
        )
        .where(*where)
        .subquery("shapes")
    )
    query = select(func.ST_AsMVT(literal_column("shapes"), layer, EXTENT, "geom")).select_from(shapes)
    with store.engine().connect() as connection:
        data = connection.execute(query).scalar()
    return bytes(data or b"")


def _python_tile(store, layer, target, geometry, properties, where, z, x, y) -> bytes:  # type: ignore[no-untyped-def]
    boxes = [lonlat_bounds(z, x, y, margin=BUFFER / EXTENT)]
    query = select(func.ST_AsBinary(geometry), *properties).where(
        *where, bbox_condition(store, target, boxes, geometry)
    )
    with store.engine().connect() as connection:
        rows = connection.execute(query).all()
    bounds = mercator_bounds(z, x, y)
    grow = (bounds[2] - bounds[0]) * BUFFER / EXTENT
    clip = shapely.box(bounds[0] - grow, bounds[1] - grow, bounds[2] + grow, bounds[3] + grow)
    names = [column.name for column in properties]
    features = []
    for row in rows:
        values = dict(zip(names, row[1:], strict=True))
        clipped = _clipped(bytes(row[0]), clip, f"{layer} {values}")
        if clipped is not None and not clipped.is_empty:
            features.append({"geometry": clipped, "properties": values})
    if not features:
        return b""
    return _encode(layer, features, {"quantize_bounds": bounds, "extents": EXTENT})


def _clipped(wkb: bytes, clip: shapely.Geometry, what: str) -> shapely.Geometry | None:
    """The shape in Web Mercator cut to ``clip``, repaired first if it is invalid (a self-intersecting ring
    makes GEOS's overlay fail with a TopologyException); None, logged, if it cannot be cut even so: one
    broken outline costs its feature, never the tile."""
    try:
        shape = shapely.transform(
            shapely.from_wkb(wkb), lambda xy: np.column_stack(_TO_MERCATOR.transform(xy[:, 0], xy[:, 1]))
        )
        dimension = shapely.get_dimensions(shape)
        if not shape.is_valid:
            # "structure" keeps a polygon a polygon (no stray lines) and drops collapsed parts.
            shape = shapely.make_valid(shape, method="structure", keep_collapsed=False)
        try:
            clipped = shapely.intersection(shape, clip)
        except shapely.errors.GEOSException:
            clipped = shapely.intersection(shapely.make_valid(shape), clip)  # the other repair, once
        return _of_dimension(clipped, dimension)
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
        return mapbox_vector_tile.encode([{"name": layer, "features": features}], default_options=options)
    except Exception:  # whatever the encoder trips on, the fallback below finds the feature(s)
        kept = []
        for feature in features:
            try:
                mapbox_vector_tile.encode([{"name": layer, "features": [feature]}], default_options=options)
            except Exception as exc:
                log.warning("left out of a tile, cannot encode: %s %s (%s)", layer, feature["properties"], exc)
            else:
                kept.append(feature)
        if not kept:
            return b""
        return mapbox_vector_tile.encode([{"name": layer, "features": kept}], default_options=options)


def tilejson(store: StoreReader, layer: str, public_url: str) -> dict[str, Any]:
    """TileJSON 3.0.0 describing ``layer``'s tiles at the atlas's public address (``ATLAS_PUBLIC_URL``,
    never an address taken from the request)."""
    if layer not in MAP_LAYERS:
        raise NotFound(f"No tile layer {layer!r}; layers: {', '.join(MAP_LAYERS)}.")
    target = COLLECTIONS[layer]
    west, south, east, north = store.info().extents[layer]
    fields = {name: "String" for name in _PROPERTIES[target.table.name]}
    return {
        "tilejson": "3.0.0",
        "name": target.title,
        "description": target.description,
        "attribution": "边界：天地图标准地图 Boundaries: Tianditu standard map",
        "tiles": [f"{public_url}/tiles/{layer}/{{z}}/{{x}}/{{y}}.mvt"],
        "minzoom": 0,
        "maxzoom": MAX_ZOOM,
        "bounds": [west, south, east, north],
        "center": [round((west + east) / 2, 4), round((south + north) / 2, 4), 7],
        "vector_layers": [{"id": layer, "fields": fields, "minzoom": 0, "maxzoom": MAX_ZOOM}],
    }
