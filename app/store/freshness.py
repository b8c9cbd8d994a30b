"""Whether the published store was built from the data as it is now."""

from __future__ import annotations

from app.data_version import data_version
from app.settings import Settings
from app.store.load import SCHEMA_VERSION
from app.store.location import StoreUnavailable
from app.store.store import Store


def store_is_current(settings: Settings) -> bool:
    """True if a store exists, has this code's schema, and holds the data of ``settings.data_dir`` as it is."""
    store = Store(settings)
    try:
        info = store.info()
    except (StoreUnavailable, KeyError):  # no store, or one from before the schema recorded its version
        return False
    finally:
        store.close()
    return info.schema_version == SCHEMA_VERSION and info.data_version == data_version(settings.data_dir)
