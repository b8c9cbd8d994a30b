"""A fingerprint of the data directory: the store records it, the API serves it and derives ETags."""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path

_CHUNK = 1024 * 1024


def data_version(data_dir: Path) -> str:
    """SHA-256 (first 16 hex digits) over every file of ``data_dir``, names included, hidden files not.

    The data may come from a shared drive: files are hashed in chunks (bounded memory), and only regular
    files inside the data directory are read; a link that leads elsewhere, or a device or pipe, counts by
    its name and target alone (validation refuses what the catalogue may not use).
    """
    root = data_dir.resolve()
    digest = hashlib.sha256()
    for path in sorted(data_dir.rglob("*")):
        relative = path.relative_to(data_dir)
        if any(part.startswith(".") for part in relative.parts):
            continue
        digest.update(relative.as_posix().encode() + b"\0")
        try:
            target = path.resolve()
            mode = target.stat().st_mode
        except (OSError, RuntimeError):  # a dangling link or a link loop
            digest.update(b"<unreadable>\0")
            continue
        if stat.S_ISDIR(mode):
            continue
        if not stat.S_ISREG(mode) or not target.is_relative_to(root):
            digest.update(b"<not a data file> " + str(target).encode() + b"\0")
            continue
        with target.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
        digest.update(b"\0")
    return digest.hexdigest()[:16]
