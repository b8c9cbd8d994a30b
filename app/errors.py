"""The atlas's errors: one family, :class:`AtlasError`, with the kinds every layer shares.

Each module that fails in a way of its own subclasses :class:`AtlasError` beside its code (a data file
that cannot be read, a map that cannot be made); the kinds here are raised across modules and answered
by the web service (``api/errors.py`` maps each class to an HTTP status and an OGC exception code).
Every message says what is wrong and, where it can, what to do.
"""

from __future__ import annotations


class AtlasError(Exception):
    """An error the atlas raises on purpose; the message says what is wrong."""


class InvalidParameter(AtlasError, ValueError):
    """A request parameter has a value the atlas cannot use; ``name`` is the parameter."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.name, self.message = name, message


class NotFound(AtlasError, LookupError):
    """No such collection, feature, entity or place."""


class StoreUnavailable(AtlasError):
    """The store cannot be reached or has not been built; the message says what to do."""


class Busy(AtlasError):
    """Every slot and queue place of a kind of job is taken; try again after ``retry_after`` seconds."""

    def __init__(self, kind: str, retry_after: int) -> None:
        super().__init__(f"The atlas is busy with {kind}; try again in {retry_after} s (Retry-After).")
        self.kind, self.retry_after = kind, retry_after
