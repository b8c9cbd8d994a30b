"""/api on both backends: sectors, filtered entities, profiles and search, as people use them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import shapely

from app.datum import distance_m
from app.validation import ValidData

from .conftest import entity_ids


def ids(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def test_sector_tree_with_counts(api: httpx.Client, shipped: ValidData) -> None:
    tree = api.get("/api/sectors").json()
    by_id = {node["id"]: node for node in tree}
    assert set(by_id) == {sector.id for sector in shipped.catalogue.sectors if sector.parent is None}
    specialty = by_id["specialty"]
    assert {child["id"] for child in specialty["children"]} >= {"specialty-cranes", "specialty-fans"}
    cranes = next(child for child in specialty["children"] if child["id"] == "specialty-cranes")
    assert cranes["entity_count"] == len(entity_ids(shipped, sector="specialty-cranes")) > 0
    # a parent counts every entity of its sub-sectors once
    assert specialty["entity_count"] == len(ids(api.get("/api/clusters", params={"sector": "specialty"})))
    assert specialty["entity_count"] == len(entity_ids(shipped, sector="specialty")) > cranes["entity_count"]
    assert by_id["a14-robots"]["plan_year"] == 2014


def test_sector_filter_includes_sub_sectors(api: httpx.Client) -> None:
    whole = set(ids(api.get("/api/clusters", params={"sector": "aerospace"})))
    aviation = set(ids(api.get("/api/clusters", params={"sector": "aerospace-aviation"})))
    assert aviation and aviation < whole
    assert "wuhan-aviation-cluster" in aviation


def test_place_rolls_up_counties(api: httpx.Client) -> None:
    jingzhou = ids(api.get("/api/clusters", params={"place": "421000"}))
    assert "honghu-petrochemical-vessel-cluster" in jingzhou  # a county-level member inside Jingzhou
    assert "jingzhou-oil-equipment-cluster" in jingzhou
    # Honghu's own entity, and (as its profile lists them) the groups Jingzhou belongs to (issue 11, point 3).
    honghu = api.get("/api/clusters", params={"place": "421083"}).json()["items"]
    groups = ("city_group", "corridor")
    assert [item["id"] for item in honghu if item["kind"] not in groups] == ["honghu-petrochemical-vessel-cluster"]
    in_jingzhou = api.get("/api/clusters", params={"place": "421000", "kind": ",".join(groups)}).json()["items"]
    assert [item["id"] for item in honghu if item["kind"] in groups] == [item["id"] for item in in_jingzhou]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "corridor"}, {"kinds": ("corridor",)}),
        ({"kind": "base,platform"}, {"kinds": ("base", "platform")}),
        ({"plan": "2014"}, {"plan": 2014}),
        (
            {"kind": "cluster", "status": "existing", "place": "421200"},
            {"kinds": ("cluster",), "status": "existing", "place": 421200},
        ),
        ({"sector": "specialty", "plan": "2021"}, {"sector": "specialty", "plan": 2021}),
    ],
    ids=["corridors", "bases-and-platforms", "plan-2014", "existing-clusters-in-xianning", "specialty-of-2021"],
)
def test_filters_combine(
    api: httpx.Client, shipped: ValidData, params: dict[str, str], expected: dict[str, Any]
) -> None:
    wanted = entity_ids(shipped, **expected)
    assert 0 < len(wanted) < len(shipped.catalogue.entities)  # the filter selects something, not everything
    body = api.get("/api/clusters", params={**params, "limit": "500"}).json()
    assert body["total"] == len(wanted) and sorted(item["id"] for item in body["items"]) == sorted(wanted)


def test_text_filter(api: httpx.Client) -> None:
    assert ids(api.get("/api/clusters", params={"q": "起重"})) == ["xianning-crane-cluster"]


def test_paging(api: httpx.Client, shipped: ValidData) -> None:
    everything = ids(api.get("/api/clusters", params={"limit": 500}))
    assert len(everything) == len(shipped.catalogue.entities) > 20
    offsets = range(0, len(everything), 20)
    pages = [ids(api.get("/api/clusters", params={"limit": 20, "offset": offset})) for offset in offsets]
    assert [entity for page in pages for entity in page] == everything
    assert all(len(page) == 20 for page in pages[:-1])
    assert api.get("/api/clusters", params={"limit": 20}).json()["total"] == len(everything)


def test_entity_detail(api: httpx.Client) -> None:
    detail = api.get("/api/clusters/han-xiao-sui-xiang-shi-auto-corridor").json()
    assert [place["name_zh"] for place in detail["member_places"]] == ["武汉市", "孝感市", "随州市", "襄阳市", "十堰市"]
    assert detail["route"]["type"] == "LineString" and len(detail["route"]["coordinates"]) == 5
    assert detail["geometry"]["type"] == "MultiPolygon"
    assert detail["plan_refs"][0]["quote"].startswith("“汉孝随襄十”千里汽车产业走廊")
    assert detail["crs"] == "wgs84"


def test_gcj02_geometry_on_request(api: httpx.Client) -> None:
    plain = api.get("/api/clusters/xianning-crane-cluster").json()
    shifted = api.get("/api/clusters/xianning-crane-cluster", params={"crs": "gcj02"}).json()
    assert shifted["crs"] == "gcj02"
    a = shapely.geometry.shape(plain["geometry"]).centroid
    b = shapely.geometry.shape(shifted["geometry"]).centroid
    assert 300 < distance_m(a, b) < 700


def test_places_and_profile(api: httpx.Client) -> None:
    prefectures = api.get("/api/places", params={"level": "prefecture"}).json()
    assert len(prefectures) == 17
    assert len(api.get("/api/places", params={"parent": 421000}).json()) == 8
    jingzhou = api.get("/api/places/421000").json()
    assert jingzhou["name_en"] == "Jingzhou"
    assert "honghu-petrochemical-vessel-cluster" in [entity["id"] for entity in jingzhou["entities"]]
    assert "yi-jing-jing-en-city-group" in [group["id"] for group in jingzhou["groups"]]
    honghu = api.get("/api/places/421083").json()
    # a county belongs to the groups of its prefecture
    assert "yi-jing-jing-en-city-group" in [group["id"] for group in honghu["groups"]]
    assert {sector["id"] for sector in honghu["sectors"]} == {"specialty-petrochem-vessels", "energy-oil-gas"}


@pytest.mark.parametrize("query", ["xianning", "Xianning", "咸宁", "crane", "起重", "qizhong"])
def test_search_finds_the_xianning_crane_cluster(api: httpx.Client, query: str) -> None:
    hits = api.get("/api/search", params={"q": query}).json()["hits"]
    assert "xianning-crane-cluster" in [hit["id"] for hit in hits if hit["type"] == "entity"]


def test_search_ranks_whole_names_first(api: httpx.Client) -> None:
    hits = api.get("/api/search", params={"q": "xianning"}).json()["hits"]
    assert (hits[0]["type"], hits[0]["id"], hits[0]["rank"]) == ("place", "421200", 100)
    assert api.get("/api/search", params={"q": "Guangshui"}).json()["hits"][0]["name_zh"] == "广水市"


@pytest.mark.parametrize(
    ("url", "params", "names"),
    [
        ("/api/clusters", {"limit": "0"}, "limit"),
        ("/api/clusters", {"limit": "many"}, "limit"),
        ("/api/clusters", {"sector": "crane"}, "sector"),
        ("/api/clusters", {"kind": "lab"}, "kind"),
        ("/api/clusters", {"plan": "2019"}, "plan"),
        ("/api/clusters", {"place": "999999"}, "place"),
        ("/api/search", {}, "q"),
        ("/api/search", {"q": "x" * 101}, "q"),
        ("/api/places", {"level": "town"}, "level"),
        ("/api/clusters/xianning-crane-cluster", {"crs": "bd09"}, "crs"),
    ],
)
def test_bad_parameters_are_400_naming_the_parameter(
    api: httpx.Client, url: str, params: dict[str, str], names: str
) -> None:
    response = api.get(url, params=params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "InvalidParameterValue" and names in body["description"]


def test_suggestion_for_a_near_miss(api: httpx.Client) -> None:
    body = api.get("/api/clusters", params={"sector": "cranes"}).json()
    assert "did you mean 'specialty-cranes'?" in body["description"]


@pytest.mark.parametrize("url", ["/api/clusters/no-such-thing", "/api/places/110000", "/api/nowhere"])
def test_unknown_things_are_404(api: httpx.Client, url: str) -> None:
    response = api.get(url)
    assert response.status_code == 404 and response.json()["code"] == "NotFound"


def test_health_reports_the_data_version(api: httpx.Client) -> None:
    # Backend, store and scope only with ATLAS_HEALTH_DETAILS: see test_exposure.py.
    body = api.get("/healthz").json()
    assert body["status"] == "ok" and len(body["data_version"]) == 16 and body["loaded_at"]
