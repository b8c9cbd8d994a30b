"""Reading the published store: a snapshot per request, renewed when a load publishes a new store."""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Engine, select
from sqlalchemy.exc import DBAPIError, OperationalError

# The queries over the store raise these; they live with the atlas's other errors and are importable from here.
from app.errors import InvalidParameter as InvalidParameter
from app.errors import NotFound as NotFound
from app.settings import Settings
from app.store import schema
from app.store.dialect import Dialect
from app.store.location import StoreLocation, StoreUnavailable, store_location

log = logging.getLogger("atlas.store")

# How often (seconds) a reader checks whether a load has published a new store.
SWAP_CHECK_INTERVAL = 1.0
# An engine on a superseded build is kept this long for requests still reading it, then disposed.
RETIRED_ENGINE_SECONDS = 60.0


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
    plan_ids: frozenset[str] = frozenset()


class StoreReader(Protocol):
    """What the queries read through: a :class:`StoreSnapshot` (one build, as requests use) or the
    :class:`Store` itself (its current build, one call at a time)."""

    @property
    def backend(self) -> str:
        """The backend's name, for people (``spatialite`` or ``postgis``)."""
        ...

    @property
    def dialect(self) -> Dialect:
        """What the backend's SQL needs said its own way."""
        ...

    def engine(self) -> Engine:
        """An engine on the store."""
        ...

    def info(self) -> StoreInfo:
        """The store's metadata."""
        ...


class _OnLocation:
    """What a store and its snapshots tell of their location."""

    location: StoreLocation

    @property
    def backend(self) -> str:
        """The backend's name, for people (``spatialite`` or ``postgis``)."""
        return self.location.backend

    @property
    def dialect(self) -> Dialect:
        """What the backend's SQL needs said its own way."""
        return self.location.dialect


@dataclass(frozen=True)
class StoreSnapshot(_OnLocation):
    """One published build as a request sees it: every query through it reads that build, and its
    ``info`` describes that build, even if a newer one is published meanwhile."""

    location: StoreLocation
    build: str
    _engine: Engine
    _info: StoreInfo

    def engine(self) -> Engine:
        """The engine bound to this build."""
        return self._engine

    def info(self) -> StoreInfo:
        """Metadata of this build."""
        return self._info


class Store(_OnLocation):
    """The published store of one backend, shared by the requests of a process."""

    def __init__(self, settings: Settings) -> None:
        self.location: StoreLocation = store_location(settings)
        self._lock = threading.Lock()
        self._current: StoreSnapshot | None = None
        self._retired: list[tuple[float, StoreSnapshot]] = []
        self._identity: object = None
        self._checked = 0.0
        self._watcher: threading.Thread | None = None
        self._stop = threading.Event()
        self._error: Exception | None = None

    def snapshot(self) -> StoreSnapshot:
        """The published build. With a watcher running this does no I/O; otherwise it checks, at most
        once a second, whether a load replaced it. :class:`StoreUnavailable` when there is none."""
        if self._watcher is None:
            self._refresh()
        elif self._error is not None:
            raise StoreUnavailable(str(self._error))
        if self._current is None:
            raise StoreUnavailable("The store has not been read yet; try again shortly.")
        return self._current

    def snapshot_if_fresh(self) -> StoreSnapshot | None:
        """The current snapshot when it is known without I/O (a watcher keeps it, or it was checked within
        the swap interval), else None: the caller then asks :meth:`snapshot` in a thread."""
        current = self._current
        if self._watcher is not None:
            return current if self._error is None else None
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
        """The metadata when it is known without I/O, else None (see :meth:`snapshot_if_fresh`)."""
        current = self.snapshot_if_fresh()
        return None if current is None else current.info()

    def watch(self) -> None:
        """Keep the snapshot current from a thread of its own, so that no request ever waits on the check
        (or, on PostGIS, on a pooled connection for it): requests and health read it from memory."""
        if self._watcher is not None:
            return
        self._stop.clear()
        try:
            self._refresh(force=True)
        except StoreUnavailable as exc:
            self._error = exc
        self._watcher = threading.Thread(target=self._watch, name="atlas-store-watcher", daemon=True)
        self._watcher.start()

    def _watch(self) -> None:
        while not self._stop.wait(SWAP_CHECK_INTERVAL):
            try:
                self._refresh(force=True)
                self._error = None
            except StoreUnavailable as exc:
                self._error = exc
            except Exception as exc:  # the watcher must outlive any surprise; requests then see 503
                log.exception("checking the store failed")
                self._error = exc

    def close(self) -> None:
        """Stop watching and release connections."""
        self._stop.set()
        if self._watcher is not None:
            self._watcher.join(timeout=5)
            self._watcher = None
        with self._lock:
            for _, snapshot in [*self._retired, *([(0.0, self._current)] if self._current else [])]:
                _dispose(snapshot)
            self._current, self._retired, self._identity = None, [], None
        self.location.close()

    def _refresh(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and self._current is not None and now - self._checked < SWAP_CHECK_INTERVAL:
            return
        with self._lock:
            try:
                identity = self.location.identity()
                if self._current is None or identity != self._identity:
                    published = self.location.published()
                    try:
                        info = _read_info(published.engine)
                    except (OperationalError, DBAPIError):
                        self.location.release(published.engine)
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
    snapshot.location.release(snapshot.engine())


def _read_info(engine: Engine) -> StoreInfo:
    with engine.connect() as connection:
        meta = dict(connection.execute(select(schema.meta.c.key, schema.meta.c.value)).all())
        sector_ids = connection.execute(select(schema.sectors.c.id)).scalars().all()
        adcodes = connection.execute(select(schema.admin_units.c.adcode)).scalars().all()
        years = connection.execute(select(schema.plans.c.year)).scalars().all()
        plan_ids = connection.execute(select(schema.plans.c.id)).scalars().all()
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
        plan_ids=frozenset(plan_ids),
    )


def rows_as_dicts(result: Any) -> list[dict[str, Any]]:
    """SQLAlchemy result rows as plain dicts."""
    return [dict(row._mapping) for row in result]
