"""Feature queries: a page of a collection's features, or one feature, as GeoJSON assembled from what
the database serves (``ST_AsGeoJSON`` and ready property JSON), on any backend."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, LargeBinary, Select, func, select, type_coerce

from app.query import NO_FILTERS, BBox, Filters, is_plausible_id
from app.store.collections import COLLECTIONS, Collection
from app.store.conditions import conditions
from app.store.published import NotFound, StoreReader

# GeoJSON coordinates keep 6 decimals (~0.1 m): the boundary data has no more.
COORDINATE_DECIMALS = 6


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
    return func.ST_AsGeoJSON(target.table.c[target.geometry], COORDINATE_DECIMALS)


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
    where = conditions(store.dialect, target, filters, boxes)
    page = _matching(target, _geojson(target), where).offset(offset).limit(limit)
    with store.engine().connect() as connection:
        matched = connection.execute(select(func.count()).select_from(target.table).where(*where)).scalar_one()
        rows = connection.execute(page).all()
    return FeaturePage(matched, [feature_json(*row) for row in rows])


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
