"""Shared fixtures: the shipped data, and throw-away copies of it to break on purpose."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from app.settings import REPO_DATA_DIR, Settings
from app.validation import ValidData, validate

# A small catalogue of real quotes: each rule test breaks one thing in it.
MINIMAL_CATALOGUE = """\
plans:
  - id: fyp2021
    file: plans/000_9ebb7d92fd8b2fdd.txt
    year: 2021
    title_zh: 湖北省装备制造业“十四五”发展规划
    title_en: Hubei Equipment Manufacturing Industry 14th Five-Year Development Plan
    issuer_zh: 湖北省经济和信息化厅
    issuer_en: Hubei Provincial Department of Economy and Information Technology
    number: 鄂经信规划〔2021〕203号
    date: 2021-12-31
sectors:
  - id: specialty
    name_zh: 特色装备
    name_en: Specialty equipment
    plan_refs:
      - {plan: fyp2021, year: 2021, section: 专栏5, quote: 推动特色产业集群建设}
  - id: specialty-cranes
    parent: specialty
    name_zh: 起重机械
    name_en: Cranes
    plan_refs:
      - {plan: fyp2021, year: 2021, section: 专栏5, quote: 咸宁起重机械产业集群}
entities:
  - id: xianning-crane-cluster
    name_zh: 咸宁起重机械产业集群
    name_en: Xianning Crane Industrial Cluster
    kind: cluster
    sectors: [specialty-cranes]
    members: [咸宁]
    status: existing
    confidence: stated
    plan_refs:
      - plan: fyp2021
        year: 2021
        section: 专栏5
        quote: 咸宁起重机械产业集群
  - id: auto-corridor
    name_zh: 汉孝随襄十千里汽车产业走廊
    name_en: Wuhan–Xiaogan–Suizhou–Xiangyang–Shiyan Automotive Corridor
    kind: corridor
    sectors: [specialty]
    members: [武汉, 孝感, 随州, 襄阳, 十堰]
    status: existing
    confidence: stated
    plan_refs:
      - plan: fyp2021
        year: 2021
        section: 一、发展现状
        quote: “汉孝随襄十”千里汽车产业走廊实力显著增强
  - id: honghu-vessel-cluster
    name_zh: 洪湖石化容器装备集群
    name_en: Honghu Petrochemical Vessel Cluster
    kind: cluster
    sectors: [specialty]
    members: [洪湖]
    status: existing
    confidence: inferred
    note: test entity
    plan_refs:
      - plan: fyp2021
        year: 2021
        section: 专栏5
        quote: 洪湖石化容器装备集群
text_notes:
  - plan: fyp2021
    section: 专栏5
    quote: 群、咸宁起重机械产业集群
    note: a cluster name is lost at the page break
"""


@pytest.fixture(scope="session")
def shipped() -> ValidData:
    """The repository's data, validated once per session."""
    return validate(Settings(data_dir=REPO_DATA_DIR))


@pytest.fixture
def make_data_dir(tmp_path: Path) -> Callable[..., Path]:
    """A copy of the data directory whose catalogue is ``catalogue`` (default: the minimal one)."""

    def make(catalogue: str | None = MINIMAL_CATALOGUE) -> Path:
        data_dir = tmp_path / "data"
        shutil.copytree(REPO_DATA_DIR / "boundaries", data_dir / "boundaries")
        (data_dir / "plans").symlink_to(REPO_DATA_DIR / "plans")
        if catalogue is not None:
            (data_dir / "clusters.yaml").write_text(catalogue, encoding="utf-8")
        return data_dir

    return make
