"""Choosing plans (issue 13, point 5): the `plans=` filter on every entity route, and /api/plans grouped by
province, city and year for a plan picker."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.national import national_units
from app.plan_groups import Unit, plan_origin
from app.settings import Settings
from app.validation import DataInvalid, ValidData, validate

from .conftest import entity_ids

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from many_plans import generate

HUBEI = Unit(420000, "湖北省", "Hubei", "province", None)
WUHAN = Unit(420100, "武汉市", "Wuhan", "prefecture", 420000)
HUNAN = Unit(430000, "湖南省", "Hunan", "province", None)
CHANGSHA = Unit(430100, "长沙市", "Changsha", "prefecture", 430000)
UNITS = [HUBEI, WUHAN, HUNAN, CHANGSHA]


def quoted_by(data: ValidData, plan_id: str) -> set[str]:
    """The entities with a quote from the plan, from the catalogue (not the store)."""
    return {entity.id for entity in data.catalogue.entities if any(ref.plan == plan_id for ref in entity.plan_refs)}


def all_items(client: TestClient, query: str) -> list[dict]:
    """Every item of /api/clusters for the query (paged through)."""
    items: list[dict] = []
    while True:
        page = client.get(f"/api/clusters?{query}&limit=500&offset={len(items)}").json()
        items += page["items"]
        if len(items) >= page["total"]:
            return items


def test_plan_origin_reads_province_and_city_from_the_issuer() -> None:
    assert plan_origin("湖北省经济和信息化厅", UNITS) == plan_origin("湖北省人民政府", UNITS)
    assert plan_origin("湖北省经济和信息化厅", UNITS).province == HUBEI
    assert plan_origin("湖北省经济和信息化厅", UNITS).city is None
    assert plan_origin("武汉市人民政府办公厅", UNITS).city == WUHAN
    assert plan_origin("武汉市人民政府办公厅", UNITS).province == HUBEI
    assert plan_origin("长沙市工业和信息化局", UNITS).province == HUNAN
    assert plan_origin("工业和信息化部", UNITS).province is None


def test_plans_filter_lists_the_entities_each_plan_quotes(in_process: TestClient, shipped: ValidData) -> None:
    for plan_id in ("fyp2021", "action2014"):
        listed = {item["id"] for item in all_items(in_process, f"plans={plan_id}")}
        assert listed == quoted_by(shipped, plan_id)
    both = {item["id"] for item in all_items(in_process, "plans=action2014,fyp2021")}
    assert both == quoted_by(shipped, "fyp2021") | quoted_by(shipped, "action2014")
    assert both == {item["id"] for item in all_items(in_process, "plans=")}  # empty: no filter
    # The year filter keeps working beside it, and the two combine.
    assert {item["id"] for item in all_items(in_process, "plan=2014&plans=fyp2021")} == quoted_by(
        shipped, "fyp2021"
    ) & quoted_by(shipped, "action2014")


def test_plans_filter_refuses_an_unknown_plan(in_process: TestClient) -> None:
    response = in_process.get("/api/clusters?plans=fyp2021,fyp2012")
    assert response.status_code == 400
    assert "fyp2012" in response.text and "fyp2021" in response.text  # what was wrong, and a suggestion


def test_map_layer_loads_only_the_chosen_plans(in_process: TestClient, shipped: ValidData) -> None:
    def drawn(query: str) -> set[str]:
        response = in_process.get(f"/api/map/clusters?zoom=7{query}")
        assert response.status_code == 200, response.text
        return {feature["id"] for feature in json.loads(response.content)["features"]}

    everything = drawn("")
    older = drawn("&plans=action2014")
    assert older and older < everything
    assert older == quoted_by(shipped, "action2014") & everything
    assert drawn("&plans=action2014,fyp2021") == everything
    assert in_process.get("/api/map/prefectures?plans=fyp2021").status_code == 400  # boundaries hold no plans


def test_ogc_and_downloads_take_the_same_filter(in_process: TestClient, shipped: ValidData) -> None:
    items = in_process.get("/ogc/collections/clusters/items?plans=action2014&limit=1000").json()
    assert {feature["id"] for feature in items["features"]} == set(entity_ids(shipped, plan=2014))
    text = in_process.get("/downloads/clusters.csv?plans=action2014").text.lstrip("\ufeff")
    assert {row["id"] for row in csv.DictReader(io.StringIO(text))} == quoted_by(shipped, "action2014")


def test_api_plans_gives_what_a_picker_groups_by(in_process: TestClient, shipped: ValidData) -> None:
    plans = in_process.get("/api/plans").json()
    assert [plan["id"] for plan in plans] == ["fyp2021", "action2014"]  # newest first
    for plan in plans:
        assert plan["province"] == {"adcode": 420000, "name_zh": "湖北省", "name_en": "Hubei"}
        assert plan["city"] is None  # both are the province's plans
        assert plan["entities"] == len(quoted_by(shipped, plan["id"]))


def test_china_scope_places_a_neighbouring_provinces_plan(tmp_path: Path) -> None:
    """`atlas load --scope china` validates members against every unit of China (a Hunan plan's entities on
    Hunan's counties); the default scope refuses them, naming the unknown place."""
    generate(tmp_path / "data", plans=1, entities_per_plan=3, provinces=[430000])
    settings = Settings(data_dir=tmp_path / "data")
    with pytest.raises(DataInvalid) as refused:
        validate(settings)
    assert any("unknown place" in fault.message for fault in refused.value.faults)
    widened = validate(settings, widen=national_units)
    placed = [widened.members[entity.id] for entity in widened.catalogue.entities if entity.id.startswith("gen00-")]
    assert len(placed) == 3 and all(430000 < adcode < 440000 for members in placed for adcode in members)


def test_boundaries_and_places_of_some_provinces(in_process: TestClient, shipped: ValidData) -> None:
    """`provinces=` narrows the page's boundary layers and /api/places to the chosen plans' provinces (with a
    China-scope store, every prefecture of China is half a megabyte); Hubei's store holds Hubei alone."""
    hubei = in_process.get("/api/map/prefectures?zoom=7&provinces=420000")
    assert hubei.status_code == 200
    assert hubei.content == in_process.get("/api/map/prefectures?zoom=7").content
    assert in_process.get("/api/places?provinces=420000").json() == in_process.get("/api/places").json()
    for bad in ("430000", "420100", "42", "x"):  # not in the store, a prefecture, not an adcode
        assert in_process.get(f"/api/places?provinces={bad}").status_code == 400
    assert in_process.get("/api/map/clusters?provinces=420000").status_code == 400  # entities: plans=


@pytest.mark.slow  # a China-scope load
def test_provinces_narrow_a_china_scope_store(tmp_path: Path) -> None:
    """On a store of every unit of China, `provinces=` gives the units of those provinces only: the map
    page's outlines and places for its chosen plans, instead of every prefecture of China."""
    from api.factory import create_app
    from app.store.load import load_store

    settings = Settings(store_path=tmp_path / "china.sqlite")
    load_store(settings, progress=lambda _message: None, scope="china")
    with TestClient(create_app(settings)) as client:
        everywhere = json.loads(client.get("/api/map/prefectures?zoom=7").content)["features"]
        chosen = json.loads(client.get("/api/map/prefectures?zoom=7&provinces=430000,420000").content)["features"]
        assert {feature["properties"]["adcode"] // 10000 for feature in chosen} == {42, 43}
        assert {f["properties"]["adcode"] for f in chosen} == {
            f["properties"]["adcode"] for f in everywhere if f["properties"]["adcode"] // 10000 in (42, 43)
        }
        assert len(chosen) < len(everywhere) / 5
        places = client.get("/api/places?provinces=430000").json()
        levels = {place["level"] for place in places}
        assert levels == {"province", "prefecture", "county"} and all(p["adcode"] // 10000 == 43 for p in places)
        counties = json.loads(client.get("/api/map/counties?zoom=7&provinces=430000").content)["features"]
        assert counties and all(f["properties"]["adcode"] // 10000 == 43 for f in counties)


@pytest.mark.slow  # a store of generated plans is loaded
def test_api_plans_groups_generated_city_plans(tmp_path: Path) -> None:
    """Generated plans of Hubei (the province's and its cities', bench/many_plans.py): each city plan is
    grouped under its city and Hubei, the province's under Hubei alone, each with its entity count."""
    from api.factory import create_app
    from app.store.load import load_store

    generate(tmp_path / "data", plans=6, entities_per_plan=4, provinces=[420000])
    settings = Settings(data_dir=tmp_path / "data", store_path=tmp_path / "many.sqlite")
    load_store(settings, progress=lambda _message: None)
    data = validate(settings)
    prefectures = {unit.name_zh: unit.adcode for unit in data.units if unit.level == "prefecture"}
    with TestClient(create_app(settings)) as client:
        plans = {plan["id"]: plan for plan in client.get("/api/plans").json()}
    assert len(plans) == 8
    for record in data.catalogue.plans:
        plan = plans[record.id]
        assert plan["province"]["adcode"] == 420000
        city = next((code for name, code in prefectures.items() if record.issuer_zh.startswith(name)), None)
        assert (plan["city"] or {}).get("adcode") == city
        assert plan["entities"] == len(quoted_by(data, record.id))
    assert sum(plan["city"] is not None for plan in plans.values()) == 2  # the second round: city plans
