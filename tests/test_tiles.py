"""Vector tiles and TileJSON on both backends."""

from __future__ import annotations

import geopandas as gpd
import httpx
import mapbox_vector_tile
import pytest
import shapely

from app.entities import entity_members, route
from app.settings import REPO_DATA_DIR
from app.store.mvt import lonlat_bounds
from app.validation import ValidData

from .conftest import layer_entity_ids

MVT = "application/vnd.mapbox-vector-tile"
WUHAN_Z7 = (7, 104, 53)


def decoded(api: httpx.Client, layer: str, z: int, x: int, y: int) -> list[dict]:
    response = api.get(f"/tiles/{layer}/{z}/{x}/{y}.mvt")
    assert response.status_code == 200 and response.headers["content-type"] == MVT
    return mapbox_vector_tile.decode(response.content).get(layer, {}).get("features", []) if response.content else []


@pytest.mark.parametrize(("z", "x", "y"), [WUHAN_Z7, (9, 418, 212), (5, 26, 13)])
def test_county_tiles_hold_the_counties_they_touch(api: httpx.Client, z: int, x: int, y: int) -> None:
    counties = gpd.read_file(REPO_DATA_DIR / "boundaries" / "counties.geojson")
    inside = set(counties[counties.intersects(shapely.box(*lonlat_bounds(z, x, y)))]["adcode"])
    near = set(counties[counties.intersects(shapely.box(*lonlat_bounds(z, x, y, margin=64 / 4096)))]["adcode"])
    found = {feature["properties"]["adcode"] for feature in decoded(api, "counties", z, x, y)}
    assert inside and inside <= found <= near
    for feature in decoded(api, "counties", z, x, y):
        assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
        assert {"adcode", "name_zh", "name_en", "level"} <= set(feature["properties"])


def test_entity_and_corridor_tiles(api: httpx.Client, shipped: ValidData) -> None:
    clusters = decoded(api, "clusters", 6, 52, 26)
    assert "xianning-crane-cluster" in {feature["properties"]["id"] for feature in clusters}
    corridors = decoded(api, "corridors", 6, 52, 26)
    assert {feature["geometry"]["type"] for feature in corridors} <= {"LineString", "MultiLineString"}
    routed = set(layer_entity_ids(shipped, "corridors"))
    routes = {
        entity.id: route(entity_members(shipped, entity))
        for entity in shipped.catalogue.entities
        if entity.id in routed
    }
    inside = {id_ for id_, line in routes.items() if line.intersects(shapely.box(*lonlat_bounds(6, 52, 26)))}
    near = {
        id_ for id_, line in routes.items() if line.intersects(shapely.box(*lonlat_bounds(6, 52, 26, margin=64 / 4096)))
    }
    assert inside and inside <= {feature["properties"]["id"] for feature in corridors} <= near


def test_empty_tile_outside_hubei(api: httpx.Client) -> None:
    response = api.get("/tiles/counties/7/0/0.mvt")
    assert response.status_code == 200 and response.content == b""


@pytest.mark.parametrize(
    ("path", "status"),
    [("/tiles/rivers/7/104/53.mvt", 404), ("/tiles/counties/19/0/0.mvt", 400), ("/tiles/counties/3/8/0.mvt", 400),
     ("/tiles/counties/3/0/-1.mvt", 400), ("/tiles/counties/a/b/c.mvt", 400)],
)  # fmt: skip
def test_bad_tiles(api: httpx.Client, path: str, status: int) -> None:
    assert api.get(path).status_code == status


def test_tiles_are_cached_with_etag(api: httpx.Client) -> None:
    first = api.get("/tiles/prefectures/5/26/13.mvt")
    assert first.headers["etag"] and "max-age" in first.headers["cache-control"]
    assert (
        api.get("/tiles/prefectures/5/26/13.mvt", headers={"If-None-Match": first.headers["etag"]}).status_code == 304
    )


def test_tilejson(api: httpx.Client) -> None:
    document = api.get("/tiles/counties/tilejson.json").json()
    assert document["tilejson"] == "3.0.0"
    assert document["tiles"] == [f"{str(api.base_url).rstrip('/')}/tiles/counties/{{z}}/{{x}}/{{y}}.mvt"]
    west, south, east, north = document["bounds"]
    assert 108 < west < east < 117 and 29 < south < north < 34
    assert document["vector_layers"][0]["id"] == "counties"


@pytest.mark.slow  # both live servers
@pytest.mark.parametrize(
    ("layer", "tile"), [("counties", WUHAN_Z7), ("clusters", (6, 52, 26)), ("prefectures", (8, 209, 106))]
)
def test_both_backends_tile_the_same_features(servers: dict[str, str], layer: str, tile: tuple[int, int, int]) -> None:
    found = []
    for base in servers.values():
        with httpx.Client(base_url=base) as client:
            features = decoded(client, layer, *tile)
        found.append(sorted(str(f["properties"].get("adcode", f["properties"].get("id"))) for f in features))
    assert found[0] == found[1] and found[0]
