"""The read cache: replays whole responses (compressed as sent), bounded in every byte it holds and in
entries, keyed on what shapes the answer and nothing a client can vary at will, emptied by a new store.

The cache wraps a small ASGI app whose bodies the tests choose; the store it reads versions from is a
real SpatiaLite store: the shipped data's, loaded once for the session, or the minimal catalogue's where a
test loads it again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import anyio
import httpx
import pytest

from api.middleware import ENTRY_OVERHEAD, CachedReads
from app.settings import Settings
from app.store.load import load_store
from app.store.published import SWAP_CHECK_INTERVAL, Store

from .test_store_load import rename_entity


def _quiet(_message: str) -> None:
    pass


@pytest.fixture
def settings(make_data_dir: Callable[..., Path], tmp_path: Path) -> Settings:
    settings = Settings(data_dir=make_data_dir(), store_path=tmp_path / "cache.sqlite")
    load_store(settings, progress=_quiet)
    return settings


@pytest.fixture
def own_store(settings: Settings) -> Iterator[Store]:
    """A store of the minimal catalogue of the test's own, to load again."""
    store = Store(settings)
    yield store
    store.close()


@pytest.fixture(scope="module")
def store(spatialite_loaded: Settings) -> Iterator[Store]:
    """A store no test here loads again: only its version is read."""
    store = Store(spatialite_loaded)
    yield store
    store.close()


def app_counting_calls(calls: list[str], body_size: int = 100, delay: float = 0.0):  # type: ignore[no-untyped-def]
    """An app answering 200 with ``body_size`` bytes (404 under /api/missing), recording each call."""

    async def app(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        calls.append(scope["path"])
        if delay:
            await anyio.sleep(delay)
        status = 404 if scope["path"].startswith("/api/missing") else 200
        body = (scope["path"].encode() * body_size)[:body_size]
        await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": body})

    return app


def get(app, path: str, **headers: str) -> httpx.Response:  # type: ignore[no-untyped-def]
    async def go() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
            return await client.get(path, headers=headers)

    return anyio.run(go)


def held_bytes(cache: CachedReads) -> int:
    """Every byte the entries hold: keys, headers and bodies (what the bound must cover)."""
    return sum(
        sum(map(len, key)) + sum(len(name) + len(value) for name, value in headers) + len(body)
        for key, (headers, body, *_rest) in cache.entries.items()
    )


def test_replays_then_forgets_on_a_new_store_version(own_store: Store, settings: Settings) -> None:
    calls: list[str] = []
    cache = CachedReads(app_counting_calls(calls), lambda: own_store, ("/api",), 60, 1_000_000)
    plain = {"accept-encoding": "identity"}
    first, second = get(cache, "/api/a", **plain), get(cache, "/api/a", **plain)
    assert first.content == second.content and first.headers["etag"] == second.headers["etag"]
    assert calls == ["/api/a"]
    get(cache, "/api/a", **{"accept-encoding": "gzip"})  # another encoding is another entry
    assert calls == ["/api/a", "/api/a"]
    rename_entity(settings.data_dir, "Renamed For The Cache")
    load_store(settings, progress=_quiet)
    time.sleep(SWAP_CHECK_INTERVAL + 0.1)
    third = get(cache, "/api/a", **plain)
    assert calls == ["/api/a", "/api/a", "/api/a"] and third.headers["etag"] != first.headers["etag"]


def test_evicts_to_stay_within_its_bound_counting_keys_and_headers(store: Store) -> None:
    calls: list[str] = []
    bound = 20_000
    cache = CachedReads(app_counting_calls(calls, body_size=1000), lambda: store, ("/api",), 60, max_bytes=bound)
    paths = [f"/api/item-{index}" for index in range(40)]
    for path in paths:
        assert get(cache, path).status_code == 200
    assert 0 < len(cache.entries) < len(paths)  # something is kept, and the oldest were evicted
    assert held_bytes(cache) + ENTRY_OVERHEAD * len(cache.entries) <= bound
    assert cache.size <= bound
    get(cache, paths[0])
    assert calls[-1] == paths[0]  # evicted, so built again
    get(cache, paths[-1])
    assert calls[-1] == paths[0]  # still kept, so replayed
    assert get(cache, "/elsewhere").status_code == 200 and "etag" not in get(cache, "/elsewhere").headers


def test_empty_bodies_and_long_queries_are_counted(store: Store) -> None:
    calls: list[str] = []
    bound = 100_000
    cache = CachedReads(app_counting_calls(calls, body_size=0), lambda: store, ("/tiles",), 60, max_bytes=bound)
    for index in range(600):
        get(cache, f"/tiles/counties/18/{index}/1.mvt?pad={'x' * 3000}")
    assert held_bytes(cache) <= bound
    assert len(cache.entries) <= bound // 3000


def test_bounded_in_entries(store: Store) -> None:
    calls: list[str] = []
    cache = CachedReads(app_counting_calls(calls, body_size=1), lambda: store, ("/api",), 60, 1_000_000, max_entries=10)
    for index in range(50):
        get(cache, f"/api/n{index}")
    assert len(cache.entries) == 10


def test_accept_headers_do_not_multiply_entries(store: Store) -> None:
    calls: list[str] = []
    cache = CachedReads(app_counting_calls(calls), lambda: store, ("/api",), 60, 1_000_000)
    for index in range(30):
        get(cache, "/api/same", accept=f"application/x-{index}-{'y' * 4000}")
    assert calls == ["/api/same"]
    get(cache, "/api/same", accept="text/html,application/xhtml+xml")  # a browser's representation is another
    assert len(calls) == 2


def test_if_none_match_star_is_304_for_what_exists(store: Store) -> None:
    calls: list[str] = []
    cache = CachedReads(app_counting_calls(calls), lambda: store, ("/api",), 60, 1_000_000)
    assert get(cache, "/api/there", **{"if-none-match": "*"}).status_code == 304  # built, then 304
    assert get(cache, "/api/there", **{"if-none-match": "*"}).status_code == 304  # from the cache
    assert get(cache, "/api/there").status_code == 200
    assert get(cache, "/api/missing", **{"if-none-match": "*"}).status_code == 404


def test_identical_misses_are_built_once(store: Store) -> None:
    calls: list[str] = []
    cache = CachedReads(app_counting_calls(calls, delay=0.3), lambda: store, ("/api",), 60, 1_000_000)

    async def many() -> list[int]:
        statuses: list[int] = []
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=cache), base_url="http://test") as client:

            async def one() -> None:
                statuses.append((await client.get("/api/slow")).status_code)

            async with anyio.create_task_group() as group:
                for _ in range(10):
                    group.start_soon(one)
        return statuses

    assert anyio.run(many) == [200] * 10
    assert calls == ["/api/slow"]


def test_off_with_zero_bytes(store: Store) -> None:
    calls: list[str] = []
    cache = CachedReads(app_counting_calls(calls), lambda: store, ("/api",), 60, max_bytes=0)
    get(cache, "/api/a")
    get(cache, "/api/a")
    assert calls == ["/api/a", "/api/a"]
