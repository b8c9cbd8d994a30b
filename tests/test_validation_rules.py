"""Each validation rule fails with the message it promises: file, line, entry, field and a hint."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from app.settings import Settings
from app.validation import DataInvalid, Fault, validate

from .conftest import MINIMAL_CATALOGUE, run_cli


def faults_of(data_dir: Path) -> list[Fault]:
    with pytest.raises(DataInvalid) as caught:
        validate(Settings(data_dir=data_dir))
    return caught.value.faults


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line of the ``occurrence``-th line containing ``needle``."""
    hits = [number for number, line in enumerate(text.splitlines(), 1) if needle in line]
    return hits[occurrence - 1]


def broken(old: str, new: str, count: int = 1) -> str:
    assert old in MINIMAL_CATALOGUE
    return MINIMAL_CATALOGUE.replace(old, new, count)


def test_minimal_catalogue_is_valid(make_data_dir: Callable[..., Path]) -> None:
    data = validate(Settings(data_dir=make_data_dir()))
    assert [entity.id for entity in data.catalogue.entities] == [
        "xianning-crane-cluster",
        "auto-corridor",
        "honghu-vessel-cluster",
    ]
    assert data.members["auto-corridor"] == [420100, 420900, 421300, 420600, 420300]
    assert data.members["honghu-vessel-cluster"] == [421083]


def test_unknown_member_suggests_nearest_place(make_data_dir: Callable[..., Path]) -> None:
    text = broken("members: [咸宁]", "members: [咸宁县]")
    [fault] = faults_of(make_data_dir(text))
    assert fault.file.name == "clusters.yaml"
    assert fault.line == line_of(text, "members: [咸宁县]")
    assert fault.entry == "entity xianning-crane-cluster"
    assert fault.field == "members[0]"
    assert "unknown place '咸宁县'; did you mean 咸宁市 (421200)?" in fault.message
    assert str(fault).startswith(f"{fault.file}:{fault.line}: entity xianning-crane-cluster, field members[0]:")


def test_quote_must_be_verbatim(make_data_dir: Callable[..., Path]) -> None:
    text = broken("quote: “汉孝随襄十”千里汽车产业走廊实力显著增强", "quote: “汉孝随襄十”千里汽车产业走廊实力明显增强")
    [fault] = faults_of(make_data_dir(text))
    assert fault.line == line_of(text, "实力明显增强")
    assert (fault.entry, fault.field) == ("entity auto-corridor", "plan_refs[0].quote")
    assert "not verbatim in plans/000_9ebb7d92fd8b2fdd.txt" in fault.message
    assert "实力显著增强" in fault.message  # the nearest passage is shown


def test_quote_ignores_white_space_only(make_data_dir: Callable[..., Path]) -> None:
    text = broken("quote: 咸宁起重机械产业集群\n", "quote: 咸宁 起重机械\\n产业集群\n")
    text = text.replace("quote: 咸宁 起重机械\\n产业集群", 'quote: "咸宁 起重机械\\n产业集群"')
    validate(Settings(data_dir=make_data_dir(text)))


def test_unknown_sector_suggests_nearest(make_data_dir: Callable[..., Path]) -> None:
    text = broken("sectors: [specialty-cranes]", "sectors: [specialty-crane]")
    [fault] = faults_of(make_data_dir(text))
    assert (fault.entry, fault.field) == ("entity xianning-crane-cluster", "sectors[0]")
    assert fault.line == line_of(text, "sectors: [specialty-crane]")
    assert "unknown sector 'specialty-crane'; did you mean 'specialty-cranes'?" in fault.message


def test_unknown_parent_sector(make_data_dir: Callable[..., Path]) -> None:
    text = broken("parent: specialty", "parent: specialties")
    [fault] = faults_of(make_data_dir(text))
    assert (fault.entry, fault.field) == ("sector specialty-cranes", "parent")
    assert "did you mean 'specialty'?" in fault.message


def test_ids_are_unique(make_data_dir: Callable[..., Path]) -> None:
    text = broken("id: honghu-vessel-cluster", "id: xianning-crane-cluster")
    [fault] = faults_of(make_data_dir(text))
    assert fault.line == line_of(text, "id: xianning-crane-cluster", occurrence=2)
    assert fault.field == "id"
    first = line_of(text, "id: xianning-crane-cluster")
    assert f"duplicate id 'xianning-crane-cluster'; first used on line {first}" in fault.message


def test_corridor_needs_two_members(make_data_dir: Callable[..., Path]) -> None:
    text = broken("members: [武汉, 孝感, 随州, 襄阳, 十堰]", "members: [武汉]")
    [fault] = faults_of(make_data_dir(text))
    assert (fault.entry, fault.field) == ("entity auto-corridor", "members")
    assert "a corridor needs at least 2 members" in fault.message


def test_repeated_member_is_a_fault(make_data_dir: Callable[..., Path]) -> None:
    text = broken("members: [武汉, 孝感, 随州, 襄阳, 十堰]", "members: [武汉, 孝感, 武汉市]")
    [fault] = faults_of(make_data_dir(text))
    assert fault.field == "members[2]"
    assert "武汉市 (420100) is listed twice" in fault.message


def test_inferred_placement_needs_a_note(make_data_dir: Callable[..., Path]) -> None:
    text = broken("    note: test entity\n", "")
    [fault] = faults_of(make_data_dir(text))
    assert (fault.entry, fault.field) == ("entity honghu-vessel-cluster", "confidence")
    assert "a note must say what was inferred and why" in fault.message


def test_unknown_field_is_not_dropped(make_data_dir: Callable[..., Path]) -> None:
    text = broken("    members: [咸宁]", "    member: [咸宁]")
    faults = faults_of(make_data_dir(text))
    messages = {(fault.field, fault.message) for fault in faults}
    assert ("member", "unknown field 'member'; did you mean 'members'?") in messages
    assert ("members", "required field is missing") in messages


def test_enumerations_list_what_is_allowed(make_data_dir: Callable[..., Path]) -> None:
    text = broken("kind: cluster", "kind: clustre")
    [fault] = faults_of(make_data_dir(text))
    assert fault.field == "kind"
    assert "'cluster', 'corridor', 'city_group', 'specialisation', 'base' or 'platform'" in fault.message


def test_plan_year_must_match(make_data_dir: Callable[..., Path]) -> None:
    text = broken(
        "        year: 2021\n        section: 专栏5\n        quote: 咸宁",
        "        year: 2014\n        section: 专栏5\n        quote: 咸宁",
    )
    [fault] = faults_of(make_data_dir(text))
    assert fault.field == "plan_refs[0].year"
    assert "year 2014 does not match plan fyp2021 (2021)" in fault.message


def test_unknown_plan_is_named(make_data_dir: Callable[..., Path]) -> None:
    text = broken(
        "plan: fyp2021, year: 2021, section: 专栏5, quote: 咸宁",
        "plan: fyp2012, year: 2021, section: 专栏5, quote: 咸宁",
    )
    [fault] = faults_of(make_data_dir(text))
    assert (fault.entry, fault.field) == ("sector specialty-cranes", "plan_refs[0].plan")
    assert "unknown plan 'fyp2012'; did you mean 'fyp2021'?" in fault.message


def test_yaml_syntax_error_names_the_line(make_data_dir: Callable[..., Path]) -> None:
    text = broken("    kind: cluster\n", "    kind: [cluster\n")
    [fault] = faults_of(make_data_dir(text))
    assert "not valid YAML" in fault.message
    assert fault.line is not None and abs(fault.line - line_of(text, "kind: [cluster")) <= 2


def test_every_fault_is_reported_at_once(make_data_dir: Callable[..., Path]) -> None:
    text = broken("members: [咸宁]", "members: [咸宁县]")
    text = text.replace("sectors: [specialty]", "sectors: [nonsense]", 1)
    text = text.replace("kind: cluster\n    sectors: [specialty]", "kind: clustre\n    sectors: [specialty]")
    faults = faults_of(make_data_dir(text))
    assert {fault.field for fault in faults} == {"members[0]", "sectors[0]", "kind"}
    assert {fault.entry for fault in faults} == {
        "entity xianning-crane-cluster",
        "entity auto-corridor",
        "entity honghu-vessel-cluster",
    }


@pytest.mark.slow  # the process itself: its exit status and what it prints, with no traceback
def test_cli_exits_non_zero_and_prints_faults(make_data_dir: Callable[..., Path]) -> None:
    data_dir = make_data_dir(broken("members: [咸宁]", "members: [咸宁县]"))
    result = subprocess.run(
        [sys.executable, "-m", "app", "validate", "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "did you mean 咸宁市 (421200)?" in result.stderr
    assert "Invalid data: 1 fault(s)" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_prints_the_faults_and_exits_1(make_data_dir: Callable[..., Path]) -> None:
    """The same in this process (Typer's CliRunner)."""
    result = run_cli("validate", "--data-dir", make_data_dir(broken("members: [咸宁]", "members: [咸宁县]")))
    assert result.exit_code == 1
    assert "did you mean 咸宁市 (421200)?" in result.stderr
    assert "Invalid data: 1 fault(s)" in result.stderr and result.stdout == ""


def test_data_dir_from_environment(make_data_dir: Callable[..., Path]) -> None:
    data_dir = make_data_dir()
    result = run_cli("validate", env={"ATLAS_DATA_DIR": str(data_dir)})
    assert result.exit_code == 0, result.output
    assert f"Data valid: {data_dir}" in result.stdout
    assert "Entities: 3" in result.stdout


def test_missing_catalogue_is_a_fault(make_data_dir: Callable[..., Path]) -> None:
    [fault] = faults_of(make_data_dir(catalogue=None))
    assert fault.file.name == "clusters.yaml"
    assert fault.message == "missing"


def test_non_utf8_catalogue_is_a_fault_not_a_crash(make_data_dir: Callable[..., Path]) -> None:
    data_dir = make_data_dir()
    (data_dir / "clusters.yaml").write_bytes(MINIMAL_CATALOGUE.encode("gb18030"))
    [fault] = faults_of(data_dir)
    assert "not UTF-8 text" in fault.message and fault.line is not None
