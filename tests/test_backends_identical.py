"""SpatiaLite and PostGIS give the same answers."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.slow  # the live servers of both backends

URLS = [
    "/api/sectors",
    "/api/clusters?limit=500",
    "/api/clusters?sector=specialty&place=421000",
    "/api/clusters/han-xiao-sui-xiang-shi-auto-corridor",
    "/api/clusters/xianning-crane-cluster?crs=gcj02",
    "/api/places",
    "/api/places/421000",
    "/api/places/429004",
    "/api/search?q=jingzhou",
    "/api/search?q=%E8%B5%B7%E9%87%8D",
    "/ogc/collections",
    "/ogc/collections/counties/items?limit=1000",
    "/ogc/collections/prefectures/items?bbox=111,30,113,31",
    "/ogc/collections/clusters/items?limit=100&sector=aerospace",
    "/ogc/collections/corridors/items",
    "/ogc/collections/clusters/items/wuhan-city-circle",
    "/downloads/clusters.geojson?plan=2014",
    "/api/map/clusters?zoom=7",
    "/api/map/counties?zoom=9",
]


def comparable(body: Any, base: str) -> Any:
    """The body with what legitimately differs between two servers removed: their address and the time."""
    text = json.dumps(body, ensure_ascii=False, sort_keys=True).replace(base, "BASE")
    data = json.loads(text)
    if isinstance(data, dict):
        data.pop("timeStamp", None)
    return data


@pytest.mark.parametrize("url", URLS)
def test_same_answer_from_both_backends(servers: dict[str, str], url: str) -> None:
    answers = []
    for base in servers.values():
        response = httpx.get(base + url, timeout=30)
        assert response.status_code == 200
        answers.append(comparable(response.json(), base))
    assert answers[0] == answers[1]
