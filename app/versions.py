"""Fingerprints that say what a store and a response were made from.

A store is shaped by the data, the scope it was loaded with, and the code that built it; a response
also by the code that serves it. Each fingerprint covers all of its inputs, so a cache keyed on it can
never answer with bytes made from something else.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

_PACKAGES = ("app", "api")
_REPO = Path(__file__).resolve().parent.parent
# The page template shapes what `/` answers; static files are served with their own validators.
_TEMPLATES = _REPO / "web" / "templates"


@cache
def code_version() -> str:
    """SHA-256 (16 hex digits) of the atlas's own source: a deployment of other code is another version."""
    digest = hashlib.sha256()
    roots = [_REPO / package for package in _PACKAGES] + [_TEMPLATES]
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix in (".py", ".html"):
                digest.update(path.relative_to(_REPO).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def store_version(data_version: str, scope: str, schema_version: str) -> str:
    """The version of a store built from ``data_version`` for ``scope`` by this code."""
    parts = (data_version, scope, schema_version, code_version())
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]
