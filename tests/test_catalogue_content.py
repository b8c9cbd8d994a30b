"""The shipped catalogue: complete for the places the plans name, and every word quoted verbatim."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from app.admin_units import Level
from app.catalogue import Confidence, Entity, Kind
from app.settings import REPO_DATA_DIR
from app.validation import ValidData

PLAN_FILES = {
    "fyp2021": REPO_DATA_DIR / "plans" / "000_9ebb7d92fd8b2fdd.txt",
    "action2014": REPO_DATA_DIR / "plans" / "003_6805ea80d26eaa17.txt",
}


def squeezed(path: Path) -> str:
    return re.sub(r"\s+", "", path.read_text(encoding="utf-8"))


def quoting(data: ValidData, passage: str) -> list[Entity]:
    """Entities that quote ``passage`` (white space aside)."""
    needle = re.sub(r"\s+", "", passage)
    return [
        entity
        for entity in data.catalogue.entities
        if any(needle in re.sub(r"\s+", "", ref.quote) for ref in entity.plan_refs)
    ]


def only(data: ValidData, passage: str) -> Entity:
    found = quoting(data, passage)
    assert len(found) >= 1, f"no entity quotes {passage!r}"
    return found[0]


def test_shipped_plans_are_unchanged() -> None:
    """SHA256SUMS was taken from the originals in shared/plans when they were copied in (and `atlas propose`
    adds a plan's original and normalised text): every catalogued plan's text is listed, and every file
    listed is there, unchanged."""
    lines = (REPO_DATA_DIR / "plans" / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    sums = dict(reversed(line.split()) for line in lines)
    assert {path.name for path in PLAN_FILES.values()} <= set(sums)
    for name, digest in sums.items():
        assert hashlib.sha256((REPO_DATA_DIR / "plans" / name).read_bytes()).hexdigest() == digest, name


def test_every_quote_is_verbatim(shipped: ValidData) -> None:
    """Independent of the validator: a plain substring test over every quote in the file."""
    texts = {plan: squeezed(path) for plan, path in PLAN_FILES.items()}
    catalogue = shipped.catalogue
    refs = [ref for record in [*catalogue.sectors, *catalogue.entities] for ref in record.plan_refs]
    refs += list(catalogue.text_notes)
    assert len(refs) > 100
    for ref in refs:
        assert re.sub(r"\s+", "", ref.quote) in texts[ref.plan], ref.quote


def test_inferred_placements_name_the_place_they_infer(shipped: ValidData) -> None:
    """Validation only asks that an inferred placement have a note. Its note must also name where the
    entity was put (any name of each member: 中文, short or English), or say it is shown at province
    level: a member changed without its reasoning, or a note copied from another entry, shows here."""
    inferred = [entity for entity in shipped.catalogue.entities if entity.confidence is Confidence.inferred]
    assert inferred
    for entity in inferred:
        note = re.sub(r"\s+", " ", entity.note or "")
        for adcode in shipped.members[entity.id]:
            unit = shipped.units.get(adcode)
            names = {unit.name_zh, unit.short_name_zh, unit.name_en}
            if unit.level is Level.province:
                names.add("province level")
            assert any(name in note for name in names), (
                f"{entity.id}: the note does not name {unit.label}, where the entity is placed: {note!r}"
            )


def test_both_plans_are_represented(shipped: ValidData) -> None:
    plans = {ref.plan for entity in shipped.catalogue.entities for ref in entity.plan_refs}
    assert plans == {"fyp2021", "action2014"}


def test_sector_taxonomy(shipped: ValidData) -> None:
    sectors = shipped.catalogue.sectors
    top_2021 = [s for s in sectors if s.parent is None and s.plan_refs[0].plan == "fyp2021" and s.id != "specialty"]
    assert sorted(s.name_zh for s in top_2021) == sorted(
        [
            "汽车制造",
            "智能制造装备",
            "光电子装备",
            "高端医疗装备",
            "航空航天装备",
            "高技术船舶与海洋工程装备",
            "轨道交通装备",
            "能源及节能环保装备",
            "农机装备",
            "关键基础件及工业软件",
        ]
    )
    top_2014 = [s.name_zh for s in sectors if s.parent is None and s.plan_refs[0].plan == "action2014"]
    assert sorted(top_2014) == sorted(
        [
            "高档数控机床与数控系统",
            "工业机器人",
            "3D打印装备",
            "智能大型薄板冷热连轧及涂镀层成套设备",
            "其他智能装备",
        ]
    )
    children = {s.parent for s in sectors if s.parent}
    assert {s.id for s in top_2021} <= children  # every 发展重点 has its sub-sectors
    for sector in sectors:
        assert sector.name_en.isascii(), sector.id


# The named clusters of 专栏5, with the place each stands on.
SPECIALTY_CLUSTERS = {
    "荆州石油成套设备产业集群": [421000],
    "广水风机产业集群": [421381],
    "京山包装机械产业集群": [420882],
    "天门纺织机械产业集群": [429006],
    "咸宁起重机械产业集群": [421200],
    "安陆粮机产业集群": [420982],
    "洪湖石化容器装备集群": [421083],
    "潜江环保设备产业集群": [429005],
}


@pytest.mark.parametrize(("name", "members"), SPECIALTY_CLUSTERS.items())
def test_specialty_clusters_on_their_places(shipped: ValidData, name: str, members: list[int]) -> None:
    entity = only(shipped, name)
    assert entity.kind is Kind.cluster
    assert entity.confidence is Confidence.stated
    assert shipped.members[entity.id] == members


def test_cranes_sector_finds_the_xianning_cluster(shipped: ValidData) -> None:
    entity = only(shipped, "咸宁起重机械产业集群")
    names = [shipped.catalogue.sector(sector).name_en for sector in entity.sectors]
    assert any("Crane" in name for name in names)


def test_auto_corridor_in_the_plans_order(shipped: ValidData) -> None:
    corridor = only(shipped, "“汉孝随襄十”千里汽车产业走廊")
    assert corridor.kind is Kind.corridor
    assert shipped.members[corridor.id] == [420100, 420900, 421300, 420600, 420300]


@pytest.mark.parametrize(
    ("passage", "members"),
    [
        ("宜昌—武汉—鄂州—黄冈沿江船舶制造产业集群", [420500, 420100, 420700, 421100]),
        ("宜昌—荆州—武汉—鄂州—黄石数控机床产业集群", [420500, 421000, 420100, 420700, 420200]),
    ],
)
def test_dash_chained_clusters_keep_their_order(shipped: ValidData, passage: str, members: list[int]) -> None:
    assert shipped.members[only(shipped, passage).id] == members


@pytest.mark.parametrize(
    ("passage", "members"),
    [
        ("“襄十随神”城市群", {420600, 420300, 421300, 429021}),
        ("“宜荆荆恩”城市群", {420500, 421000, 420800, 422800}),
        (
            "现代化大武汉高端装备制造都市圈",
            {420100, 420200, 420900, 420700, 421100, 421200, 429006, 429004, 429005},
        ),
    ],
)
def test_city_groups(shipped: ValidData, passage: str, members: set[int]) -> None:
    entity = next(e for e in quoting(shipped, passage) if e.kind is Kind.city_group and passage in e.name_zh)
    assert set(shipped.members[entity.id]) == members


def test_wuhan_city_circle(shipped: ValidData) -> None:
    circles = [e for e in quoting(shipped, "武汉城市圈") if e.kind is Kind.city_group]
    assert circles
    assert all(420100 in shipped.members[e.id] for e in circles)


@pytest.mark.parametrize(
    "passage",
    [
        "武汉已形成智能制造装备",
        "襄阳形成了以航空航天、轨道交通、智能制造等为特色的产业集群",
        "宜昌市在海洋工程装备",
        "以襄阳、宜昌、荆门等地为辅助的航空器、零部件研发制造产业集群",
        "光谷实验室",
        "珞珈实验室",
        "江城实验室",
        "东湖实验室",
        "国家航天产业基地",
        "武汉光谷",
        "3D打印产业园",
        "冶金装备技术研发和制造基地",
        "工业机器人、增材制造（3D打印）等智能制造产业示范园区（基地）",
    ],
)
def test_named_places_of_both_plans_are_catalogued(shipped: ValidData, passage: str) -> None:
    assert quoting(shipped, passage)


def test_the_lost_cluster_name_is_recorded_not_invented(shipped: ValidData) -> None:
    notes = [note for note in shipped.catalogue.text_notes if "群、" in note.quote]
    assert notes and "天门纺织机械产业集群" in squeezed(PLAN_FILES["fyp2021"])
    tianmen = only(shipped, "天门纺织机械产业集群")
    assert tianmen.note and "lost" in tianmen.note.lower()
