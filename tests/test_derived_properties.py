"""What the load works out once and publishes — an entity's plans, top sector, colour, whether it is
province-wide and whether its members are in the plan's order; a sector's colour and descendants — is
right everywhere it is served, on both backends, and the standalone map draws from the same values
(issue 9, point 6).

Expected values are worked out here from the catalogue by hand (walking the sectors' parents), not with
the core functions under test, and never as counts pinned to today's data.
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest

from app.admin_units import BOUNDARY_FILES, PROPERTIES, PROVINCE_ADCODE, Level
from app.catalogue import Catalogue, Entity
from app.entities import entity_properties
from app.palette import NO_SECTOR, SECTOR_PALETTE
from app.settings import REPO_DATA_DIR
from app.standalone_map import build_map
from app.validation import ValidData

from .conftest import entity_ids, layer_entity_ids

DERIVED = ("plans", "top_sector", "colour", "province_wide", "ordered")


def _top(catalogue: Catalogue, sector_id: str) -> str:
    parents = {sector.id: sector.parent for sector in catalogue.sectors}
    while parents[sector_id] is not None:
        sector_id = parents[sector_id]
    return sector_id


def _top_colour(catalogue: Catalogue, top: str) -> str:
    tops = [sector.id for sector in catalogue.sectors if sector.parent is None]
    return SECTOR_PALETTE[tops.index(top) % len(SECTOR_PALETTE)]


def expected(data: ValidData, entity: Entity) -> dict[str, Any]:
    """The derived properties of ``entity`` by their rules, from the catalogue alone."""
    catalogue = data.catalogue
    top = _top(catalogue, entity.sectors[0]) if entity.sectors else None
    return {
        "plans": sorted({ref.year for ref in entity.plan_refs}),
        "top_sector": top,
        "colour": NO_SECTOR if top is None else _top_colour(catalogue, top),
        # as the page and the standalone map decided before: the one member is the province itself
        "province_wide": list(data.members[entity.id]) == [PROVINCE_ADCODE],
        # the members' order is the plan's only for a sequence whose places the plan states
        "ordered": entity.kind in ("corridor", "city_group") and entity.confidence == "stated",
    }


def expected_descendants(catalogue: Catalogue, sector_id: str) -> list[str]:
    """The sector, then every sector below it, in catalogue order; then the earlier editions' sectors that
    lineage links roll into one of those (data/lineage.yaml, tests/test_lineage.py), with theirs."""

    def below(candidate: str) -> bool:
        parent = catalogue.sector(candidate).parent
        return parent is not None and (parent == sector_id or below(parent))

    found = [sector_id, *(sector.id for sector in catalogue.sectors if below(sector.id))]
    for current in found:
        for earlier in catalogue.sector_takes_in.get(current, ()):
            found += [each for each in expected_descendants(catalogue, earlier) if each not in found]
    return found


def derived(properties: dict[str, Any]) -> dict[str, Any]:
    return {name: properties.get(name, "<missing>") for name in DERIVED}


def test_the_data_exercises_every_rule(shipped: ValidData) -> None:
    """Without entities of each case the other tests would prove little."""
    cases = [expected(shipped, entity) for entity in shipped.catalogue.entities]
    assert {case["province_wide"] for case in cases} == {True, False}
    assert any(case["top_sector"] is None for case in cases)
    assert any(entity.sectors and entity.sectors[0] != _top(shipped.catalogue, entity.sectors[0])
               for entity in shipped.catalogue.entities)  # fmt: skip
    assert len({case["colour"] for case in cases}) > 2
    sequences = [
        case for case, entity in zip(cases, shipped.catalogue.entities, strict=True) if entity.kind == "corridor"
    ]
    assert {case["ordered"] for case in sequences} == {True, False}


def test_entity_properties_carry_the_derived_values(shipped: ValidData) -> None:
    for entity in shipped.catalogue.entities:
        properties = entity_properties(shipped, entity)
        assert derived(properties) == expected(shipped, entity), entity.id
        assert list(properties)[-len(DERIVED) :] == list(DERIVED)  # after the catalogue's own fields


def test_the_catalogue_rolls_sectors_up_and_down(shipped: ValidData) -> None:
    catalogue = shipped.catalogue
    for sector in catalogue.sectors:
        assert catalogue.top_sector(sector.id) == _top(catalogue, sector.id)
        assert catalogue.sector_descendants(sector.id) == expected_descendants(catalogue, sector.id)
    assert any(len(catalogue.sector_descendants(sector.id)) > 1 for sector in catalogue.sectors)


# --- as served, on both backends ----------------------------------------------------------------------


def _features(api: httpx.Client, url: str) -> list[dict[str, Any]]:
    response = api.get(url)
    assert response.status_code == 200, response.text
    body = response.json()
    return [feature["properties"] for feature in body["features"]] if "features" in body else body["items"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/clusters?limit=500",
        "/ogc/collections/clusters/items?limit=1000",
        "/ogc/collections/corridors/items?limit=1000",
        "/api/map/clusters?zoom=7",
        "/api/map/clusters?zoom=12",
        "/downloads/clusters.geojson",
    ],
)
def test_served_entities_carry_the_derived_values(api: httpx.Client, shipped: ValidData, url: str) -> None:
    served = _features(api, url)
    by_id = {entity.id: entity for entity in shipped.catalogue.entities}
    wanted = set(layer_entity_ids(shipped, "corridors" if "corridors" in url else "clusters"))
    assert {properties["id"] for properties in served} == wanted
    for properties in served:
        assert derived(properties) == expected(shipped, by_id[properties["id"]]), properties["id"]


def test_details_and_place_profiles_carry_them(api: httpx.Client, shipped: ValidData) -> None:
    by_id = {entity.id: entity for entity in shipped.catalogue.entities}
    province_wide = next(e for e in shipped.catalogue.entities if expected(shipped, e)["province_wide"])
    for entity in (province_wide, by_id["xianning-crane-cluster"]):
        detail = api.get(f"/api/clusters/{entity.id}").json()
        assert derived(detail) == expected(shipped, entity)
    profile = api.get("/api/places/421000").json()
    assert profile["entities"] and profile["groups"]
    for properties in profile["entities"] + profile["groups"]:
        assert derived(properties) == expected(shipped, by_id[properties["id"]])


def test_sectors_publish_colour_and_descendants(api: httpx.Client, shipped: ValidData) -> None:
    catalogue = shipped.catalogue
    seen = []

    def walk(node: dict[str, Any]) -> None:
        seen.append(node["id"])
        assert node["descendants"] == expected_descendants(catalogue, node["id"])
        assert node["colour"] == _top_colour(catalogue, _top(catalogue, node["id"]))
        for child in node["children"]:
            walk(child)

    for root in api.get("/api/sectors").json():
        walk(root)
    assert sorted(seen) == sorted(sector.id for sector in catalogue.sectors)


def test_a_sectors_descendants_are_what_its_filter_selects(api: httpx.Client, shipped: ValidData) -> None:
    parents = [node for node in api.get("/api/sectors").json() if len(node["descendants"]) > 1]
    assert parents
    for node in parents:
        wanted = set(node["descendants"])
        tagged = [e.id for e in shipped.catalogue.entities if wanted.intersection(e.sectors)]
        filtered = api.get("/api/clusters", params={"sector": node["id"], "limit": 500}).json()["items"]
        assert [item["id"] for item in filtered] == tagged == entity_ids(shipped, sector=node["id"])


@pytest.mark.parametrize("level", list(Level))
def test_unit_properties_are_those_of_the_boundary_files(api: httpx.Client, level: Level) -> None:
    """One definition of a unit's properties (app.admin_units.PROPERTIES): same keys, order and values."""
    collection = {Level.province: "province", Level.prefecture: "prefectures", Level.county: "counties"}[level]
    source = json.loads((REPO_DATA_DIR / "boundaries" / BOUNDARY_FILES[level]).read_text(encoding="utf-8"))
    in_file = [feature["properties"] for feature in source["features"]]
    served = _features(api, f"/ogc/collections/{collection}/items?limit=1000")
    assert [list(properties) for properties in served] == [list(PROPERTIES)] * len(in_file)
    assert served == in_file
    assert api.get("/api/places", params={"level": level.value}).json() == in_file


# --- the standalone map: the same core, no store ---------------------------------------------------------

_BOOK = re.compile(r'<script id="atlas-data" type="application/json">(.*?)</script>', re.S)


def _drawn(page: str, data: ValidData) -> set[str]:
    """The entities the file draws: those of its clusters layer the plans place somewhere (the page's rule)."""
    book = json.loads(_BOOK.search(page)[1])  # type: ignore[index]
    return {f["id"] for f in book["layers"]["clusters"]["features"] if not f["properties"]["province_wide"]}


def test_standalone_map_draws_sub_sectors_and_leaves_out_province_wide(shipped: ValidData) -> None:
    catalogue = shipped.catalogue
    on_map = {e.id for e in catalogue.entities if not expected(shipped, e)["province_wide"]}
    assert _drawn(build_map(shipped), shipped) == on_map
    # a top-level sector some of whose entities carry only sub-sectors of it
    parent = next(
        sector.id
        for sector in catalogue.sectors
        if any(sector.id not in e.sectors for e in catalogue.entities if e.id in entity_ids(shipped, sector=sector.id))
        and sector.parent is None
    )
    wanted = set(entity_ids(shipped, sector=parent)) & on_map
    assert wanted and _drawn(build_map(shipped, sector=parent), shipped) == wanted


def test_standalone_map_colours_are_the_published_ones(shipped: ValidData, monkeypatch: pytest.MonkeyPatch) -> None:
    """One palette rule for the store and the map: a changed palette changes both."""
    palette = tuple(f"#ab12{index:02x}" for index in range(len(SECTOR_PALETTE)))
    monkeypatch.setattr("app.palette.SECTOR_PALETTE", palette)
    page = build_map(shipped)
    tops = [sector.id for sector in shipped.catalogue.sectors if sector.parent is None]
    colours = {
        palette[tops.index(case["top_sector"]) % len(palette)]
        for case in (expected(shipped, entity) for entity in shipped.catalogue.entities)
        if case["top_sector"] is not None and not case["province_wide"]
    }
    assert len(colours) > 2
    used = set(re.findall(r"#[0-9a-fA-F]{6}\b", page))
    assert colours <= used
    assert not used & (set(SECTOR_PALETTE) - set(palette))
