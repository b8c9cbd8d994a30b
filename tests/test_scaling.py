"""Beyond one machine, on loopback with the real parts (docs/scaling.md states what these measured).

One deployment for the module (``deploy/loopback.py``): a PostgreSQL 15 primary and its streaming replica
(clusters of their own, made with ``pg_createcluster`` and ``pg_basebackup -R``), two ``atlas serve`` workers
reading the replica, Debian's nginx in front running the shipped ``deploy/nginx/atlas-cache.conf``, and a
third worker pointed at both servers through libpq's host list. ``atlas load`` runs on the primary only,
alternating two versions of the data that differ in an entity's and its sector's English names.

The figures (replica lag, time for a load to reach the workers, failover and recovery times) are printed in
the terminal summary.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from deploy.loopback import (
    DATABASE,
    CachingProxy,
    ReplicaPair,
    Worker,
    atlas,
    atlas_environment,
    free_port,
    multi_host_url,
    snapshot_code,
    url,
)

pytestmark = pytest.mark.slow

REPO_DATA = Path(__file__).resolve().parent.parent / "data"
SCHEMA = "atlas_s15"
# Seconds: ATLAS_CACHE_MAX_AGE of the workers; short, so that expiry happens within the test, and long enough
# for the purge test to see an entry still fresh after a load has reached the workers on a busy machine.
MAX_AGE = 5
ENTITY = "/api/clusters/xianning-crane-cluster"
# The two versions of the data: the repository's, and a copy with these names changed.
NAMES_A = ("Xianning Crane (Hoisting Machinery) Industrial Cluster", "Cranes and hoisting machinery")
NAMES_B = ("Xianning Crane Cluster (version B)", "Cranes (version B)")
WORKER_SETTINGS = {"cache_max_age": str(MAX_AGE), "trusted_proxies": '["127.0.0.1"]'}

FIGURES: list[str] = []


def figure(text: str) -> None:
    """Keep a measured figure for the terminal summary."""
    FIGURES.append(text)


@pytest.fixture(scope="module", autouse=True)
def _report_figures(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None and FIGURES:
        with capture.global_and_fixture_disabled():  # shown even though output is captured
            reporter.write_line("")
            reporter.write_sep("-", "scaling figures (tests/test_scaling.py)")
            for line in FIGURES:
                reporter.write_line(line)


def version_b(root: Path, source: Path) -> Path:
    """A copy of the data directory ``source`` whose entity and sector carry :data:`NAMES_B`."""
    data = root / "data-b"
    shutil.copytree(source, data)
    catalogue = data / "clusters.yaml"
    text = catalogue.read_text(encoding="utf-8")
    for old, new in zip(NAMES_A, NAMES_B, strict=True):
        assert text.count(f"name_en: {old}\n") == 1, old
        text = text.replace(f"name_en: {old}\n", f"name_en: {new}\n")
    catalogue.write_text(text, encoding="utf-8")
    return data


class Shape:
    """The running deployment and what the tests do with it."""

    def __init__(self, root: Path, pair: ReplicaPair, workers: list[Worker], proxy: CachingProxy, failover: Worker):
        self.root, self.pair, self.workers, self.proxy, self.failover = root, pair, workers, proxy, failover
        self.data = {"A": root / "data-a", "B": version_b(root, root / "data-a")}

    def load(self, version: str) -> float:
        """``atlas load`` of data ``version`` on the primary; returns its seconds."""
        started = time.monotonic()
        atlas("load", "--data-dir", str(self.data[version]), env=atlas_environment(url(self.pair.primary.port), SCHEMA))
        return time.monotonic() - started

    def wait_workers(self, names: tuple[str, str], seconds: float = 15) -> float:
        """Seconds until every replica worker answers with ``names`` (a load has reached them)."""
        started = time.monotonic()
        while not all(entity_names(httpx.get(worker.base + ENTITY, timeout=5)) == names for worker in self.workers):
            assert time.monotonic() - started < seconds, f"the workers did not show {names} within {seconds} s"
            time.sleep(0.02)
        return time.monotonic() - started


@pytest.fixture(scope="module")
def shape(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shape]:
    """Primary + replica, the store (data A) loaded on the primary, two workers on the replica, one worker on
    both hosts, nginx in front of the replica workers; all torn down afterwards."""
    root = tmp_path_factory.mktemp("scaling")
    # Data A is a copy taken now: the shared checkout's data/ may be edited while the tests run.
    data_a = root / "data-a"
    shutil.copytree(REPO_DATA, data_a)
    # So is the workers' code: all of them must run one version (it is in their ETags).
    code = snapshot_code(root)
    started = time.monotonic()
    with ReplicaPair() as pair:
        clusters = time.monotonic()
        atlas("load", "--data-dir", str(data_a), env=atlas_environment(url(pair.primary.port), SCHEMA))
        pair.wait_replayed(SCHEMA)
        loaded = time.monotonic()
        workers = [Worker(url(pair.replica.port), SCHEMA, data_a, root, code, **WORKER_SETTINGS) for _ in range(2)]
        # libpq's host list: prefer-standby takes a standby while one answers and the primary otherwise;
        # load_balance_hosts=random (libpq 16+) spreads workers over several replicas; the application name
        # lets the test see where the worker is connected.
        both = multi_host_url([pair.replica.port, pair.primary.port], "prefer-standby")
        both += "&load_balance_hosts=random&application_name=atlas_failover"
        failover = Worker(both, SCHEMA, data_a, root, code, **WORKER_SETTINGS)
        proxy = CachingProxy(root / "nginx", [f"127.0.0.1:{worker.port}" for worker in workers])
        try:
            for worker in [*workers, failover]:
                worker.launch()
            for worker in [*workers, failover]:
                worker.wait()
            proxy.start()
            figure(
                f"set-up: primary + replica {clusters - started:.1f} s, first load {loaded - clusters:.1f} s, "
                f"3 workers and nginx {time.monotonic() - loaded:.1f} s"
            )
            yield Shape(root, pair, workers, proxy, failover)
        finally:
            proxy.stop()
            for worker in [*workers, failover]:
                worker.stop()


def entity_names(response: httpx.Response) -> tuple[str, str]:
    """The entity's and its sector's English names in an answer of :data:`ENTITY`."""
    assert response.status_code == 200, (response.status_code, response.text[:300])
    body = response.json()
    return body["name_en"], body["sector_names"][0]["name_en"]


def etag_version(response: httpx.Response) -> str:
    """The store version an ETag names: ``W/"<version>-<request hash>"``."""
    etag = response.headers["etag"]
    assert etag.startswith('W/"') and etag.endswith('"'), etag
    return etag[3:-1].rsplit("-", 1)[0]


# --- readers on the replica through loads on the primary ------------------------------------------------------


def test_replica_readers_see_one_whole_store_through_loads(shape: Shape) -> None:
    """Readers of the replica (directly and through nginx) get, in every answer, the old store or the new one
    whole: the entity's name, its sector's name and the ETag's version always belong to one load. Never a
    missing table, never an error."""
    stop = threading.Event()
    seen: list[tuple[str, str, tuple[str, str] | None, int]] = []  # (reader, version, names, status)
    failures: list[str] = []

    def read(reader: str, base: str) -> None:
        with httpx.Client(base_url=base, timeout=10) as client:
            while not stop.is_set():
                try:
                    response = client.get(ENTITY)
                except httpx.HTTPError as exc:
                    failures.append(f"{reader}: {exc!r}")
                    continue
                if response.status_code != 200:
                    seen.append((reader, "", None, response.status_code))
                    continue
                seen.append((reader, etag_version(response), entity_names(response), 200))
                time.sleep(0.002)  # bounded traffic: a few hundred requests a second in all

    readers = [threading.Thread(target=read, args=(f"worker{i}", w.base)) for i, w in enumerate(shape.workers)]
    readers.append(threading.Thread(target=read, args=("nginx", shape.proxy.base)))
    for reader in readers:
        reader.start()
    loads, lags, reach = [], [], []
    try:
        for version in ("B", "A", "B"):
            time.sleep(0.5)
            loads.append(shape.load(version))
            lags.append(shape.pair.wait_replayed(SCHEMA))
            reach.append(shape.wait_workers(NAMES_B if version == "B" else NAMES_A))
    finally:
        stop.set()
        for reader in readers:
            reader.join(timeout=20)
    figure(f"atlas load (Hubei) on the primary: {', '.join(f'{s:.1f}' for s in loads)} s")
    figure(
        "pointer replayed on the replica after the load returned: "
        f"{', '.join(f'{s * 1000:.0f}' for s in lags)} ms (pg_stat_replication replay_lag "
        f"{(shape.pair.replay_lag() or 0) * 1000:.1f} ms)"
    )
    figure(f"load returned → both replica workers answer from it: {', '.join(f'{s:.2f}' for s in reach)} s")
    figure(f"readers' answers during 3 loads: {Counter(reader for reader, *_ in seen)}")
    with psycopg.connect(host="127.0.0.1", port=shape.pair.replica.port, user="postgres", dbname=DATABASE) as db:
        held = db.execute("SELECT count(*) - 1 FROM pg_stat_activity WHERE datname = %s", (DATABASE,)).fetchone()
    figure(f"connections the 3 workers hold on the replica after that traffic: {held[0] if held else '?'}")

    assert not failures, failures[:5]
    statuses = Counter(status for *_, status in seen)
    assert statuses == {200: len(seen)}, statuses
    names_of: dict[str, set[tuple[str, str] | None]] = {}
    for _, version, names, _ in seen:
        names_of.setdefault(version, set()).add(names)
    # One version, one pair of names: a mixture would give a version two pairs, or a pair not in NAMES_A/B.
    assert all(len(names) == 1 for names in names_of.values()), names_of
    assert {next(iter(names)) for names in names_of.values()} == {NAMES_A, NAMES_B}, names_of
    # Every reader went through both stores, directly and through the cache.
    for reader in ("worker0", "worker1", "nginx"):
        assert {names for who, _, names, _ in seen if who == reader} == {NAMES_A, NAMES_B}, reader


# --- nginx as the HTTP cache ----------------------------------------------------------------------------------------


def cache_status(response: httpx.Response) -> str:
    """What nginx's cache did for ``response`` (the example configuration's ``X-Cache-Status``)."""
    return response.headers.get("x-cache-status", "")


def test_nginx_serves_repeats_from_its_cache_and_keys_every_variant(shape: Shape) -> None:
    """Repeated reads are HITs without reaching a worker; a request differing in Accept (as the atlas tells
    representations apart), Accept-Encoding or Host is never answered with another one's entry."""
    shape.proxy.purge()
    paths = [ENTITY, "/ogc/collections/prefectures/items?limit=5", "/api/sectors", "/tiles/counties/7/104/53.mvt"]
    with httpx.Client(base_url=shape.proxy.base, timeout=10) as nginx:
        statuses = Counter(cache_status(nginx.get(path)) for _ in range(25) for path in paths)
        figure(f"nginx, 100 repeated reads of 4 URLs after a purge: {dict(statuses)}")
        # Only the first read of each URL reaches a worker (REVALIDATED, a 304 from a worker, only should the
        # reads take longer than max-age on a busy machine).
        assert statuses["MISS"] == len(paths) and set(statuses) <= {"MISS", "HIT", "REVALIDATED"}, statuses
        assert statuses["HIT"] >= 90, statuses

        # Accept: the atlas keys `text/html` apart (its 404s are pages); nginx must too.
        data = nginx.get(ENTITY, headers={"accept": "application/json"})
        html = nginx.get(ENTITY, headers={"accept": "text/html"})
        direct_html = httpx.get(shape.workers[0].base + ENTITY, headers={"accept": "text/html"})
        assert cache_status(html) == "MISS" and html.headers["etag"] == direct_html.headers["etag"]
        assert html.headers["etag"] != data.headers["etag"]
        assert cache_status(nginx.get(ENTITY, headers={"accept": "text/html"})) == "HIT"

        # Encoding: a client that cannot take gzip never gets the gzipped entry, and the other way round.
        zipped = nginx.get(ENTITY, headers={"accept-encoding": "gzip"})
        plain = nginx.get(ENTITY, headers={"accept-encoding": "identity"})
        assert zipped.headers.get("content-encoding") == "gzip"
        assert "content-encoding" not in plain.headers and plain.json()["id"] == "xianning-crane-cluster"
        assert cache_status(plain) in ("MISS", "HIT")
        again = nginx.get(ENTITY, headers={"accept-encoding": "identity"})
        assert cache_status(again) == "HIT" and "content-encoding" not in again.headers

        # Host: another host name has entries of its own.
        other = nginx.get(ENTITY, headers={"host": "atlas.example.gov.cn"})
        assert cache_status(other) == "MISS"
        assert cache_status(nginx.get(ENTITY, headers={"host": "atlas.example.gov.cn"})) == "HIT"

        # A client's own revalidation is answered by nginx from its entry.
        revalidated = nginx.get(ENTITY, headers={"if-none-match": data.headers["etag"]})
        assert revalidated.status_code == 304 and cache_status(revalidated) == "HIT"


def test_nginx_revalidates_and_shows_a_load_within_max_age_or_after_a_purge(shape: Shape) -> None:
    """An expired entry is refreshed with If-None-Match (304 from the worker: REVALIDATED); after a load the new
    data is served within max-age of reaching the workers, or at once after the documented purge."""
    with httpx.Client(base_url=shape.proxy.base, timeout=10) as nginx:
        before = entity_names(nginx.get(ENTITY))
        newer, newer_names = ("A", NAMES_A) if before == NAMES_B else ("B", NAMES_B)
        time.sleep(MAX_AGE + 0.5)
        refreshed = nginx.get(ENTITY)
        assert cache_status(refreshed) == "REVALIDATED" and entity_names(refreshed) == before

        assert cache_status(nginx.get(ENTITY)) == "HIT"
        shape.load(newer)
        shape.pair.wait_replayed(SCHEMA)
        reached = time.monotonic()
        shape.wait_workers(newer_names)
        while entity_names(response := nginx.get(ENTITY)) != newer_names:
            assert cache_status(response) in ("HIT", "UPDATING")
            assert time.monotonic() - reached < MAX_AGE + 1, "nginx served the old data beyond max-age"
            time.sleep(0.05)
        figure(f"nginx: new data served {time.monotonic() - reached:.2f} s after the load reached the replica "
               f"(max-age {MAX_AGE} s), as {cache_status(response)}")  # fmt: skip
        assert cache_status(response) in ("EXPIRED", "MISS")

        # The purge: with the replica's replay paused, the load is on the primary only; the entry nginx takes
        # now holds the old data, and is still fresh when the workers have the new data; the purge shows it.
        older, older_names = ("B", NAMES_B) if newer == "A" else ("A", NAMES_A)
        shape.pair.pause_replay()
        try:
            shape.load(older)
            shape.proxy.purge()
            filled = nginx.get(ENTITY)
            stored = time.monotonic()
            assert cache_status(filled) == "MISS" and entity_names(filled) == newer_names
        finally:
            shape.pair.resume_replay()
        shape.pair.wait_replayed(SCHEMA)
        shape.wait_workers(older_names)
        cached = nginx.get(ENTITY)
        assert time.monotonic() - stored < MAX_AGE, "too slow to see the entry before max-age; cannot tell"
        assert cache_status(cached) == "HIT" and entity_names(cached) == newer_names  # max-age has not passed
        shape.proxy.purge()
        purged = nginx.get(ENTITY)
        assert cache_status(purged) == "MISS" and entity_names(purged) == older_names


# --- the replica going away -------------------------------------------------------------------------------------


def connections(port: int, application: str) -> int:
    """Connections named ``application`` on the server at ``port``."""
    with psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname=DATABASE, connect_timeout=3) as db:
        row = db.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", (application,)).fetchone()
    return int(row[0]) if row else 0


def test_replica_down_gives_503_then_recovers_and_the_host_list_fails_over(shape: Shape) -> None:
    """Killing the replica: its workers answer 503 (never 500) while it is down and 200 once it is back; the
    worker given both hosts (``target_session_attrs=prefer-standby``) moves to the primary and keeps answering;
    nginx keeps serving what it holds."""
    pair = shape.pair
    with httpx.Client(base_url=shape.proxy.base, timeout=10) as nginx:
        assert nginx.get(ENTITY).status_code == 200  # an entry to serve while the workers cannot
    assert entity_names(httpx.get(shape.failover.base + ENTITY, timeout=5))
    assert connections(pair.replica.port, "atlas_failover") >= 1  # it reads the standby while there is one

    replica_statuses: Counter[int] = Counter()
    failover_statuses: Counter[int] = Counter()
    nginx_statuses: Counter[str] = Counter()
    pair.replica.stop("immediate")
    stopped = time.monotonic()
    # Seconds from the kill to each replica worker's first 503: until its watcher has looked (within a
    # second) a worker may still replay an answer from its read cache, which is right.
    first_503: dict[int, float] = {}
    failed_over: float | None = None
    asked = 0
    try:
        while time.monotonic() - stopped < 20 and (len(first_503) < len(shape.workers) or failed_over is None):
            for worker in shape.workers:
                status = httpx.get(worker.base + ENTITY, timeout=10).status_code
                replica_statuses[status] += 1
                if status == 503:
                    first_503.setdefault(worker.port, time.monotonic() - stopped)
            # A search never asked before: answered from the database, not from the worker's read cache.
            asked += 1
            status = httpx.get(f"{shape.failover.base}/api/search?q=crane{asked}", timeout=10).status_code
            failover_statuses[status] += 1
            if status == 200 and failed_over is None and first_503:
                failed_over = time.monotonic() - stopped
            response = httpx.get(shape.proxy.base + ENTITY, timeout=10)
            nginx_statuses[f"{response.status_code} {cache_status(response)}"] += 1
            time.sleep(0.1)
        # Past max-age nginx would revalidate: both workers answer 503, and it serves its expired entry.
        time.sleep(max(0.0, stopped + MAX_AGE + 0.5 - time.monotonic()))
        response = httpx.get(shape.proxy.base + ENTITY, timeout=10)
        nginx_statuses[f"{response.status_code} {cache_status(response)}"] += 1
        assert response.status_code == 200 and cache_status(response) == "STALE", nginx_statuses
        # The workers of the replica keep answering 503 while it is down; /healthz tells the balancer so.
        still_down = {
            (worker.port, path): httpx.get(worker.base + path, timeout=10)
            for worker in shape.workers
            for path in (ENTITY, "/healthz")
        }
        assert {response.status_code for response in still_down.values()} == {503}, still_down
        assert all(still_down[worker.port, ENTITY].headers.get("retry-after") == "1" for worker in shape.workers)
        assert connections(pair.primary.port, "atlas_failover") >= 1
    finally:
        pair.replica.start()
    restarted = time.monotonic()
    while not all(httpx.get(w.base + ENTITY, timeout=10).status_code == 200 for w in shape.workers):
        assert time.monotonic() - restarted < 20, "the replica workers did not recover"
        time.sleep(0.1)
    recovered = time.monotonic() - restarted
    answers = ", ".join(f"{seconds:.2f}" for seconds in sorted(first_503.values()))
    figure(f"replica killed: its workers answered {dict(replica_statuses)}; each 503 from {answers} s on")
    figure(
        f"worker on both hosts (prefer-standby), uncached searches: {dict(failover_statuses)}; "
        f"answering from the primary {failed_over:.2f} s after the kill"
    )
    figure(f"nginx meanwhile: {dict(nginx_statuses)}")
    figure(f"replica restarted: its workers answer 200 again after {recovered:.2f} s")

    assert len(first_503) == len(shape.workers) and set(replica_statuses) <= {200, 503}, replica_statuses
    assert failed_over is not None and set(failover_statuses) <= {200, 503}, failover_statuses
    assert all(status.startswith("200") for status in nginx_statuses), nginx_statuses
    assert entity_names(httpx.get(shape.failover.base + ENTITY, timeout=5))


def test_atlas_serve_on_a_replica_serves_what_the_replica_holds(shape: Shape, tmp_path: Path) -> None:
    """``atlas serve`` with data newer than the replica's store (code deployed before the load ran on the
    primary) starts and serves the replica's store."""
    other = version_b(tmp_path, shape.data["A"])
    (other / "clusters.yaml").write_text((other / "clusters.yaml").read_text() + "# another edit\n")
    port = free_port()
    env = atlas_environment(url(shape.pair.replica.port), SCHEMA, data_dir=str(other), **WORKER_SETTINGS)
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("atlas")), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while server.poll() is None and time.monotonic() < deadline:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            said = server.communicate(timeout=10)[1].decode(errors="replace")
            raise AssertionError(f"atlas serve did not start on the replica: {said[-1000:]}")
        assert answer.status_code == 200
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=10)
