"""Reading the published store: one engine per process, renewed when a load swaps in a new store."""

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


class InvalidParameter(ValueError):
    """A request parameter has a value the atlas cannot use; ``name`` is the parameter."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.name, self.message = name, message


class NotFound(LookupError):
    """No such collection, feature, entity or place."""


@dataclass(frozen=True)
class StoreInfo:
    """What the published store holds: its data version and the vocabulary filters accept."""

    data_version: str
    schema_version: str
    loaded_at: str
    scope: str
    extents: dict[str, list[float]]
    sector_ids: frozenset[str]
    adcodes: frozenset[int]
    plan_years: frozenset[int]


class Store:
    """The published store of one backend, shared by the requests of a process."""

    def __init__(self, settings: Settings) -> None:
        self.location: StoreLocation = store_location(settings)
        self._lock = threading.Lock()
        self._engine: Engine | None = None
        self._identity: object = None
        self._info: StoreInfo | None = None
        self._checked = 0.0

    @property
    def backend(self) -> str:
        """``spatialite`` or ``postgis``."""
        return self.location.backend

    def engine(self) -> Engine:
        """The engine on the published store, renewed if a load swapped in a new one."""
        self._refresh()
        assert self._engine is not None
        return self._engine

    def info(self) -> StoreInfo:
        """Metadata of the published store."""
        self._refresh()
        assert self._info is not None
        return self._info

    def info_if_fresh(self) -> StoreInfo | None:
        """The metadata without any I/O when it was checked within the swap interval, else None."""
        if self._info is not None and time.monotonic() - self._checked < SWAP_CHECK_INTERVAL:
            return self._info
        return None

    def close(self) -> None:
        """Release connections."""
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
            self._engine, self._info, self._identity = None, None, None

    def _refresh(self) -> None:
        now = time.monotonic()
        if self._engine is not None and now - self._checked < SWAP_CHECK_INTERVAL:
            return
        with self._lock:
            try:
                identity = self.location.identity()
                if self._engine is None or identity != self._identity:
                    if self._engine is not None:
                        self._engine.dispose()
                    self._engine = self.location.reader()
                    self._info = _read_info(self._engine)
                    self._identity = identity
                self._checked = now
            except (OperationalError, DBAPIError) as exc:
                raise StoreUnavailable(f"The store is unreachable: {exc.orig or exc}") from exc


def _read_info(engine: Engine) -> StoreInfo:
    with engine.connect() as connection:
        meta = dict(connection.execute(select(schema.meta.c.key, schema.meta.c.value)).all())
        sector_ids = connection.execute(select(schema.sectors.c.id)).scalars().all()
        adcodes = connection.execute(select(schema.admin_units.c.adcode)).scalars().all()
        years = connection.execute(select(schema.plans.c.year)).scalars().all()
    return StoreInfo(
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
