"""The serving limit: the atlas's own response bytes, served from memory by the same uvicorn.

At start-up it fetches every path listed in ``BENCH_LIMIT_PATHS`` (a file, one path+query a line) once
from ``BENCH_LIMIT_UPSTREAM`` (the atlas on PostGIS) with ``Accept-Encoding: gzip``, and keeps the exact
body (gzipped as the atlas sent it) and headers. Afterwards it answers GET of the same path+query with
those bytes and anything else with 404. It does no other work: no database, no JSON, no compression.

    BENCH_LIMIT_UPSTREAM=http://127.0.0.1:8001 BENCH_LIMIT_PATHS=paths.txt \
        python -m uvicorn --app-dir bench limit_app:app --no-access-log --workers 1 --port 8004
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request
from pathlib import Path

# Headers uvicorn writes itself, or that would be wrong for a copy.
_NOT_COPIED = {b"date", b"server", b"content-length", b"transfer-encoding", b"connection"}
_NOT_FOUND = (404, [(b"content-type", b"text/plain"), (b"content-length", b"9")], b"not found")

_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback, whatever *_proxy says

Response = tuple[int, list[tuple[bytes, bytes]], bytes]
responses: dict[bytes, Response] = {}


def _fetch(upstream: str, target: str) -> Response | None:
    request = urllib.request.Request(upstream + target, headers={"Accept-Encoding": "gzip"})
    try:
        with _opener.open(request, timeout=120) as answer:  # urllib never decompresses
            body = answer.read()
            headers = [
                (name.lower().encode("latin-1"), value.encode("latin-1"))
                for name, value in answer.headers.items()
                if name.lower().encode("latin-1") not in _NOT_COPIED
            ]
    except urllib.error.HTTPError as error:
        print(f"limit_app: {target}: upstream answered {error.code}; serving 404", file=sys.stderr)
        return None
    headers.append((b"content-length", str(len(body)).encode()))
    return 200, headers, body


def load() -> None:
    """Fetch and keep every listed response (called once, at start-up)."""
    upstream = os.environ["BENCH_LIMIT_UPSTREAM"].rstrip("/")
    for line in Path(os.environ["BENCH_LIMIT_PATHS"]).read_text().splitlines():
        target = line.strip()
        if target and (response := _fetch(upstream, target)):
            responses[target.encode("latin-1")] = response
    print(f"limit_app: holding {len(responses)} responses from {upstream}", file=sys.stderr)


async def app(scope, receive, send) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                load()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    target = scope["raw_path"]
    if scope["query_string"]:
        target += b"?" + scope["query_string"]
    status, headers, body = responses.get(target, _NOT_FOUND) if scope["method"] == "GET" else _NOT_FOUND
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
