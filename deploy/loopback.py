"""The multi-machine shape of the atlas on one machine's loopback, with the real parts.

- :class:`ReplicaPair`: a PostgreSQL 15 primary and a **streaming replica** of it, two clusters of their own
  made with Debian's ``pg_createcluster`` and ``pg_basebackup -R`` on free loopback ports, PostGIS in the
  database :data:`DATABASE` (created on the primary, replicated like everything else);
- :class:`Worker`: ``atlas serve`` on a free port with ``ATLAS_DATABASE_URL`` pointing where it is told
  (the replica, or both hosts through libpq's multi-host list);
- :class:`CachingProxy`: Debian's nginx as a private instance (own prefix, pid file and cache directory under
  a temporary directory; ``/etc/nginx`` and the system service are never touched) running the shipped
  example configuration ``deploy/nginx/atlas-cache.conf`` with its placeholders filled in.

``tests/test_scaling.py`` runs them; ``python deploy/loopback.py`` brings the whole shape up by hand and
prints the addresses until Ctrl+C. Everything is torn down on exit, and a run killed half-way leaves
nothing that the next run does not remove first (clusters of the same names are dropped before creating).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path

import httpx
import psycopg

DEPLOY_DIR = Path(__file__).resolve().parent
REPO_DIR = DEPLOY_DIR.parent
NGINX_TEMPLATE = DEPLOY_DIR / "nginx" / "atlas-cache.conf"

PG_VERSION = "15"
PRIMARY = "atlas_s15_primary"
REPLICA = "atlas_s15_replica"
DATABASE = "atlas_s15"
NGINX = "/usr/sbin/nginx"

# Both clusters trust loopback (as the test server on 5432 does), replication connections included.
PG_HBA = """\
local   all          all                 trust
host    all          all   127.0.0.1/32  trust
host    replication  all   127.0.0.1/32  trust
"""
# Settings of the primary: replication needs wal_level=replica (PostgreSQL 15's default, said anyway) and
# WAL senders; the rest keeps a throw-away cluster small.
PRIMARY_OPTIONS = {
    "listen_addresses": "'127.0.0.1'",
    "wal_level": "replica",
    "max_wal_senders": "4",
    "wal_keep_size": "256MB",
    "shared_buffers": "64MB",
    "fsync": "off",  # a test cluster: durability across a power cut is not what is measured
}
# The replica answers reads while replaying (hot_standby) and tells the primary which rows its queries still
# see (hot_standby_feedback), so the primary's vacuum never makes the replica cancel a reader.
REPLICA_OPTIONS = {**PRIMARY_OPTIONS, "hot_standby": "on", "hot_standby_feedback": "on"}


def _sudo() -> list[str]:
    """Nothing as root; ``sudo`` otherwise (pg_createcluster and pg_ctlcluster need root or postgres)."""
    return [] if os.geteuid() == 0 else ["sudo"]


def _run(*command: str, check: bool = True, input: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run a command as root; on failure raise with what it printed (a set-up fault should say what went wrong)."""
    done = subprocess.run([*_sudo(), *command], capture_output=True, text=True, input=input)
    if check and done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return done


def free_port() -> int:
    """A TCP port free on loopback now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def url(port: int, database: str = DATABASE) -> str:
    """The SQLAlchemy URL of ``database`` on the cluster at ``port``."""
    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/{database}"


def multi_host_url(ports: list[int], target_session_attrs: str, database: str = DATABASE) -> str:
    """One URL naming several servers: libpq tries them in order and keeps the first whose role fits
    ``target_session_attrs`` (``prefer-standby``: a standby if one answers, else any)."""
    hosts = "&".join(f"host=127.0.0.1:{port}" for port in ports)
    return f"postgresql+psycopg://postgres@/{database}?{hosts}&target_session_attrs={target_session_attrs}"


def cluster_exists(name: str) -> bool:
    """Whether ``pg_lsclusters`` lists a PostgreSQL 15 cluster named ``name``."""
    listing = _run("pg_lsclusters", "-h").stdout
    return any(line.split()[:2] == [PG_VERSION, name] for line in listing.splitlines())


def drop_cluster(name: str) -> None:
    """Stop and drop the cluster ``name`` if it exists (left over from a killed run, or ours at the end), and its
    configuration directory, which ``pg_dropcluster`` leaves behind when it holds a file of ours (conf.d)."""
    assert name in (PRIMARY, REPLICA), f"not a cluster of ours: {name}"
    if cluster_exists(name):
        _run("pg_dropcluster", "--stop", PG_VERSION, name)
    _run("rm", "-rf", f"/etc/postgresql/{PG_VERSION}/{name}")


def _connect(port: int, database: str = DATABASE, **options: object) -> psycopg.Connection:
    return psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname=database, connect_timeout=3, **options)


def wait_for_server(port: int, database: str = "postgres", seconds: float = 30) -> None:
    """Wait until the server at ``port`` accepts connections to ``database``."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with _connect(port, database):
                return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


class Cluster:
    """One PostgreSQL 15 cluster of Debian's postgresql-common, on a loopback port."""

    def __init__(self, name: str, port: int) -> None:
        self.name, self.port = name, port

    @property
    def data_dir(self) -> Path:
        """Where its data lives (postgresql-common's default)."""
        return Path(f"/var/lib/postgresql/{PG_VERSION}/{self.name}")

    @property
    def config_dir(self) -> Path:
        """Where its configuration lives (postgresql-common keeps it out of the data directory)."""
        return Path(f"/etc/postgresql/{PG_VERSION}/{self.name}")

    def create(self, options: dict[str, str]) -> None:
        """``pg_createcluster``, then ``options`` in its ``conf.d/`` and the trust-on-loopback ``pg_hba.conf``;
        not started."""
        drop_cluster(self.name)
        _run("pg_createcluster", "--start-conf", "manual", "-p", str(self.port), PG_VERSION, self.name)
        settings = "".join(f"{key} = {value}\n" for key, value in options.items())
        for path, text in {
            self.config_dir / "conf.d" / "atlas.conf": settings,
            self.config_dir / "pg_hba.conf": PG_HBA,
        }.items():
            # As postgres (through sudo when not root): the cluster's files are postgres's.
            _run("runuser", "-u", "postgres", "--", "tee", str(path), input=text)

    def start(self) -> None:
        """Start it and wait until it accepts connections."""
        _run("pg_ctlcluster", PG_VERSION, self.name, "start")
        wait_for_server(self.port)

    def stop(self, mode: str = "fast") -> None:
        """Stop it (``immediate``: as if it crashed)."""
        _run("pg_ctlcluster", PG_VERSION, self.name, "stop", "-m", mode)

    def drop(self) -> None:
        """Stop and remove it."""
        drop_cluster(self.name)


class ReplicaPair:
    """A primary and a streaming replica of it, both PostgreSQL 15 on loopback, PostGIS in :data:`DATABASE`."""

    def __init__(self, primary_port: int | None = None, replica_port: int | None = None) -> None:
        self.primary = Cluster(PRIMARY, primary_port or free_port())
        self.replica = Cluster(REPLICA, replica_port or free_port())

    def __enter__(self) -> ReplicaPair:
        try:
            self.up()
        except BaseException:
            self.down()
            raise
        return self

    def __exit__(self, *_exc: object) -> None:
        self.down()

    def up(self) -> None:
        """Create and start both: the primary with the database and PostGIS, then the replica as a base
        backup of it (``pg_basebackup -R`` writes ``standby.signal`` and ``primary_conninfo``)."""
        self.replica.drop()
        self.primary.create(PRIMARY_OPTIONS)
        self.primary.start()
        with _connect(self.primary.port, "postgres", autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{DATABASE}"')
        with _connect(self.primary.port, autocommit=True) as connection:
            connection.execute("CREATE EXTENSION postgis")
        self.replica.create(REPLICA_OPTIONS)
        # pg_basebackup fills an empty directory; the one initdb made is kept (its owner and mode are right).
        _run("find", str(self.replica.data_dir), "-mindepth", "1", "-delete")
        _run(
            "runuser", "-u", "postgres", "--", f"/usr/lib/postgresql/{PG_VERSION}/bin/pg_basebackup",
            "-h", "127.0.0.1", "-p", str(self.primary.port), "-U", "postgres",
            "-D", str(self.replica.data_dir), "-R", "-X", "stream", "-c", "fast",
        )  # fmt: skip
        self.replica.start()
        wait_for_server(self.replica.port, DATABASE)
        if not self.in_recovery(self.replica.port):
            raise RuntimeError(f"{REPLICA} is not a standby")

    def down(self) -> None:
        """Stop and drop both clusters."""
        for cluster in (self.replica, self.primary):
            cluster.drop()

    @staticmethod
    def in_recovery(port: int) -> bool:
        """Whether the server at ``port`` is a standby."""
        with _connect(port) as connection:
            return bool(connection.execute("SELECT pg_is_in_recovery()").fetchone()[0])  # type: ignore[index]

    def published(self, port: int, schema: str) -> str | None:
        """The build the pointer table of ``schema`` names on the server at ``port`` (None: none yet)."""
        with _connect(port) as connection:
            if connection.execute("SELECT to_regclass(%s)", (f"{schema}.current_store",)).fetchone()[0] is None:  # type: ignore[index]
                return None
            row = connection.execute(f'SELECT schema_name FROM "{schema}".current_store').fetchone()
            return None if row is None else str(row[0])

    def wait_replayed(self, schema: str, seconds: float = 30) -> float:
        """Seconds until the replica's pointer names the primary's published build (replication lag as a
        reader of the replica sees it)."""
        wanted = self.published(self.primary.port, schema)
        started = time.monotonic()
        while self.published(self.replica.port, schema) != wanted:
            if time.monotonic() - started > seconds:
                raise TimeoutError(f"the replica did not replay {wanted} within {seconds} s")
            time.sleep(0.005)
        return time.monotonic() - started

    def pause_replay(self) -> None:
        """Stop the replica applying WAL (it keeps receiving it): it goes on showing what it had."""
        with _connect(self.replica.port) as connection:
            connection.execute("SELECT pg_wal_replay_pause()")

    def resume_replay(self) -> None:
        """Let the replica apply WAL again."""
        with _connect(self.replica.port) as connection:
            connection.execute("SELECT pg_wal_replay_resume()")

    def replay_lag(self) -> float | None:
        """``replay_lag`` of the replica as the primary's ``pg_stat_replication`` last reported it, in seconds."""
        with _connect(self.primary.port) as connection:
            row = connection.execute("SELECT extract(epoch FROM replay_lag) FROM pg_stat_replication").fetchone()
        return None if row is None or row[0] is None else float(row[0])


def atlas_environment(database_url: str, schema: str, **settings: str) -> dict[str, str]:
    """This process's environment without ``ATLAS_*``, plus the store's URL and schema and ``settings``
    (``cache_max_age="3"`` becomes ``ATLAS_CACHE_MAX_AGE=3``)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("ATLAS_")}
    env["ATLAS_DATABASE_URL"], env["ATLAS_DATABASE_SCHEMA"] = database_url, schema
    env |= {f"ATLAS_{name.upper()}": value for name, value in settings.items()}
    return env


def atlas(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``atlas ARGS`` (this interpreter's console script) with ``env``; raises with its output on failure."""
    command = [str(Path(sys.executable).with_name("atlas")), *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=REPO_DIR)
    if done.returncode != 0:
        raise RuntimeError(f"atlas {' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return done


class Worker:
    """An atlas worker (one uvicorn process) on a free loopback port, reading ``database_url``.

    It is started as ``atlas serve`` does after its check of the store, without that check: ``atlas serve``
    builds the store first when the published one is missing or was built by other code, and a worker on a
    replica cannot write (the load fails on the read-only standby and the worker never starts). On a replica
    the load belongs to the primary's deployment job alone (docs/scaling.md).
    """

    def __init__(
        self, database_url: str, schema: str, data_dir: Path, log_dir: Path, code_dir: Path = REPO_DIR, **settings: str
    ) -> None:
        self.port = free_port()
        self.code_dir = code_dir  # `python -m` imports the atlas from its working directory first
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = atlas_environment(database_url, schema, data_dir=str(data_dir), **settings)
        self.log = log_dir / f"worker-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def launch(self) -> None:
        """Start the process (without waiting: several workers start side by side)."""
        command = [sys.executable, "-m", "uvicorn", "api.factory:create_app", "--factory", "--port", str(self.port)]
        # As `atlas serve` does: X-Forwarded-* believed from ATLAS_TRUSTED_PROXIES only.
        trusted = json.loads(self.env.get("ATLAS_TRUSTED_PROXIES", "[]"))
        command += ["--forwarded-allow-ips", ",".join(trusted)] if trusted else ["--no-proxy-headers"]
        with self.log.open("ab") as sink:
            self.process = subprocess.Popen(command, env=self.env, stdout=sink, stderr=sink, cwd=self.code_dir)

    def wait(self, seconds: float = 60) -> None:
        """Wait until ``/healthz`` answers 200; raise with the worker's log if it died or took too long."""
        assert self.process is not None, "launch() first"
        deadline = time.monotonic() + seconds
        while True:
            try:
                if httpx.get(f"{self.base}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"atlas serve on {self.port} did not start:\n{self.log.read_text(errors='replace')}")
            time.sleep(0.1)

    def start(self, seconds: float = 60) -> None:
        """Start it and wait until ``/healthz`` answers 200."""
        self.launch()
        self.wait(seconds)

    def stop(self) -> None:
        """Stop it (SIGTERM, then SIGKILL after 10 s)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def snapshot_code(root: Path) -> Path:
    """A copy of the code a worker runs (``app``, ``api``, ``web``) under ``root``: workers started from it run
    one version of the code however the checkout changes meanwhile (the ETag names the code's version, and
    workers of different code would not revalidate each other's answers)."""
    code = root / "code"
    for package in ("app", "api", "web"):
        shutil.copytree(REPO_DIR / package, code / package, ignore=shutil.ignore_patterns("__pycache__"))
    return code


def render_nginx(template: Path, values: dict[str, str]) -> str:
    """The example configuration with its ``${ATLAS_…}`` placeholders filled in (as ``envsubst`` with the
    same variable names would); every placeholder must be given and every value used."""
    text = template.read_text()
    for name, value in values.items():
        placeholder = "${" + name + "}"
        if placeholder not in text:
            raise KeyError(f"{template} has no placeholder {placeholder}")
        text = text.replace(placeholder, value)
    if "${ATLAS_" in text:
        raise KeyError(f"{template}: a placeholder was left unfilled")
    return text


class CachingProxy:
    """Debian's nginx, a private instance under ``root``, running ``deploy/nginx/atlas-cache.conf`` in front
    of ``upstreams`` (host:port of atlas workers)."""

    def __init__(self, root: Path, upstreams: list[str], template: Path = NGINX_TEMPLATE) -> None:
        self.root, self.port = root, free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.cache_dir = root / "cache"
        for sub in ("logs", "temp", "cache"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        site = render_nginx(
            template,
            {
                "ATLAS_LISTEN": f"127.0.0.1:{self.port}",
                "ATLAS_UPSTREAM_SERVERS": " ".join(f"server {address};" for address in upstreams),
                "ATLAS_CACHE_DIR": str(self.cache_dir),
            },
        )
        (root / "atlas-cache.conf").write_text(site)
        # The main file a packaged nginx has in /etc/nginx/nginx.conf, reduced to what a private instance
        # needs: its own pid file, logs and temporary files, and the site as `include` would read it there.
        temp = root / "temp"
        # Started by root, nginx would run its workers as nobody, who cannot enter a private temporary
        # directory: they run as the user who started it (by anyone else, nginx runs as that user anyway).
        user = "user root root;\n" if os.geteuid() == 0 else ""
        (root / "nginx.conf").write_text(
            f"""{user}worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/logs/error.log warn;
events {{ worker_connections 512; }}
http {{
    access_log {root}/logs/access.log;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {root}/atlas-cache.conf;
}}
"""
        )
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Check the configuration (``nginx -t``), start nginx in the foreground and wait until it listens."""
        command = [NGINX, "-p", str(self.root), "-c", str(self.root / "nginx.conf")]
        _run(*command, "-t")
        self.process = subprocess.Popen([*command, "-g", "daemon off;"], stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    log = (self.root / "logs" / "error.log").read_text()
                    raise RuntimeError(f"nginx did not start: {log}") from None
                time.sleep(0.05)

    def purge(self) -> None:
        """Empty the cache (the documented purge: delete the cache files; nginx then misses and refetches)."""
        for entry in self.cache_dir.iterdir():
            if entry.is_dir():
                shutil.rmtree(entry)
            else:
                entry.unlink()

    def stop(self) -> None:
        """Stop nginx (SIGQUIT: graceful) and wait for it."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@contextmanager
def deployment(schema: str = "atlas", workers: int = 2, **settings: str) -> Iterator[dict[str, object]]:
    """The whole shape: replica pair, the store loaded on the primary, ``workers`` workers on the replica,
    nginx in front. Yields its parts by name."""
    with ExitStack() as stack:
        root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="atlas-s15-")))
        pair = stack.enter_context(ReplicaPair())
        atlas("load", env=atlas_environment(url(pair.primary.port), schema))
        pair.wait_replayed(schema)
        started = [Worker(url(pair.replica.port), schema, REPO_DIR / "data", root, **settings) for _ in range(workers)]
        for worker in started:
            stack.callback(worker.stop)
            worker.launch()
        for worker in started:
            worker.wait()
        proxy = CachingProxy(root / "nginx", [f"127.0.0.1:{worker.port}" for worker in started])
        stack.callback(proxy.stop)
        proxy.start()
        yield {"pair": pair, "workers": started, "proxy": proxy, "root": root}


def _stop_on_signal(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


if __name__ == "__main__":
    # SIGTERM (and SIGINT, which a shell ignores in background jobs) tear everything down, as Ctrl+C does.
    signal.signal(signal.SIGTERM, _stop_on_signal)
    signal.signal(signal.SIGINT, _stop_on_signal)
    with deployment() as parts:
        pair, proxy = parts["pair"], parts["proxy"]
        assert isinstance(pair, ReplicaPair) and isinstance(proxy, CachingProxy)
        print(f"primary  {url(pair.primary.port)}\nreplica  {url(pair.replica.port)}")
        for worker in parts["workers"]:  # type: ignore[attr-defined]
            print(f"worker   {worker.base} (reads the replica)")
        print(f"nginx    {proxy.base}/ (cache in {proxy.cache_dir})\nCtrl+C or SIGTERM tears it all down.", flush=True)
        with suppress(KeyboardInterrupt):
            signal.pause()
