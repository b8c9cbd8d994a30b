"""Reading the published store: a snapshot per request, renewed when a load publishes a new store."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import DBAPIError, OperationalError

from app.settings import Settings
from app.store import schema
from app.store.location import StoreLocation, StoreUnavailable, store_location

# How often (seconds) a reader checks whether a load has published a new store.
SWAP_CHECK_INTERVAL = 1.0
# An engine on a superseded build is kept this long for requests still reading it, then disposed.
RETIRED_ENGINE_SECONDS = 60.0


class InvalidParameter(ValueError):
    """A request parameter has a value the atlas cannot use; ``name`` is the parameter."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.name, self.message = name, message


class NotFound(LookupError):
    """No such collection, feature, entity or place."""


@dataclass(frozen=True)
class StoreInfo:
    """What the published store holds: its versions and the vocabulary filters accept.

    ``version`` covers everything that shaped the store (data, scope, schema, the code that built it);
    ``data_version`` is the fingerprint of the data directory alone.
    """

    version: str
    data_version: str
    schema_version: str
    loaded_at: str
    scope: str
    extents: dict[str, list[float]]
    sector_ids: frozenset[str]
    adcodes: frozenset[int]
    plan_years: frozenset[int]


@dataclass(frozen=True)
class StoreSnapshot:
    """One published build as a request sees it: every query through it reads that build, and its
    ``info`` describes that build, even if a newer one is published meanwhile."""

    location: StoreLocation
    build: str
    _engine: Engine
    _info: StoreInfo

    @property
    def backend(self) -> str:
        """``spatialite`` or ``postgis``."""
        return self.location.backend

    def engine(self) -> Engine:
        """The engine bound to this build."""
        return self._engine

    def info(self) -> StoreInfo:
        """Metadata of this build."""
        return self._info


class Store:
    """The published store of one backend, shared by the requests of a process."""

    def __init__(self, settings: Settings) -> None:
        self.location: StoreLocation = store_location(settings)
        self._lock = threading.Lock()
        self._current: StoreSnapshot | None = None
        self._retired: list[tuple[float, StoreSnapshot]] = []
        self._identity: object = None
        self._checked = 0.0

    @property
    def backend(self) -> str:
        """``spatialite`` or ``postgis``."""
        return self.location.backend

    def snapshot(self) -> StoreSnapshot:
        """The published build (checking at most once a second whether a load replaced it)."""
        self._refresh()
        assert self._current is not None
        return self._current

    def snapshot_if_fresh(self) -> StoreSnapshot | None:
        """The current snapshot without any I/O when it was checked within the swap interval, else None."""
        current = self._current
        if current is not None and time.monotonic() - self._checked < SWAP_CHECK_INTERVAL:
            return current
        return None

    def engine(self) -> Engine:
        """The engine on the published store (one call: use :meth:`snapshot` for several queries)."""
        return self.snapshot().engine()

    def info(self) -> StoreInfo:
        """Metadata of the published store."""
        return self.snapshot().info()

    def info_if_fresh(self) -> StoreInfo | None:
        """The metadata without any I/O when it was checked within the swap interval, else None."""
        current = self.snapshot_if_fresh()
        return None if current is None else current.info()

    def close(self) -> None:
        """Release connections."""
        with self._lock:
            for _, snapshot in [*self._retired, *([(0.0, self._current)] if self._current else [])]:
                _dispose(snapshot)
            self._current, self._retired, self._identity = None, [], None

    def _refresh(self) -> None:
        now = time.monotonic()
        if self._current is not None and now - self._checked < SWAP_CHECK_INTERVAL:
            return
        with self._lock:
            try:
                identity = self.location.identity()
                if self._current is None or identity != self._identity:
                    published = self.location.published()
                    try:
                        info = _read_info(published.engine)
                    except (OperationalError, DBAPIError):
                        _dispose_engine(self.location, published.engine)
                        raise
                    if self._current is not None:
                        self._retired.append((now, self._current))
                    self._current = StoreSnapshot(self.location, published.name, published.engine, info)
                    self._identity = identity
                self._checked = now
            except (OperationalError, DBAPIError) as exc:
                raise StoreUnavailable(f"The store is unreachable: {exc.orig or exc}") from exc
            finally:
                # Requests still reading a superseded build keep its engine; it goes once they are done.
                while self._retired and now - self._retired[0][0] > RETIRED_ENGINE_SECONDS:
                    _dispose(self._retired.pop(0)[1])


def _dispose(snapshot: StoreSnapshot) -> None:
    _dispose_engine(snapshot.location, snapshot.engine())


def _dispose_engine(location: StoreLocation, engine: Engine) -> None:
    # A PostGIS reader shares the location's pool (it only names another schema): nothing of its own.
    if location.backend == "spatialite":
        engine.dispose()


def _read_info(engine: Engine) -> StoreInfo:
    with engine.connect() as connection:
        meta = dict(connection.execute(select(schema.meta.c.key, schema.meta.c.value)).all())
        sector_ids = connection.execute(select(schema.sectors.c.id)).scalars().all()
        adcodes = connection.execute(select(schema.admin_units.c.adcode)).scalars().all()
        years = connection.execute(select(schema.plans.c.year)).scalars().all()
    return StoreInfo(
        # A store built before versions covered scope and code has only its data version.
        version=meta.get("store_version", meta["data_version"]),
        data_version=meta["data_version"],
        schema_version=meta["schema_version"],
        loaded_at=meta["loaded_at"],
        scope=meta["scope"],
        extents=json.loads(meta["extents"]),
        sector_ids=frozenset(sector_ids),
        adcodes=frozenset(adcodes),
        plan_years=frozenset(years),
    )


def rows_as_dicts(result: Any) -> list[dict[str, Any]]:
    """SQLAlchemy result rows as plain dicts."""
    return [dict(row._mapping) for row in result]
