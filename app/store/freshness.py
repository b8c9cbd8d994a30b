"""Whether the published store was built from the data as it is now."""

from __future__ import annotations

from app.data_version import data_version
from app.settings import Settings
from app.store.location import StoreUnavailable
from app.store.store import Store


def store_is_current(settings: Settings) -> bool:
    """True if a store exists and holds the current data version of ``settings.data_dir``."""
    store = Store(settings)
    try:
        return store.info().data_version == data_version(settings.data_dir)
    except StoreUnavailable:
        return False
    finally:
        store.close()
