"""What a response says it was made from is what it was made from, across loads, on both backends.

- The store's version covers everything that shaped it: a load with another scope is another version
  (a client's old ETag no longer matches, and the answer is the new store's).
- One request reads one published build, and its ETag names that build.
- Publishing a new store never deadlocks with readers, and a load under read traffic always succeeds.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from app.settings import Settings
from app.store import schema
from app.store.load import SCHEMA_VERSION, load_store
from app.store.published import SWAP_CHECK_INTERVAL, Store
from app.versions import store_version

from .conftest import BACKENDS, backend_settings, running_server
from .test_store_load import rename_entity

# Readers in this process pause between requests so as not to starve the loads of the GIL.
READER_PAUSE = 0.003


def _quiet(_message: str) -> None:
    pass


def test_the_version_covers_scope_and_schema() -> None:
    versions = {
        store_version("0123456789abcdef", scope, schema_version)
        for scope in ("hubei", "china")
        for schema_version in ("2", SCHEMA_VERSION)
    }
    assert len(versions) == 4


@pytest.mark.slow  # a server process and a load of all China
@pytest.mark.parametrize("backend", BACKENDS)
def test_a_change_of_scope_is_a_new_version(backend: str, make_data_dir: Callable[..., Path], tmp_path: Path) -> None:
    settings = backend_settings(backend, tmp_path, f"atlas_test_scope_{backend}", make_data_dir())
    load_store(settings, progress=_quiet)
    url = "/ogc/collections/counties/items?limit=1"
    with running_server(settings) as base, httpx.Client(base_url=base, timeout=60) as client:
        hubei = client.get(url)
        assert hubei.json()["numberMatched"] == 103
        load_store(settings, progress=_quiet, scope="china")
        time.sleep(SWAP_CHECK_INTERVAL + 0.3)
        china = client.get(url, headers={"If-None-Match": hubei.headers["etag"]})
        assert china.status_code == 200, "an ETag of the Hubei store matched the China store"
        assert china.json()["numberMatched"] > 2000
        assert china.headers["etag"] != hubei.headers["etag"]


@pytest.mark.slow  # a server process, readers and six loads
@pytest.mark.parametrize("backend", BACKENDS)
def test_etag_and_body_come_from_one_build(backend: str, make_data_dir: Callable[..., Path], tmp_path: Path) -> None:
    """With the read cache off, every request builds its body while loads publish new stores: each ETag
    must always come with the same body (it names the build the body was read from)."""
    settings = backend_settings(backend, tmp_path, f"atlas_test_etag_{backend}", make_data_dir())
    load_store(settings, progress=_quiet)
    bodies: dict[str, set[str]] = defaultdict(set)
    failures: list[str] = []
    stop = threading.Event()
    with running_server(settings.model_copy(update={"response_cache_mb": 0})) as base:

        def read() -> None:
            with httpx.Client(base_url=base, timeout=30) as client:
                while not stop.is_set():
                    response = client.get("/api/clusters/xianning-crane-cluster")
                    if response.status_code != 200:
                        failures.append(f"{response.status_code} {response.text[:200]}")
                        continue
                    bodies[response.headers["etag"]].add(response.json()["name_en"])
                    # A breath between requests: four readers spinning in this process starve the load of
                    # the GIL (a load took 9 s instead of 2); a few hundred requests per load still race it.
                    time.sleep(READER_PAUSE)

        readers = [threading.Thread(target=read) for _ in range(4)]
        for reader in readers:
            reader.start()
        try:
            for round_ in range(6):
                rename_entity(settings.data_dir, f"Name {round_}")
                load_store(settings, progress=_quiet)
                time.sleep(0.4)
        finally:
            stop.set()
            for reader in readers:
                reader.join()
    assert failures == []
    assert len(bodies) >= 3, "the readers saw too few loads for the test to mean anything"
    mixed = {etag: names for etag, names in bodies.items() if len(names) > 1}
    assert mixed == {}, f"one ETag, several bodies: {mixed}"


@pytest.mark.slow  # readers and six loads
@pytest.mark.parametrize("backend", BACKENDS)
def test_publishing_never_deadlocks_with_readers(
    backend: str, make_data_dir: Callable[..., Path], tmp_path: Path
) -> None:
    """Readers hold transactions across several tables (as a request with several queries does) while
    loads publish back to back: every load succeeds and no read fails."""
    settings = backend_settings(backend, tmp_path, f"atlas_test_race_{backend}", make_data_dir())
    load_store(settings, progress=_quiet)
    errors: list[str] = []
    reads = 0
    stop = threading.Event()

    def read() -> None:
        nonlocal reads
        store = Store(settings)
        try:
            while not stop.is_set():
                try:
                    with store.engine().connect() as connection:
                        for table in (schema.entities, schema.admin_units, schema.memberships, schema.plan_refs):
                            connection.execute(select(func.count()).select_from(table)).scalar_one()
                            time.sleep(0.01)
                    reads += 1
                except Exception as exc:  # any failure of a read is the finding
                    errors.append(f"{type(exc).__name__}: {exc}"[:300])
        finally:
            store.close()

    readers = [threading.Thread(target=read) for _ in range(4)]
    for reader in readers:
        reader.start()
    load_failures: list[str] = []
    try:
        for round_ in range(6):
            rename_entity(settings.data_dir, f"Race {round_}")
            try:
                load_store(settings, progress=_quiet)
            except Exception as exc:  # a load that fails under read traffic is the finding
                load_failures.append(f"{type(exc).__name__}: {exc}"[:300])
    finally:
        stop.set()
        for reader in readers:
            reader.join()
    assert load_failures == []
    assert errors == []
    assert reads > 20


def test_a_published_build_is_never_rewritten(make_data_dir: Callable[..., Path], tmp_path: Path) -> None:
    """SpatiaLite: a reader's engine stays on its build (a new connection after a load still reads it)."""
    settings: Settings = backend_settings("spatialite", tmp_path, "pinned", make_data_dir())
    load_store(settings, progress=_quiet)
    store = Store(settings)
    try:
        snapshot = store.snapshot()
        rename_entity(settings.data_dir, "After The Snapshot")
        load_store(settings, progress=_quiet)
        snapshot.engine().dispose()  # every connection from here on is new
        with snapshot.engine().connect() as connection:
            name = connection.execute(
                select(schema.entities.c.name_en).where(schema.entities.c.id == "xianning-crane-cluster")
            ).scalar_one()
        assert name != "After The Snapshot"
    finally:
        store.close()
