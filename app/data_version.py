"""A fingerprint of the data directory: the store records it, the API serves it and derives ETags."""

from __future__ import annotations

import hashlib
from pathlib import Path


def data_version(data_dir: Path) -> str:
    """SHA-256 (first 16 hex digits) over every file of ``data_dir``, names included, hidden files not."""
    digest = hashlib.sha256()
    for path in sorted(data_dir.rglob("*")):
        relative = path.relative_to(data_dir)
        if path.is_file() and not any(part.startswith(".") for part in relative.parts):
            digest.update(relative.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]
