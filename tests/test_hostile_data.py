"""A data directory from a hostile shared drive: every trap is a named fault, quickly, and nothing runs.

Each case plants one hostile thing in a copy of the data directory and expects ``atlas validate`` to
name the file, the line where there is one, and what is wrong — never a traceback, never a hang,
never an executed command, never a fragment of a file outside the data directory.
"""

from __future__ import annotations

import json
import math
import re
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.settings import REPO_DATA_DIR, Settings
from app.validation import DataInvalid, Fault, validate

from .conftest import MINIMAL_CATALOGUE

# Generous for a machine under load; validating the minimal catalogue takes well under a second.
QUICK_SECONDS = 10
# A child process that expands aliases or recurses gets this long, and this much memory, to fail.
CHILD_TIMEOUT_SECONDS = 20
CHILD_MEMORY_BYTES = 2 * 1024**3

MAKE_DATA_DIR = Callable[..., Path]


def faults_of(data_dir: Path) -> list[Fault]:
    """The faults validation reports for ``data_dir``; it must report some, and quickly."""
    started = time.monotonic()
    with pytest.raises(DataInvalid) as caught:
        validate(Settings(data_dir=data_dir))
    assert time.monotonic() - started < QUICK_SECONDS
    return caught.value.faults


def line_of(text: str, needle: str) -> int:
    """1-based line of the first line containing ``needle``."""
    return next(number for number, line in enumerate(text.splitlines(), 1) if needle in line)


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY_BYTES, CHILD_MEMORY_BYTES))


def validate_in_child(data_dir: Path) -> subprocess.CompletedProcess[str]:
    """``atlas validate`` in a child with bounded time and memory, so a regression fails instead of hanging."""
    return subprocess.run(
        [sys.executable, "-m", "app", "validate", "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT_SECONDS,
        preexec_fn=_limit_memory,
        check=False,
    )


# --- the catalogue: YAML that must be refused rather than expanded, recursed into or constructed ----

BILLION_LAUGHS = 'lol0: &lol0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' + "".join(
    f"lol{level}: &lol{level} [{', '.join([f'*lol{level - 1}'] * 9)}]\n" for level in range(1, 10)
)
DEEP_NESTING = "deep: " + "[" * 50_000 + "]" * 50_000 + "\n"


@pytest.mark.slow  # a child process with bounded time and memory
@pytest.mark.parametrize(
    ("snippet", "message"),
    [
        pytest.param(BILLION_LAUGHS, "anchors (&lol0) are not allowed", id="billion-laughs"),
        pytest.param(DEEP_NESTING, "nest", id="50000-nested-lists"),
    ],
)
def test_exponential_or_deep_yaml_fails_fast_in_bounded_memory(
    make_data_dir: MAKE_DATA_DIR, snippet: str, message: str
) -> None:
    text = MINIMAL_CATALOGUE + snippet
    data_dir = make_data_dir(text)
    result = validate_in_child(data_dir)
    assert result.returncode == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    line = line_of(text, snippet[:10])
    fault_line = next(each for each in result.stderr.splitlines() if "clusters.yaml" in each)
    assert fault_line.startswith(f"{data_dir / 'clusters.yaml'}:{line}: not valid YAML: "), fault_line
    assert message in fault_line


@pytest.mark.parametrize(
    ("snippet", "needle", "message"),
    [
        pytest.param("loop: &x [*x]\n", "loop:", "anchors (&x) are not allowed in the catalogue", id="alias-loop"),
        pytest.param(
            "system: !!python/name:os.system\n",
            "system:",
            "explicit tags (!!python/name:os.system) are not allowed in the catalogue",
            id="python-name",
        ),
        pytest.param(
            "blob: !!binary 'not%base64'\n", "blob:", "explicit tags (!!binary) are not allowed", id="bad-binary"
        ),
        pytest.param(
            "base: &base {x: 1}\nderived:\n  <<: *base\n",
            "base:",
            "anchors (&base) are not allowed in the catalogue",
            id="merge-key-with-alias",
        ),
        pytest.param(
            "derived:\n  <<: {x: 1}\n", "<<:", "merge keys (<<) are not allowed in the catalogue", id="merge-key"
        ),
        pytest.param(
            "when: !!timestamp 2021-99-99\n", "when:", "explicit tags (!!timestamp) are not allowed", id="bad-timestamp"
        ),
        pytest.param(
            "? [a, b]\n: x\n",
            "? [a, b]",
            "complex keys (a mapping or list used as a key) are not allowed",
            id="complex",
        ),
        pytest.param(
            "bell: ring\x07ring\n", "bell:", "character '\\x07' is not allowed in YAML", id="control-character"
        ),
    ],
)
def test_refused_yaml_constructs_are_faults_with_their_line(
    make_data_dir: MAKE_DATA_DIR, snippet: str, needle: str, message: str
) -> None:
    text = MINIMAL_CATALOGUE + snippet
    data_dir = make_data_dir(text)
    faults = faults_of(data_dir)
    assert faults[0].file == data_dir / "clusters.yaml"
    assert faults[0].line == line_of(text, needle)
    assert faults[0].message.startswith("not valid YAML: ")
    assert message in faults[0].message
    assert str(faults[0]).startswith(f"{data_dir / 'clusters.yaml'}:{faults[0].line}: not valid YAML: ")


def test_python_object_tag_runs_nothing_and_the_cli_names_it(make_data_dir: MAKE_DATA_DIR, tmp_path: Path) -> None:
    marker = tmp_path / "MARKER"
    snippet = f'run: !!python/object/apply:os.system ["touch {marker}"]\n'
    text = MINIMAL_CATALOGUE + snippet
    data_dir = make_data_dir(text)
    started = time.monotonic()
    result = CliRunner().invoke(cli, ["validate", "--data-dir", str(data_dir)])
    assert time.monotonic() - started < QUICK_SECONDS
    assert not marker.exists()
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit), result.exception  # an exit, not an escaped exception
    expected = (
        f"{data_dir / 'clusters.yaml'}:{line_of(text, 'run:')}: not valid YAML: "
        "explicit tags (!!python/object/apply:os.system) are not allowed in the catalogue"
    )
    assert expected in result.output


def test_impossible_untagged_date_is_a_fault_with_its_line(make_data_dir: MAKE_DATA_DIR) -> None:
    # YAML reads anything shaped like a date as a timestamp, so this is not a string but a bad date.
    text = MINIMAL_CATALOGUE.replace("date: 2021-12-31", "date: 2021-99-99")
    [fault] = faults_of(make_data_dir(text))
    assert fault.line == line_of(text, "date: 2021-99-99")
    assert "'2021-99-99' is not a valid date (month must be in 1..12)" in fault.message


def test_oversized_catalogue_is_refused_unread(make_data_dir: MAKE_DATA_DIR) -> None:
    padding = "# " + "x" * 1000 + "\n"
    [fault] = faults_of(make_data_dir(MINIMAL_CATALOGUE + padding * 5000))
    assert fault.file.name == "clusters.yaml"
    assert "larger than 4 MB" in fault.message


@pytest.mark.slow  # a child process with bounded time and memory
def test_huge_unknown_names_are_named_quickly_and_shortly(make_data_dir: MAKE_DATA_DIR) -> None:
    # "Did you mean" for a 5,000-character place name takes half a second: 60 of them must not hang.
    members = ", ".join(f"{index}{'某' * 5000}" for index in range(60))
    text = MINIMAL_CATALOGUE.replace("members: [咸宁]", f"members: [{members}]")
    data_dir = make_data_dir(text)
    result = validate_in_child(data_dir)
    assert result.returncode == 1, result.stderr[-2000:]
    fault_lines = result.stderr.splitlines()[:-1]
    assert len(fault_lines) == 60
    assert all("field members[" in line and "unknown place '" in line for line in fault_lines)
    assert max(map(len, fault_lines)) < 400  # the name is shown cut short, not 5,000 characters long


def test_a_list_as_an_id_is_a_fault_not_a_crash(make_data_dir: MAKE_DATA_DIR) -> None:
    text = MINIMAL_CATALOGUE.replace("  - id: honghu-vessel-cluster", "  - id: [honghu, vessel]")
    faults = faults_of(make_data_dir(text))
    assert [(fault.line, fault.field) for fault in faults] == [(line_of(text, "id: [honghu, vessel]"), "id")]


# --- plan files: inside the data directory, or not read at all ------------------------------------


def _plans_of_our_own(data_dir: Path) -> Path:
    """The copy's plans directory, copied if a fixture linked it, so that nothing is written into the repository."""
    plans = data_dir / "plans"
    if plans.is_symlink():
        target = plans.resolve()
        plans.unlink()
        shutil.copytree(target, plans)
    return plans


@pytest.mark.parametrize(
    ("file", "message"),
    [
        pytest.param("../../../../../../../../etc/passwd", "leads outside the data directory", id="dot-dot"),
        pytest.param("/etc/passwd", "is an absolute path", id="absolute"),
        pytest.param("plans/planted.txt", "leads outside the data directory", id="planted-symlink"),
    ],
)
def test_plan_files_outside_the_data_directory_are_refused_unread(
    make_data_dir: MAKE_DATA_DIR, file: str, message: str
) -> None:
    text = MINIMAL_CATALOGUE.replace("file: plans/000_9ebb7d92fd8b2fdd.txt", f"file: {file}")
    data_dir = make_data_dir(text)
    (_plans_of_our_own(data_dir) / "planted.txt").symlink_to("/etc/passwd")
    faults = faults_of(data_dir)
    assert [(fault.entry, fault.field) for fault in faults] == [("plan fyp2021", "file")]
    assert faults[0].line == line_of(text, f"file: {file}")
    assert message in faults[0].message
    secret = Path("/etc/passwd").read_text(encoding="utf-8", errors="replace")
    for fault in faults:
        assert "root:" not in str(fault)
        assert not any(len(line) > 8 and line in str(fault) for line in secret.splitlines())


@pytest.mark.slow  # a child process with bounded time and memory
def test_a_huge_quote_is_named_without_an_endless_search_for_its_nearest_passage(
    make_data_dir: MAKE_DATA_DIR,
) -> None:
    # Finding the nearest passage of 100,000 characters in a plan takes minutes: it is skipped.
    quote = "咸宁起重机械产业集群" + "湖北装备制造产业集群地图起重机械" * 6_250
    text = MINIMAL_CATALOGUE.replace("quote: 咸宁起重机械产业集群}", f"quote: {quote}}}")
    data_dir = make_data_dir(text)
    result = validate_in_child(data_dir)
    assert result.returncode == 1, result.stderr[-2000:]
    [fault_line, _summary] = result.stderr.splitlines()
    expected = (
        f"{data_dir / 'clusters.yaml'}:{line_of(text, 'quote: 咸宁起重机械产业集群湖北')}: "
        "sector specialty-cranes, field plan_refs[0].quote: quote is not verbatim in plans/000_9ebb7d92fd8b2fdd.txt"
    )
    assert fault_line.startswith(expected)
    assert "nearest passage" not in fault_line


def test_binary_plan_file_is_a_fault_naming_its_line(make_data_dir: MAKE_DATA_DIR) -> None:
    text = MINIMAL_CATALOGUE.replace("file: plans/000_9ebb7d92fd8b2fdd.txt", "file: binary-plan.txt")
    data_dir = make_data_dir(text)
    (data_dir / "binary-plan.txt").write_bytes(b"first line\nsecond line\n\x89PNG\r\n\x1a\n\x00\xff\xfe")
    [fault] = faults_of(data_dir)
    assert (fault.file, fault.line, fault.entry) == (data_dir / "binary-plan.txt", 3, "plan fyp2021")
    assert "not UTF-8 text" in fault.message


# --- boundaries: outlines and the datum fingerprint -------------------------------------------------


def _rewrite_feature(data_dir: Path, adcode: int, change: Callable[[dict[str, Any]], None]) -> None:
    path = data_dir / "boundaries" / "counties.geojson"
    collection = json.loads(path.read_text(encoding="utf-8"))
    [feature] = [each for each in collection["features"] if each["properties"]["adcode"] == adcode]
    change(feature)
    path.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")


def test_bow_tie_in_a_county_outline_is_named_with_its_place(make_data_dir: MAKE_DATA_DIR) -> None:
    data_dir = make_data_dir()
    corner: list[float] = []

    def insert_bow_tie(feature: dict[str, Any]) -> None:
        ring = feature["geometry"]["coordinates"][0][0]
        x, y = ring[1]
        corner.extend((x, y))
        d = 1e-5  # about a metre: invisible on the map, fatal to tile drawing
        # A→(d,0)→(0,d)→(d,d)→A: the second and fourth edges cross, a bow-tie.
        ring[2:2] = [[x + d, y], [x, y + d], [x + d, y + d], [x, y]]

    _rewrite_feature(data_dir, 420102, insert_bow_tie)
    [fault] = faults_of(data_dir)
    assert fault.file == data_dir / "boundaries" / "counties.geojson"
    assert fault.entry == "county 江岸区 (420102)"
    assert fault.message.startswith("invalid geometry: ")
    where = re.search(r" at (-?\d+\.\d{5}) (-?\d+\.\d{5})$", fault.message)
    assert where is not None, fault.message
    assert math.dist((float(where[1]), float(where[2])), corner) < 1e-4
    assert str(fault).startswith(f"{fault.file}: county 江岸区 (420102): invalid geometry: ")


@pytest.mark.parametrize(
    ("geometry", "message"),
    [
        pytest.param(None, "no geometry (null)", id="null"),
        pytest.param({"type": "MultiPolygon", "coordinates": []}, "empty geometry", id="empty"),
        pytest.param(
            {"type": "Point", "coordinates": [114.301, 30.64]},
            "geometry is a Point; a unit's outline must be a Polygon or MultiPolygon",
            id="point",
        ),
    ],
)
def test_missing_or_wrong_kind_of_outline_is_named(
    make_data_dir: MAKE_DATA_DIR, geometry: dict[str, Any] | None, message: str
) -> None:
    data_dir = make_data_dir()
    _rewrite_feature(data_dir, 420102, lambda feature: feature.update(geometry=geometry))
    faults = faults_of(data_dir)
    named = [fault for fault in faults if fault.entry == "county 江岸区 (420102)"]
    assert [(fault.file.name, fault.message) for fault in named] == [("counties.geojson", message)]


def _reference_with(centroid: Any) -> str:
    """The shipped reference.json with 江岸区's centroid replaced by ``centroid``."""
    reference = json.loads((REPO_DATA_DIR / "boundaries" / "reference.json").read_text(encoding="utf-8"))
    reference["centroids"]["county/420102"] = centroid
    return json.dumps(reference)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\xff\xfe", "not UTF-8 text", id="binary"),
        pytest.param(b"[1, 2, 3]", 'not a JSON object with "centroids"', id="not-an-object"),
        pytest.param(b'{"about": "x"}', '"centroids" is missing', id="no-centroids"),
        pytest.param(b'{"centroids": [1, 2]}', '"centroids" is missing or not an object', id="centroids-a-list"),
        pytest.param(_reference_with("here").encode(), "'county/420102' is not two numbers", id="text"),
        pytest.param(_reference_with([114.3]).encode(), "'county/420102' is not two numbers", id="one-number"),
        pytest.param(_reference_with([True, False]).encode(), "'county/420102' is not two numbers", id="booleans"),
        pytest.param(_reference_with([math.nan, 30.6]).encode(), "'county/420102' is not two numbers", id="nan"),
        pytest.param(b"[" * 100_000 + b"]" * 100_000, "not valid JSON", id="deep"),
    ],
)
def test_unusable_reference_is_a_fault(make_data_dir: MAKE_DATA_DIR, content: bytes, message: str) -> None:
    data_dir = make_data_dir()
    reference = data_dir / "boundaries" / "reference.json"
    reference.write_bytes(content)
    [fault] = faults_of(data_dir)
    assert fault.file == reference
    assert message in fault.message


@pytest.mark.slow  # a child process with bounded time and memory
def test_the_data_version_reads_no_device_and_nothing_outside(make_data_dir: MAKE_DATA_DIR, tmp_path: Path) -> None:
    """`atlas load` and `atlas serve` fingerprint the whole data directory: a planted link to a device or
    to a file outside must neither hang nor fill memory, and still count (by its name and target)."""
    data_dir = make_data_dir()
    script = "import sys; from pathlib import Path; from app.data_version import data_version; "
    script += "print(data_version(Path(sys.argv[1])))"

    def version() -> str:
        result = subprocess.run(
            [sys.executable, "-c", script, str(data_dir)],
            capture_output=True,
            text=True,
            timeout=20,
            preexec_fn=_limit_memory,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    before = version()
    huge = tmp_path / "huge.bin"  # sparse: 3 GB that take no disk, but would take memory to read whole
    with huge.open("wb") as handle:
        handle.truncate(3 * 1024**3)
    (data_dir / "plans" / "zero.txt").symlink_to("/dev/zero")
    (data_dir / "plans" / "huge.txt").symlink_to(huge)
    after = version()
    assert after != before
