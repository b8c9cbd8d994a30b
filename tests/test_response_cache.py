"""The read cache: replays whole responses (compressed as sent), bounded, emptied by a new data version."""

from __future__ import annotations

from dataclasses import dataclass

import anyio
import httpx

from api.middleware import CachedReads


@dataclass
class Info:
    data_version: str


class FakeStore:
    """Only what CachedReads asks of the store: its data version."""

    def __init__(self) -> None:
        self.version = "v1"

    def info(self) -> Info:
        return Info(self.version)

    def info_if_fresh(self) -> None:
        return None  # always ask info(), so that a version change is seen at once


def app_counting_calls(calls: list[str]):  # type: ignore[no-untyped-def]
    async def app(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        calls.append(scope["path"])
        body = (scope["path"] * 100).encode()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": body})

    return app


def get(app, path: str, **headers: str) -> httpx.Response:  # type: ignore[no-untyped-def]
    async def go() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
            return await client.get(path, headers=headers)

    return anyio.run(go)


def test_replays_then_forgets_on_a_new_data_version() -> None:
    calls: list[str] = []
    store = FakeStore()
    cache = CachedReads(app_counting_calls(calls), lambda: store, ("/api",), 60, 1_000_000)
    plain = {"accept-encoding": "identity"}
    first, second = get(cache, "/api/a", **plain), get(cache, "/api/a", **plain)
    assert first.content == second.content and first.headers["etag"] == second.headers["etag"]
    assert calls == ["/api/a"]
    get(cache, "/api/a", **{"accept-encoding": "gzip"})  # another encoding is another entry
    assert calls == ["/api/a", "/api/a"]
    store.version = "v2"
    third = get(cache, "/api/a", **plain)
    assert calls == ["/api/a", "/api/a", "/api/a"] and third.headers["etag"] != first.headers["etag"]


def test_stays_within_its_bound() -> None:
    calls: list[str] = []
    store = FakeStore()
    cache = CachedReads(app_counting_calls(calls), lambda: store, ("/api",), 60, max_bytes=4000)
    for path in ("/api/one", "/api/two", "/api/three", "/api/four", "/api/five", "/api/one"):
        get(cache, path)
    assert cache.size <= 4000
    assert calls[-1] == "/api/one"  # the oldest was evicted, so it was built again
    assert get(cache, "/elsewhere").status_code == 200 and "etag" not in get(cache, "/elsewhere").headers


def test_off_with_zero_bytes() -> None:
    calls: list[str] = []
    store = FakeStore()
    cache = CachedReads(app_counting_calls(calls), lambda: store, ("/api",), 60, max_bytes=0)
    get(cache, "/api/a")
    get(cache, "/api/a")
    assert calls == ["/api/a", "/api/a"] and cache.size == 0
