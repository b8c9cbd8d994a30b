"""Under load: a real load generator (wrk) at concurrency 50 ends with zero errors; several workers
serve and follow a new load; PostgreSQL restarted mid-load costs only the seconds it is down."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from app.settings import REPO_DATA_DIR, Settings
from app.store.load import load_store

from .conftest import backend_settings, free_port, running_server, server_environment, wait_until_answering

pytestmark = pytest.mark.slow  # wrk, uvicorn processes, PostgreSQL restarts

MIX = Path(__file__).parent / "load" / "mix.lua"  # asks for the shipped catalogue's sectors and places
SHIPPED_CATALOGUE = (REPO_DATA_DIR / "clusters.yaml").read_text(encoding="utf-8")
# 12 s at concurrency 50 is thousands of requests: enough to find an error under load. A longer soak is
# ATLAS_LOAD_SECONDS=60 (the suite must stay well under 15 minutes).
LOAD_SECONDS = int(os.environ.get("ATLAS_LOAD_SECONDS", "12"))


def wrk(base: str, seconds: int, connections: int = 50) -> dict[str, float]:
    """Run wrk with the request mix; return requests, errors (socket + non-2xx/3xx) and requests/s."""
    result = subprocess.run(
        ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s", "-s", str(MIX), base],
        capture_output=True,
        text=True,
        check=True,
    )
    out = result.stdout
    requests = int(re.search(r"(\d+) requests in", out)[1])
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = (sum(map(int, socket.groups())) if socket else 0) + (int(non_2xx[1]) if non_2xx else 0)
    return {"requests": requests, "errors": errors, "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])}


@pytest.mark.parametrize("backend", ["spatialite", "postgis"])
def test_load_at_concurrency_50_has_no_errors(servers: dict[str, str], backend: str) -> None:
    stats = wrk(servers[backend], LOAD_SECONDS)
    assert stats["requests"] > 100
    assert stats["errors"] == 0, stats


def test_several_workers_serve_and_follow_a_new_load(make_data_dir: Callable[..., Path], tmp_path: Path) -> None:
    settings = backend_settings("spatialite", tmp_path, "workers", make_data_dir(SHIPPED_CATALOGUE))
    load_store(settings, progress=lambda _message: None)
    with running_server(settings, "--workers", "2") as base:
        port = base.rsplit(":", 1)[1]
        supervisor = subprocess.run(["pgrep", "-f", "--", f"--port {port}"], capture_output=True, text=True)
        [pid] = supervisor.stdout.split()
        workers = subprocess.run(["pgrep", "-P", pid], capture_output=True, text=True).stdout.split()
        assert len(workers) >= 2
        stats = wrk(base, 5, connections=20)
        assert stats["errors"] == 0 and stats["requests"] > 100
        old = httpx.get(f"{base}/healthz").json()["data_version"]
        catalogue = settings.data_dir / "clusters.yaml"
        catalogue.write_text(catalogue.read_text(encoding="utf-8").replace("Honghu", "Honghu City"), "utf-8")
        load_store(settings, progress=lambda _message: None)
        time.sleep(1.5)
        versions = {httpx.get(f"{base}/healthz").json()["data_version"] for _ in range(30)}
        assert versions and old not in versions  # every worker answers from the new store


def _restart_postgresql() -> None:
    command = ["pg_ctlcluster", "--skip-systemctl-redirect", "15", "main", "restart"]
    subprocess.run(command if os.geteuid() == 0 else ["sudo", "-n", *command], check=True, capture_output=True)


def test_api_recovers_by_itself_when_postgresql_restarts(loaded: dict[str, Settings]) -> None:
    log: list[tuple[float, int]] = []
    stop = threading.Event()
    with running_server(loaded["postgis"]) as base:

        def poll() -> None:
            with httpx.Client(base_url=base, timeout=10) as client:
                while not stop.is_set():
                    try:
                        status = client.get("/api/clusters", params={"sector": "aerospace"}).status_code
                    except httpx.TransportError:
                        status = -1
                    log.append((time.monotonic(), status))
                    time.sleep(0.02)

        pollers = [threading.Thread(target=poll) for _ in range(4)]
        for poller in pollers:
            poller.start()
        try:
            time.sleep(2)
            down = time.monotonic()
            _restart_postgresql()
            up = time.monotonic()
            time.sleep(4)
        finally:
            stop.set()
            for poller in pollers:
                poller.join()
    statuses = {status for _, status in log}
    assert statuses <= {200, 503}, statuses  # never a 500 or a dropped connection
    failures = [at for at, status in log if status != 200]
    assert all(down - 0.5 <= at <= up + 2.0 for at in failures), "errors outside the restart"
    assert [status for at, status in log if at > up + 2.0] and all(s == 200 for at, s in log if at > up + 2.0)
    assert any(status == 200 for at, status in log if at < down)


def test_serve_with_workers_from_the_cli(make_data_dir: Callable[..., Path], tmp_path: Path) -> None:
    settings = backend_settings("spatialite", tmp_path, "cli-workers", make_data_dir(SHIPPED_CATALOGUE))
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--port", str(port), "--workers", "2"],
        env=server_environment(settings),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert wait_until_answering(f"http://127.0.0.1:{port}", process).status_code == 200
        assert wrk(f"http://127.0.0.1:{port}", 3, connections=10)["errors"] == 0
    finally:
        process.terminate()
        process.wait(timeout=15)
