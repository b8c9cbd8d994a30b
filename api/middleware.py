"""ASGI middleware of the atlas: HEAD, path normalisation, and conditional GET (ETag / 304)."""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from collections.abc import Callable

import anyio
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.store.location import StoreUnavailable
from app.store.published import Store
from app.versions import code_version

_SLASHES = re.compile(r"/{2,}")


class HeadAsGet:
    """Answers HEAD like GET, without the body (FastAPI routes answer GET only)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_headers_only)


class CollapseSlashes:
    """``/ogc//conformance`` is ``/ogc/conformance`` (clients that join URLs naively send the former)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and "//" in scope["path"]:
            path = _SLASHES.sub("/", scope["path"])
            scope = {**scope, "path": path, "raw_path": path.encode()}
        await self.app(scope, receive, send)


# What an entry costs beyond its bytes: the tuple, list and dict slots, and the objects holding the bytes.
ENTRY_OVERHEAD = 512
# Requests whose path and query are longer than this are answered but not kept.
MAX_KEY_BYTES = 4096


def representation(accept: str) -> str:
    """The representation an ``Accept`` header asks for, as the cache keys it: ``html`` for browsers,
    ``data`` for everything else. Keying on this rather than the raw header keeps one entry per
    representation, whatever a client writes in the header."""
    return "html" if "text/html" in accept.lower() else "data"


class CachedReads:
    """Per-request store snapshot, ETag, Cache-Control, 304 and a cache of whole responses for reads.

    Each request reads one published build (a snapshot, handed to the routes in ``scope["state"]``),
    and its ETag names that build's version and the serving code's: a load, a change of scope or a
    deployment of other code gives new ETags. The data changes only with a load, so a response is
    identified by that version and the request (path, query, representation asked for, encoding); its
    bytes, compressed as sent, are kept in an LRU cache bounded in bytes (every byte an entry holds:
    key, headers, body and a fixed overhead) and in entries, and replayed. An unchanged response is
    answered 304 before any query runs. Concurrent identical misses are built once.
    """

    def __init__(
        self,
        app: ASGIApp,
        store: Callable[[], Store],
        prefixes: tuple[str, ...],
        max_age: int,
        max_bytes: int,
        max_entries: int = 4096,
    ) -> None:
        self.app, self.store, self.prefixes, self.max_age = app, store, prefixes, max_age
        self.max_bytes, self.max_entries = max_bytes, max_entries
        self.max_entry = max_bytes // 8
        self.entries: OrderedDict[tuple[bytes, ...], tuple[list[tuple[bytes, bytes]], bytes, int]] = OrderedDict()
        self.building: dict[tuple[bytes, ...], anyio.Event] = {}
        self.size = 0
        self.version = ""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or not scope["path"].startswith(self.prefixes):
            await self.app(scope, receive, send)
            return
        store = self.store()
        # No thread hop on the hot path: the store's pointer is re-read at most once a second.
        snapshot = store.snapshot_if_fresh()
        if snapshot is None:
            try:
                snapshot = await anyio.to_thread.run_sync(store.snapshot)
            except StoreUnavailable:
                await self.app(scope, receive, send)  # the route reports the outage
                return
        scope.setdefault("state", {})["store"] = snapshot
        version = f"{snapshot.info().version}-{code_version()}"
        if version != self.version:
            self.entries.clear()
            self.size, self.version = 0, version
        headers = Headers(scope=scope)
        request_key = b"\0".join(
            [scope["path"].encode(), scope["query_string"], representation(headers.get("accept", "")).encode()]
        )
        etag = f'W/"{snapshot.info().version}-{hashlib.sha1(version.encode() + request_key).hexdigest()[:16]}"'
        caching = {"etag": etag, "cache-control": f"public, max-age={self.max_age}", "vary": "Accept, Accept-Encoding"}
        wanted = [tag.strip() for tag in headers.get("if-none-match", "").split(",")]
        if etag in wanted:
            await _not_modified(send, caching)
            return
        encoding = b"gzip" if "gzip" in headers.get("accept-encoding", "") else b""
        key = (request_key, encoding)
        keep = self.max_bytes > 0 and len(request_key) <= MAX_KEY_BYTES
        cached = self.entries.get(key) if keep else None
        while keep and cached is None and key in self.building:
            await self.building[key].wait()  # the same response is being built: replay it when done
            cached = self.entries.get(key)
        if cached is not None:
            self.entries.move_to_end(key)
            if "*" in wanted:  # the resource has a current representation
                await _not_modified(send, caching)
                return
            await send({"type": "http.response.start", "status": 200, "headers": cached[0]})
            await send({"type": "http.response.body", "body": cached[1]})
            return
        done = anyio.Event()
        if keep:
            self.building[key] = done
        status = 0
        start_headers: list[tuple[bytes, bytes]] = []
        chunks: list[bytes] = []
        held = 0

        async def send_and_keep(message: Message) -> None:
            nonlocal status, start_headers, keep, held
            if message["type"] == "http.response.start":
                status = message["status"]
                if status == 200:
                    response_headers = MutableHeaders(scope=message)
                    for name, value in caching.items():
                        response_headers[name] = value
                    if "*" in wanted:
                        await _not_modified(send, caching)
                        keep = False
                        status = 304
                        return
                # A copy, taken now: outer middleware (CORS) adds per-request headers to this list in place.
                start_headers = list(message["headers"])
            elif message["type"] == "http.response.body":
                if status == 304:
                    return  # already answered
                if status == 200 and keep:
                    body = message.get("body", b"")
                    held += len(body)
                    keep = held <= self.max_entry
                    if keep:
                        chunks.append(body)
                    else:
                        chunks.clear()  # too large to keep: stop holding its bytes at once
                    if keep and not message.get("more_body", False):
                        self._keep(key, start_headers, b"".join(chunks))
            await send(message)

        try:
            await self.app(scope, receive, send_and_keep)
        finally:
            if self.building.get(key) is done:
                del self.building[key]
            done.set()

    def _keep(self, key: tuple[bytes, ...], headers: list[tuple[bytes, bytes]], body: bytes) -> None:
        cost = ENTRY_OVERHEAD + sum(map(len, key)) + sum(len(name) + len(value) for name, value in headers) + len(body)
        if cost > self.max_entry:
            return
        if key in self.entries:
            self.size -= self.entries.pop(key)[2]
        self.entries[key] = (headers, body, cost)
        self.size += cost
        while self.entries and (self.size > self.max_bytes or len(self.entries) > self.max_entries):
            _, (_, _, evicted) = self.entries.popitem(last=False)
            self.size -= evicted


async def _not_modified(send: Send, caching: dict[str, str]) -> None:
    await send({"type": "http.response.start", "status": 304, "headers": _raw(caching)})
    await send({"type": "http.response.body", "body": b""})


def _raw(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    return [(name.encode(), value.encode()) for name, value in headers.items()]


SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


class SecurityHeaders:
    """Headers every response carries (the page adds its own Content-Security-Policy)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
