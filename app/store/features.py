"""Feature queries: a page of a collection's features, or one feature, as GeoJSON assembled from what
the database serves (GeoJSON geometry and property JSON, both written at load), on any backend."""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Float, Integer, LargeBinary, Select, bindparam, func, select, type_coerce

from app.query import NO_FILTERS, BBox, Filters, is_plausible_id
from app.store import ready_geojson
from app.store.collections import COLLECTIONS, Collection
from app.store.conditions import conditions
from app.store.dialect import Dialect
from app.store.published import NotFound, StoreReader
from app.store.ready_geojson import COORDINATE_DECIMALS as COORDINATE_DECIMALS  # files and browse use it


@dataclass(frozen=True)
class FeaturePage:
    """A page of features as ready GeoJSON Feature texts, and how many match in all."""

    number_matched: int
    features: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FeatureRecords:
    """Matching features as columns, for tables and files: ids, WKB geometries, property JSON texts."""

    ids: list[str]
    geometries: list[bytes | None]
    properties: list[str]


def collection(collection_id: str) -> Collection:
    """The collection with this id, or :class:`NotFound`."""
    try:
        return COLLECTIONS[collection_id]
    except KeyError:
        raise NotFound(f"No collection {collection_id!r}; collections: {', '.join(COLLECTIONS)}.") from None


def feature_json(identifier: object, geometry: str | None, properties: str) -> str:
    """One GeoJSON Feature from its parts, without parsing them again. Ids are strings (adcodes too):
    clients build item URLs from them, and some read numbers back as floats."""
    head = f'{{"type":"Feature","id":{json.dumps(str(identifier))},'
    return f'{head}"geometry":{geometry or "null"},"properties":{properties}}}'


def _geojson(target: Collection) -> ColumnElement[str]:
    # Written at load by the same ST_AsGeoJSON with the same decimals (app.store.ready_geojson): a page
    # concatenates stored text instead of serialising outlines per request.
    return ready_geojson.column(target.table, target.geometry)


def _matching(
    target: Collection, geometry: ColumnElement[Any], where: Sequence[ColumnElement[bool]]
) -> Select[tuple[Any, Any, Any]]:
    """The features of ``target`` that match ``where``, in published order: id, ``geometry`` (an encoding of
    the geometry column) and property JSON. Pages and files differ only in that encoding."""
    table = target.table
    return select(table.c[target.id_column], geometry, table.c.properties).where(*where).order_by(table.c.position)


def items(
    store: StoreReader,
    target: Collection,
    filters: Filters = NO_FILTERS,
    boxes: Sequence[BBox] | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> FeaturePage:
    """A page of ``target``'s features in their published order, and the number that match."""
    if filters == NO_FILTERS and limit is not None:
        # A bbox (or no condition) only, as GIS clients ask while panning: statements built once.
        count, page = _prepared(store.dialect, target, len(boxes or ()))
        values: dict[str, float] = {}
        for number, box in enumerate(boxes or ()):
            values |= {f"{side}{number}": value for side, value in zip("wsen", box, strict=True)}
        return _page(store, count, page, values, {"page_limit": limit, "page_offset": offset})
    count, page = _statements(target, conditions(store.dialect, target, filters, boxes))
    return _page(store, count, page.offset(offset).limit(limit), {}, {})


def _statements(target: Collection, where: Sequence[ColumnElement[bool]]) -> tuple[Select[Any], Select[Any]]:
    """The count of ``target``'s features matching ``where``, and their page whose fourth column is the
    number matched (a window count)."""
    count = select(func.count()).select_from(target.table).where(*where)
    return count, _matching(target, _geojson(target), where).add_columns(func.count().over())


def _page(
    store: StoreReader, count: Select[Any], page: Select[Any], values: dict[str, Any], page_values: dict[str, Any]
) -> FeaturePage:
    """Run ``page`` (with ``values`` and ``page_values``); the number matched comes with its rows — one round
    trip, not two — and from ``count`` (with ``values``) only when the page is empty (no match, or an offset
    past the end)."""
    with store.engine().connect() as connection:
        rows = connection.execute(page, values | page_values).all()
        matched = rows[0][3] if rows else connection.execute(count, values).scalar_one()
    return FeaturePage(matched, [feature_json(*row[:3]) for row in rows])


@functools.cache
def _prepared(dialect: Dialect, target: Collection, boxes: int) -> tuple[Select[Any], Select[Any]]:
    """:func:`_statements` for ``target`` within ``boxes`` boxes and no other filter, with bound parameters
    ``w0, s0, e0, n0, …``, ``page_limit`` and ``page_offset``. Building and hashing a statement cost more
    than running it on a fresh bbox page (issue 14's profile): built once per shape, SQLAlchemy then also
    finds its compiled form in its cache at once. A handful of shapes exist (collections × 1–2 boxes)."""
    sides = [tuple(bindparam(f"{side}{number}", type_=Float) for side in "wsen") for number in range(boxes)]
    count, page = _statements(target, conditions(dialect, target, NO_FILTERS, sides))  # type: ignore[arg-type]
    return count, page.offset(bindparam("page_offset", type_=Integer)).limit(bindparam("page_limit", type_=Integer))


def records(
    store: StoreReader, target: Collection, filters: Filters = NO_FILTERS, boxes: Sequence[BBox] | None = None
) -> FeatureRecords:
    """Every feature of ``target`` that matches, in published order, with binary geometries: a file writer
    decodes WKB in GEOS without the GIL, where GeoJSON texts would be parsed point by point in Python."""
    wkb = type_coerce(func.ST_AsBinary(target.table.c[target.geometry]), LargeBinary)
    query = _matching(target, wkb, conditions(store.dialect, target, filters, boxes))
    with store.engine().connect() as connection:
        rows = connection.execute(query).all()
    return FeatureRecords(
        [str(row[0]) for row in rows],
        [bytes(row[1]) if row[1] is not None else None for row in rows],
        [row[2] for row in rows],
    )


def property_names(store: StoreReader, target: Collection) -> list[str]:
    """The names of ``target``'s published properties, as one of its features holds them (none when the
    collection is empty): an empty selection keeps its fields in files."""
    query = select(target.table.c.properties).order_by(target.table.c.position).limit(1)
    if (where := target.where()) is not None:
        query = query.where(where)
    with store.engine().connect() as connection:
        text = connection.execute(query).scalar()
    return list(json.loads(text)) if text else []


def item(store: StoreReader, target: Collection, feature_id: str) -> str:
    """One feature of ``target`` as GeoJSON text, or :class:`NotFound`."""
    table = target.table
    key = table.c[target.id_column]
    if not is_plausible_id(feature_id, numeric=key.type.python_type is int):
        raise NotFound(f"No feature {feature_id!r} in {target.id}.")
    value: object = int(feature_id) if key.type.python_type is int else feature_id
    query = select(key, _geojson(target), table.c.properties).where(key == value)
    if (where := target.where()) is not None:
        query = query.where(where)
    with store.engine().connect() as connection:
        row = connection.execute(query).first()
    if row is None:
        raise NotFound(f"No feature {feature_id!r} in {target.id}.")
    return feature_json(*row)
