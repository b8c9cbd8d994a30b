"""Shared fixtures: the shipped data, and throw-away copies of it to break on purpose."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from click.testing import Result
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Playwright, sync_playwright
from typer.testing import CliRunner

from api.factory import create_app
from app.cli import cli
from app.runtime import prepare
from app.settings import REPO_DATA_DIR, Settings
from app.store.load import load_store
from app.validation import ValidData, validate

prepare()  # what every process of the atlas does first: GDAL's drivers before SpatiaLite (app/runtime.py)

# A small catalogue of real quotes: each rule test breaks one thing in it.
MINIMAL_CATALOGUE = """\
plans:
  - id: fyp2021
    file: plans/000_9ebb7d92fd8b2fdd.txt
    year: 2021
    title_zh: 湖北省装备制造业“十四五”发展规划
    title_en: Hubei Equipment Manufacturing Industry 14th Five-Year Development Plan
    issuer_zh: 湖北省经济和信息化厅
    issuer_en: Hubei Provincial Department of Economy and Information Technology
    number: 鄂经信规划〔2021〕203号
    date: 2021-12-31
sectors:
  - id: specialty
    name_zh: 特色装备
    name_en: Specialty equipment
    plan_refs:
      - {plan: fyp2021, year: 2021, section: 专栏5, quote: 推动特色产业集群建设}
  - id: specialty-cranes
    parent: specialty
    name_zh: 起重机械
    name_en: Cranes
    plan_refs:
      - {plan: fyp2021, year: 2021, section: 专栏5, quote: 咸宁起重机械产业集群}
entities:
  - id: xianning-crane-cluster
    name_zh: 咸宁起重机械产业集群
    name_en: Xianning Crane Industrial Cluster
    kind: cluster
    sectors: [specialty-cranes]
    members: [咸宁]
    status: existing
    confidence: stated
    plan_refs:
      - plan: fyp2021
        year: 2021
        section: 专栏5
        quote: 咸宁起重机械产业集群
  - id: auto-corridor
    name_zh: 汉孝随襄十千里汽车产业走廊
    name_en: Wuhan–Xiaogan–Suizhou–Xiangyang–Shiyan Automotive Corridor
    kind: corridor
    sectors: [specialty]
    members: [武汉, 孝感, 随州, 襄阳, 十堰]
    status: existing
    confidence: stated
    plan_refs:
      - plan: fyp2021
        year: 2021
        section: 一、发展现状
        quote: “汉孝随襄十”千里汽车产业走廊实力显著增强
  - id: honghu-vessel-cluster
    name_zh: 洪湖石化容器装备集群
    name_en: Honghu Petrochemical Vessel Cluster
    kind: cluster
    sectors: [specialty]
    members: [洪湖]
    status: existing
    confidence: inferred
    note: test entity
    plan_refs:
      - plan: fyp2021
        year: 2021
        section: 专栏5
        quote: 洪湖石化容器装备集群
text_notes:
  - plan: fyp2021
    section: 专栏5
    quote: 群、咸宁起重机械产业集群
    note: a cluster name is lost at the page break
"""


@pytest.fixture(scope="session")
def shipped() -> ValidData:
    """The repository's data, validated once per session."""
    return validate(Settings(data_dir=REPO_DATA_DIR))


def entity_ids(
    data: ValidData,
    *,
    kinds: tuple[str, ...] = (),
    sector: str | None = None,
    plan: int | None = None,
    status: str | None = None,
    place: int | None = None,
) -> list[str]:
    """Ids of the catalogue's entities that the filters of /api/clusters, /ogc and /downloads select (a sector
    with its sub-sectors, a place with its counties), worked out from the catalogue alone: tests compare the
    service with this rather than with counts that every edit of the data would break."""
    catalogue = data.catalogue
    selected = []
    for entity in catalogue.entities:
        places = {
            level for adcode in data.members[entity.id] for level in (adcode, data.units.get(adcode).parent_adcode)
        }
        if (
            (not kinds or entity.kind.value in kinds)
            and (sector is None or any(each in catalogue.sector_descendants(sector) for each in entity.sectors))
            and (plan is None or any(ref.year == plan for ref in entity.plan_refs))
            and (status is None or entity.status.value == status)
            and (place is None or place in places)
        ):
            selected.append(entity.id)
    return selected


def layer_entity_ids(data: ValidData, layer: str) -> list[str]:
    """Ids of the entities a whole entity layer holds, from the catalogue alone: every entity in
    ``clusters``; in ``corridors`` the corridors whose stops the plan states (a route in the plan's order;
    an inferred corridor has none)."""
    if layer != "corridors":
        return entity_ids(data)
    corridors = set(entity_ids(data, kinds=("corridor",)))
    return [entity.id for entity in data.catalogue.entities if entity.id in corridors and entity.confidence == "stated"]


@pytest.fixture
def make_data_dir(tmp_path: Path) -> Callable[..., Path]:
    """A copy of the data directory whose catalogue is ``catalogue`` (default: the minimal one)."""

    def make(catalogue: str | None = MINIMAL_CATALOGUE) -> Path:
        data_dir = tmp_path / "data"
        shutil.copytree(REPO_DATA_DIR / "boundaries", data_dir / "boundaries")
        # A copy, not a symbolic link: validation refuses plan files that resolve outside the data directory.
        shutil.copytree(REPO_DATA_DIR / "plans", data_dir / "plans")
        if catalogue is not None:
            (data_dir / "clusters.yaml").write_text(catalogue, encoding="utf-8")
        return data_dir

    return make


# --- the store and the API, on both backends ------------------------------------------------------

BACKENDS = ("spatialite", "postgis")
# For parametrising over the backends: PostGIS needs the PostgreSQL server, so its cases are slow.
BACKEND_PARAMS = [pytest.param("spatialite"), pytest.param("postgis", marks=pytest.mark.slow)]
TEST_DATABASE_URL = os.environ.get("ATLAS_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/atlas_test")
# Fixtures that start PostgreSQL work or server processes: a test that asks for one must be marked slow.
SLOW_FIXTURES = frozenset({"loaded", "servers", "browser"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Keep the fast tier (``-m "not slow"``) free of PostgreSQL and servers: refuse to run otherwise."""
    unmarked = [
        item.nodeid
        for item in items
        if item.get_closest_marker("slow") is None
        and (
            SLOW_FIXTURES & set(getattr(item, "fixturenames", ()))
            or "postgis" in getattr(getattr(item, "callspec", None), "params", {}).values()
        )
    ]
    if unmarked:
        raise pytest.UsageError(
            "these tests need PostgreSQL or a server but are not marked slow: " + ", ".join(unmarked)
        )


def backend_settings(backend: str, tmp: Path, schema: str, data_dir: Path = REPO_DATA_DIR) -> Settings:
    """Settings for a store of ``backend``: a SpatiaLite file under ``tmp`` or a schema in the test database."""
    if backend == "spatialite":
        return Settings(data_dir=data_dir, store_path=tmp / f"{schema}.sqlite")
    return Settings(data_dir=data_dir, database_url=TEST_DATABASE_URL, database_schema=schema)


def _quiet(_message: str) -> None:
    pass


@pytest.fixture(scope="session")
def spatialite_loaded(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The shipped data loaded once into a SpatiaLite file (no PostgreSQL needed)."""
    settings = backend_settings("spatialite", tmp_path_factory.mktemp("stores"), "atlas_test_api")
    load_store(settings, progress=_quiet)
    return settings


@pytest.fixture(scope="session")
def loaded(spatialite_loaded: Settings, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Settings]:
    """The shipped data loaded once into each backend."""
    postgis = backend_settings("postgis", tmp_path_factory.mktemp("stores"), "atlas_test_api")
    load_store(postgis, progress=_quiet)
    return {"spatialite": spatialite_loaded, "postgis": postgis}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_environment(settings: Settings) -> dict[str, str]:
    """The environment that gives a server process exactly ``settings`` (every field as ATLAS_*)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("ATLAS_")}
    for name, value in settings.model_dump().items():
        if value is not None:
            env[f"ATLAS_{name.upper()}"] = json.dumps(value) if isinstance(value, list) else str(value)
    return env


def run_cli(*args: str | Path, settings: Settings | None = None, env: dict[str, str] | None = None) -> Result:
    """``atlas ARGS`` in this process (Typer's CliRunner) with exactly ``settings`` (as ATLAS_* variables, none
    other) and ``env``; an exception that escapes the command is raised here, so a crash is never an exit code."""
    environment: dict[str, str | None] = {key: None for key in os.environ if key.startswith("ATLAS_")}
    if settings is not None:
        environment |= {key: value for key, value in server_environment(settings).items() if key.startswith("ATLAS_")}
    environment |= env or {}
    result = CliRunner().invoke(cli, [str(arg) for arg in args], env=environment)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def wait_until_answering(base: str, process: subprocess.Popen, seconds: float = 40) -> httpx.Response:  # type: ignore[type-arg]
    """Poll ``base``/healthz until the server behind ``process`` answers; fail if it dies or takes too long."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return httpx.get(f"{base}/healthz", timeout=1)
        except httpx.TransportError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server at {base} did not start") from None
            time.sleep(0.1)


_SERVER_PIDS: dict[str, int] = {}


def server_pid(base: str) -> int:
    """The process id of the server :func:`running_server` started at ``base`` (to read its memory)."""
    return _SERVER_PIDS[base]


@contextmanager
def running_server(settings: Settings, *extra: str) -> Iterator[str]:
    """A real uvicorn serving ``settings`` on a free loopback port; yields its base URL."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "api.factory:create_app", "--factory", "--port", str(port)]
    log = Path(tempfile.mkstemp(prefix=f"atlas-server-{port}-", suffix=".log")[1])
    base = f"http://127.0.0.1:{port}"
    env = server_environment(settings)
    if "public_url" not in settings.model_fields_set:  # links point at this server unless a test says otherwise
        env["ATLAS_PUBLIC_URL"] = base
    with log.open("wb") as sink:
        process = subprocess.Popen([*command, "--no-access-log", *extra], env=env, stdout=sink, stderr=sink)
    _SERVER_PIDS[base] = process.pid
    try:
        try:
            assert wait_until_answering(base, process).status_code == 200
        except (RuntimeError, AssertionError) as exc:
            raise RuntimeError(f"uvicorn did not start: {log.read_text(errors='replace')}") from exc
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        # Whatever the server logged (tracebacks of 500s above all) is shown with a failing test.
        sys.stderr.write(log.read_text(errors="replace"))
        log.unlink()


@pytest.fixture(scope="session")
def servers(loaded: dict[str, Settings]) -> Iterator[dict[str, str]]:
    """One live server per backend."""
    with running_server(loaded["spatialite"]) as spatialite, running_server(loaded["postgis"]) as postgis:
        yield {"spatialite": spatialite, "postgis": postgis}


IN_PROCESS_URL = "http://testserver"


@pytest.fixture(scope="session")
def in_process(spatialite_loaded: Settings) -> Iterator[TestClient]:
    """The whole application in this process (FastAPI's TestClient) on the SpatiaLite store: no server."""
    settings = spatialite_loaded.model_copy(update={"public_url": IN_PROCESS_URL})
    with TestClient(create_app(settings), base_url=IN_PROCESS_URL) as client:
        yield client


@pytest.fixture(params=["in-process", *(pytest.param(backend, marks=pytest.mark.slow) for backend in BACKENDS)])
def api(request: pytest.FixtureRequest) -> Iterator[httpx.Client]:
    """An HTTP client on the application in this process, then on the live server of each backend in turn
    (those are slow: they need uvicorn processes and PostgreSQL)."""
    if request.param == "in-process":
        yield request.getfixturevalue("in_process")
        return
    servers = request.getfixturevalue("servers")
    with httpx.Client(base_url=servers[request.param], timeout=30) as client:
        yield client


# --- the browser ---------------------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking switches Chromium calls home at start-up (refused here anyway).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


# Module-scoped, not session-scoped: while Playwright's sync API is running it holds an asyncio loop in
# this thread, and every later test that runs a loop of its own (anyio.run, TestClient) would fail.
@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    """Playwright's sync API, for one test module."""
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Debian's Chromium (never a downloaded browser), for one test module."""
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()
