"""The map page's deciding modules (what is visible, the permalink, the zoom bands) under ``node --test``:
plain functions, no browser. Node comes from Debian (``scripts/setup.sh --test`` installs it)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

WEB_TESTS = Path(__file__).resolve().parent.parent / "web" / "tests"


def test_web_modules_pass_node_test() -> None:
    node = shutil.which("node")
    assert node, "node is missing: bash scripts/setup.sh --test installs Debian's nodejs"
    # The files by name, which every Node since 18 takes alike (how a directory is searched has changed).
    files = sorted(str(path) for path in WEB_TESTS.glob("*.test.mjs"))
    assert files, f"no *.test.mjs in {WEB_TESTS}"
    result = subprocess.run(
        [node, "--test", *files], capture_output=True, text=True, timeout=120, cwd=WEB_TESTS.parent, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
