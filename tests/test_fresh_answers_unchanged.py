"""Issue 14: making fresh requests faster changes no answer. The bodies (byte for byte, the OGC pages'
timeStamp aside) and content-types of a fixed set of OGC item pages, map layers and entity lists are those
recorded in ``tests/golden/`` before the change (``tests/golden/make.py`` says how they were made)."""

from __future__ import annotations

import pytest

from app.settings import Settings
from tests.conftest import BACKEND_PARAMS
from tests.golden.make import URLS, answers, read


@pytest.mark.parametrize("backend", BACKEND_PARAMS)
def test_answers_are_the_recorded_ones(backend: str, request: pytest.FixtureRequest) -> None:
    if backend == "spatialite":
        settings: Settings = request.getfixturevalue("spatialite_loaded")
    else:
        settings = request.getfixturevalue("loaded")["postgis"]
    recorded = read(backend)
    assert [url for url, *_ in recorded] == URLS, "the URLs changed: remake the golden files (tests/golden/make.py)"
    changed = []
    for (url, status, content_type, body), (_, want_status, want_type, want_body) in zip(
        answers(settings), recorded, strict=True
    ):
        if (status, content_type, body) != (want_status, want_type, want_body):
            at = next((i for i, (a, b) in enumerate(zip(body, want_body, strict=False)) if a != b), None)
            changed.append(
                f"{url}: {status} {content_type} {len(body)} B vs {want_status} {want_type} "
                f"{len(want_body)} B, first difference at byte {at}"
            )
    assert not changed, "answers differ from the recorded ones:\n" + "\n".join(changed)
