"""atlas load: atomic on both backends — invalid data or a failure midway leaves the previous store
serving, unchanged; a serving process picks up a new load; `atlas serve` builds a missing store."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, select, text

from app.settings import Settings
from app.store import schema
from app.store.load import load_store
from app.store.location import StoreUnavailable
from app.store.published import Store
from app.validation import DataInvalid

from .conftest import (
    BACKEND_PARAMS,
    TEST_DATABASE_URL,
    backend_settings,
    free_port,
    run_cli,
    running_server,
    server_environment,
    wait_until_answering,
)


def leftovers(settings: Settings) -> list[str]:
    """Build locations a load left behind."""
    if settings.database_url is None:
        return [path.name for path in settings.store_path.parent.glob(f".{settings.store_path.name}.building-*")]
    with create_engine(TEST_DATABASE_URL).connect() as connection:
        return list(
            connection.execute(
                text("SELECT nspname FROM pg_namespace WHERE nspname LIKE :pattern"),
                {"pattern": f"{settings.database_schema}\\_building\\_%"},
            ).scalars()
        )


def rename_entity(data_dir: Path, new_name: str) -> None:
    """Give the crane cluster a new English name in the catalogue of ``data_dir``."""
    catalogue = data_dir / "clusters.yaml"
    pattern = re.compile(r"(id: xianning-crane-cluster\n    name_zh: .*\n    name_en: ).*")
    renamed, count = pattern.subn(lambda match: match[1] + new_name, catalogue.read_text(encoding="utf-8"))
    assert count == 1
    catalogue.write_text(renamed, encoding="utf-8")


@pytest.fixture(params=BACKEND_PARAMS)
def fresh(request: pytest.FixtureRequest, make_data_dir: Callable[..., Path], tmp_path: Path) -> Settings:
    """A store of the minimal catalogue on one backend, in a location of its own."""
    settings = backend_settings(request.param, tmp_path, f"atlas_test_load_{request.param}", make_data_dir())
    load_store(settings, progress=lambda _message: None)
    return settings


def _answer(settings: Settings) -> tuple[str, str]:
    store = Store(settings)
    try:
        info = store.info()
        with store.engine().connect() as connection:
            entities = schema.entities
            name = connection.execute(
                select(entities.c.name_en).where(entities.c.id == "xianning-crane-cluster")
            ).scalar_one()
        return info.data_version, name
    finally:
        store.close()


def test_invalid_data_leaves_the_previous_store(fresh: Settings) -> None:
    before = _answer(fresh)
    catalogue = fresh.data_dir / "clusters.yaml"
    catalogue.write_text(catalogue.read_text(encoding="utf-8").replace("members: [咸宁]", "members: [咸宁县]"), "utf-8")
    with pytest.raises(DataInvalid):
        load_store(fresh, progress=lambda _message: None)
    assert _answer(fresh) == before
    assert leftovers(fresh) == []


def test_failure_midway_leaves_the_previous_store(fresh: Settings) -> None:
    before = _answer(fresh)
    rename_entity(fresh.data_dir, "Renamed Cluster")

    def fail_after_entities(message: str) -> None:
        if message.strip().startswith("entities:"):
            raise RuntimeError("the machine fell over")

    with pytest.raises(RuntimeError, match="fell over"):
        load_store(fresh, progress=fail_after_entities)
    assert _answer(fresh) == before
    assert leftovers(fresh) == []
    load_store(fresh, progress=lambda _message: None)
    assert _answer(fresh)[1] == "Renamed Cluster"


@pytest.mark.slow  # a server process
def test_a_serving_process_picks_up_a_new_load(fresh: Settings) -> None:
    with running_server(fresh) as base:
        old = httpx.get(f"{base}/healthz").json()["data_version"]
        rename_entity(fresh.data_dir, "Renamed While Serving")
        load_store(fresh, progress=lambda _message: None)
        deadline = time.monotonic() + 10
        while httpx.get(f"{base}/healthz").json()["data_version"] == old:
            assert time.monotonic() < deadline, "the server never saw the new store"
            time.sleep(0.2)
        assert httpx.get(f"{base}/api/clusters/xianning-crane-cluster").json()["name_en"] == "Renamed While Serving"


@pytest.mark.slow  # a server process, readers and four loads
def test_reads_during_reloads_never_see_a_half_built_store(fresh: Settings) -> None:
    names = ["Name A", "Name B"]
    failures: list[str] = []
    seen: set[str] = set()
    with running_server(fresh) as base:
        stop = threading.Event()

        def read() -> None:
            with httpx.Client(base_url=base, timeout=10) as client:
                while not stop.is_set():
                    response = client.get("/api/clusters", params={"limit": 500})
                    if response.status_code != 200 or response.json()["total"] != 3:
                        failures.append(f"{response.status_code} {response.text[:200]}")
                    seen.update(item["name_en"] for item in response.json().get("items", []))
                    time.sleep(0.003)  # a breath: readers spinning in this process starve the load of the GIL

        readers = [threading.Thread(target=read) for _ in range(3)]
        for reader in readers:
            reader.start()
        try:
            for round_ in range(4):
                rename_entity(fresh.data_dir, names[round_ % 2])
                load_store(fresh, progress=lambda _message: None)
                time.sleep(1.2)
        finally:
            stop.set()
            for reader in readers:
                reader.join()
    assert failures == []
    assert {"Name A", "Name B"} <= seen


def test_cli_load_shows_progress(make_data_dir: Callable[..., Path], tmp_path: Path) -> None:
    settings = backend_settings("spatialite", tmp_path, "cli", make_data_dir())
    result = run_cli("load", settings=settings)
    assert result.exit_code == 0, result.output
    for step in ("Validating data", "admin_units: 121 rows", "entities: 3 rows", "Publishing", "Loaded data version"):
        assert step in result.stdout
    assert settings.store_path.is_file()


def test_cli_load_refuses_invalid_data(make_data_dir: Callable[..., Path], tmp_path: Path) -> None:
    data_dir = make_data_dir()
    catalogue = data_dir / "clusters.yaml"
    catalogue.write_text(catalogue.read_text(encoding="utf-8").replace("members: [咸宁]", "members: [咸宁县]"), "utf-8")
    settings = backend_settings("spatialite", tmp_path, "cli", data_dir)
    result = run_cli("load", settings=settings)
    assert result.exit_code == 1
    assert "did you mean 咸宁市 (421200)?" in result.stderr and not settings.store_path.exists()


@pytest.mark.slow  # the process itself: `atlas serve` builds, then serves
def test_serve_builds_a_missing_store_then_answers(make_data_dir: Callable[..., Path], tmp_path: Path) -> None:
    settings = backend_settings("spatialite", tmp_path, "served", make_data_dir())
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--port", str(port)],
        env=server_environment(settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        health = wait_until_answering(f"http://127.0.0.1:{port}", process)
        assert health.json()["status"] == "ok" and settings.store_path.is_file()
        assert httpx.get(f"http://127.0.0.1:{port}/").status_code == 200
    finally:
        process.terminate()
        output = process.communicate(timeout=10)[0].decode()
    assert "loading it first" in output and "http://127.0.0.1:" in output


def test_a_missing_store_is_503_not_500(tmp_path: Path) -> None:
    settings = Settings(store_path=tmp_path / "nothing.sqlite")
    with pytest.raises(StoreUnavailable, match="atlas load"):
        Store(settings).info()


def test_only_postgresql_urls(tmp_path: Path) -> None:
    with pytest.raises(StoreUnavailable, match=r"postgresql\+psycopg"):
        Store(Settings(database_url="mysql://root@127.0.0.1/atlas"))


def test_unreachable_database_is_a_message(make_data_dir: Callable[..., Path]) -> None:
    settings = Settings(
        data_dir=make_data_dir(), database_url=f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/x"
    )
    result = run_cli("load", settings=settings)
    assert result.exit_code == 1
    assert "Store unavailable" in result.stderr and "cannot be reached" in result.stderr


@pytest.mark.slow  # PostgreSQL and a server process
def test_a_store_that_disappears_gives_503_then_recovers(make_data_dir: Callable[..., Path], tmp_path: Path) -> None:
    settings = backend_settings("postgis", tmp_path, "atlas_test_vanishing", make_data_dir())
    load_store(settings, progress=lambda _message: None)
    with running_server(settings) as base:
        assert httpx.get(f"{base}/api/clusters").status_code == 200
        with create_engine(TEST_DATABASE_URL).begin() as connection:
            connection.execute(text('DROP SCHEMA "atlas_test_vanishing" CASCADE'))
        time.sleep(1.5)  # past the reader's swap check
        gone = httpx.get(f"{base}/api/clusters")
        assert gone.status_code == 503 and gone.json()["code"] == "ServiceUnavailable"
        assert gone.headers["retry-after"] == "1"
        assert httpx.get(f"{base}/healthz").status_code == 503
        load_store(settings, progress=lambda _message: None)
        time.sleep(1.5)
        assert httpx.get(f"{base}/api/clusters").json()["total"] == 3
