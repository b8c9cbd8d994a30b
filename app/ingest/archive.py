"""Keeping a new plan in ``data/plans/``: the original file, its normalised text, and both checksums.

The original is kept as handed over (so anyone can check the text against it), the normalised text is what
quotes are validated against, and ``SHA256SUMS`` (the format of ``sha256sum``: hash, two spaces, name)
records both, so a later change to either is noticed.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from app.catalogue import Id
from app.errors import AtlasError
from app.ingest.documents import read_document
from app.ingest.normalise import normalise

SUMS = "SHA256SUMS"
_PLAN_ID = TypeAdapter(Id)


class ArchiveError(AtlasError):
    """A plan cannot be archived (a bad id, an id already taken, an unwritable directory)."""


@dataclass(frozen=True)
class ArchivedPlan:
    """Where the archived plan's files are, and their SHA-256 (hex)."""

    original: Path
    text: Path
    sha256: str
    text_sha256: str


def archive_plan(source: Path, plan_id: str, data_dir: Path, *, replace: bool = False) -> ArchivedPlan:
    """Copy ``source`` to ``data_dir/plans/<plan_id>.<ext>``, write its normalised text to ``<plan_id>.txt``.

    Both SHA-256 lines go into ``data_dir/plans/SHA256SUMS``. A plain-text original is kept as
    ``<plan_id>.source.txt`` (``<plan_id>.txt`` is the normalised text). Refuses a ``plan_id`` that is not
    a catalogue id, or one whose files or checksum lines exist already, unless ``replace`` is true (then
    the old files and lines give way). Raises :class:`ArchiveError`, or
    :class:`app.ingest.documents.DocumentError` if the document cannot be read.
    """
    source = Path(source)
    try:
        _PLAN_ID.validate_python(plan_id)
    except ValidationError:
        raise ArchiveError(
            f"计划编号无效 plan id {plan_id!r} is not an id: lower-case letters and digits joined by single "
            "hyphens, at most 80 characters (e.g. fyp2026, wuhan-auto-2025)"
        ) from None
    raw = read_document(source)  # before anything is written: a file that cannot be read leaves no trace
    text = normalise(raw)
    if not text.strip():
        raise ArchiveError(f"{source}: 规范化后没有文字 no text is left after normalising it")
    original_bytes = source.read_bytes()

    plans = Path(data_dir) / "plans"
    suffix = source.suffix.lower()
    original = plans / (f"{plan_id}.source.txt" if suffix == ".txt" else f"{plan_id}{suffix}")
    text_path = plans / f"{plan_id}.txt"
    sums_path = plans / SUMS
    names = {original.name, text_path.name}
    sums = _read_sums(sums_path)
    taken = sorted({name for name in names if (plans / name).exists()} | {name for _, name in sums if name in names})
    if taken and not replace:
        raise ArchiveError(
            f"计划已存在 plan {plan_id!r} is archived already ({', '.join(taken)} in {plans}); "
            "choose another id, or replace it on purpose"
        )

    text_bytes = text.encode("utf-8")
    try:
        plans.mkdir(parents=True, exist_ok=True)
        # Other plans of the same name pattern but another extension (a replaced .docx by a .pdf) go too.
        if replace:
            for stale in plans.glob(f"{plan_id}.*"):
                if stale.name != SUMS and stale not in (original, text_path) and _is_plan_file(stale, plan_id):
                    stale.unlink()
        _write_atomically(original, original_bytes)
        _write_atomically(text_path, text_bytes)
        kept = [(digest, name) for digest, name in sums if not _is_plan_name(name, plan_id)]
        kept += [(_sha256(original_bytes), original.name), (_sha256(text_bytes), text_path.name)]
        _write_atomically(sums_path, "".join(f"{digest}  {name}\n" for digest, name in kept).encode("utf-8"))
    except OSError as exc:
        raise ArchiveError(f"{plans}: 无法写入 cannot write the plan's files ({exc.strerror or exc})") from None
    return ArchivedPlan(original, text_path, _sha256(original_bytes), _sha256(text_bytes))


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _is_plan_name(name: str, plan_id: str) -> bool:
    """True for ``<plan_id>.<ext>`` and ``<plan_id>.source.txt``, not for ``<plan_id>-2.pdf`` (another plan)."""
    return name.startswith(f"{plan_id}.") and "/" not in name


def _is_plan_file(path: Path, plan_id: str) -> bool:
    return path.is_file() and _is_plan_name(path.name, plan_id)


def _read_sums(path: Path) -> list[tuple[str, str]]:
    """The checksum lines (hash, name) of ``SHA256SUMS``, in order; none if it does not exist."""
    if not path.is_file():
        return []
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        if digest and name:
            lines.append((digest, name.lstrip("*")))  # sha256sum marks binary mode with '*'
    return lines


def _write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all (a crash mid-write leaves the old file)."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
