"""Ready GeoJSON geometry text, written once at load: OGC item pages then concatenate stored text.

Serialising full-resolution outlines per request (``ST_AsGeoJSON``) was the largest single cost of a fresh
``/ogc/collections/…/items?bbox=…`` page on SpatiaLite, and the database's on PostGIS (issue 14; measured in
``bench/results/2026-12-06-fresh-items-profile.md``). The data changes only with a load, so the load writes
each geometry's GeoJSON beside it, made by the same database function with the same decimals as the
per-request query made it: the bytes served are unchanged (``tests/test_fresh_answers_unchanged.py``).
The page's layers (``/api/map/…``) draw the zoom bands' generalised outlines: theirs are written too, with
the band's decimals.
"""

from __future__ import annotations

from sqlalchemy import Column, Connection, Table, func

from app.generalise import BANDS, FULL_DECIMALS
from app.store import schema

# GeoJSON coordinates keep 6 decimals (~0.1 m): the boundary data has no more.
COORDINATE_DECIMALS = FULL_DECIMALS
SUFFIX = "_geojson"
# (table, geometry column, decimals) whose GeoJSON is served: full outlines (OGC items, the page past the
# bands) and each band's generalised ones (the page's layers).
SERVED = (
    (schema.admin_units, "geom", COORDINATE_DECIMALS),
    (schema.entities, "footprint", COORDINATE_DECIMALS),
    (schema.entities, "route", COORDINATE_DECIMALS),
    *(
        (table, f"{geometry}_{band.name}", band.decimals)
        for table, geometry in ((schema.admin_units, "geom"), (schema.entities, "footprint"))
        for band in BANDS
    ),
)


def column(table: Table, geometry: str) -> Column[str]:
    """The column holding ``geometry``'s ready GeoJSON text (NULL where the geometry is NULL)."""
    return table.c[geometry + SUFFIX]


def fill(connection: Connection) -> None:
    """Write the ready GeoJSON of every served geometry column, in the database (same function as a query)."""
    for table, geometry, decimals in SERVED:
        source = table.c[geometry]
        connection.execute(table.update().values({geometry + SUFFIX: func.ST_AsGeoJSON(source, decimals)}))
