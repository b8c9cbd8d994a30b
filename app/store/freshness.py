"""Whether the published store was built from the data as it is now, by this code."""

from __future__ import annotations

from app.data_version import data_version
from app.settings import Settings
from app.store.load import SCHEMA_VERSION
from app.store.location import StoreUnavailable
from app.store.published import Store, StoreInfo
from app.versions import store_version


def published_info(settings: Settings) -> StoreInfo | None:
    """The published store's metadata, or None when there is none (or one too old to say)."""
    store = Store(settings)
    try:
        return store.info()
    except (StoreUnavailable, KeyError):  # no store, or one from before the schema recorded its version
        return None
    finally:
        store.close()


def store_is_current(settings: Settings) -> bool:
    """True if a store exists and is what this code would build from ``settings.data_dir`` for its scope."""
    info = published_info(settings)
    if info is None:
        return False
    return info.version == store_version(data_version(settings.data_dir), info.scope, SCHEMA_VERSION)
