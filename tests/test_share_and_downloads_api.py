"""Issue 11, points 3 and 6, server side: the ``place`` filter lists what the place's profile lists (one
rule for /api, /ogc and /downloads), download file names say what is inside, and ``/api/qr`` encodes
links into this atlas (decoded by zbar) and refuses any other."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest
from PIL import Image

from app.catalogue import Kind
from app.download_names import download_name, slug
from app.query import Filters

XIANGYANG, XIANGCHENG, WUHAN, JIANGAN, HUBEI = 420600, 420602, 420100, 420102, 420000
GROUPS = {"city_group", "corridor"}


def public(api: httpx.Client) -> str:
    """The public address the server was given (the test servers are told their own)."""
    return str(api.base_url).rstrip("/")


def all_ids(api: httpx.Client, path: str = "/api/clusters", **params: str | int) -> set[str]:
    body = api.get(path, params={"limit": 500, **params}).json()
    assert body["total"] == len(body["items"]) if "total" in body else True
    return {item["id"] for item in body["items"]}


def profile_ids(api: httpx.Client, adcode: int) -> tuple[set[str], set[str]]:
    """The ids a place's profile lists: entities, then groups."""
    profile = api.get(f"/api/places/{adcode}").json()
    return {item["id"] for item in profile["entities"]}, {item["id"] for item in profile["groups"]}


# --- point 3: the place filter is the profile's rule --------------------------------------------------


@pytest.mark.parametrize("adcode", [XIANGYANG, XIANGCHENG, WUHAN, JIANGAN, HUBEI])
def test_place_filter_lists_what_the_profile_lists(api: httpx.Client, adcode: int) -> None:
    entities, groups = profile_ids(api, adcode)
    assert entities | groups, "the plans put something in every one of these places"
    assert all_ids(api, place=adcode) == entities | groups
    ogc = api.get("/ogc/collections/clusters/items", params={"place": adcode, "limit": 1000}).json()
    assert {feature["id"] for feature in ogc["features"]} == entities | groups
    sheet = api.get("/downloads/clusters.geojson", params={"place": adcode}).json()
    assert {feature["id"] for feature in sheet["features"]} == entities | groups


def test_a_county_belongs_to_the_groups_of_its_prefecture(api: httpx.Client) -> None:
    _, county_groups = profile_ids(api, JIANGAN)
    _, prefecture_groups = profile_ids(api, WUHAN)
    assert county_groups == prefecture_groups and "wuhan-city-circle" in county_groups
    kinds = {item["id"]: item["kind"] for item in api.get("/api/clusters", params={"limit": 500}).json()["items"]}
    # Groups only: the county's list does not take its prefecture's clusters.
    assert {kinds[entity] for entity in all_ids(api, place=JIANGAN) - profile_ids(api, JIANGAN)[0]} <= GROUPS
    assert all_ids(api, place=JIANGAN) < all_ids(api, place=WUHAN)


def test_place_filter_with_several_kinds(api: httpx.Client) -> None:
    kinds = {item["id"]: item["kind"] for item in api.get("/api/clusters", params={"limit": 500}).json()["items"]}
    both = all_ids(api, place=XIANGYANG, kind="cluster,corridor")
    assert both == {entity for entity in all_ids(api, place=XIANGYANG) if kinds[entity] in ("cluster", "corridor")}
    assert {kinds[entity] for entity in both} == {"cluster", "corridor"}


# --- point 3: file names --------------------------------------------------------------------------------


def disposition_name(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    match = re.fullmatch(r'attachment; filename="([A-Za-z0-9._-]+)"', response.headers["content-disposition"])
    assert match, response.headers["content-disposition"]
    return match[1]


@pytest.mark.parametrize(
    ("name", "params", "expected"),
    [
        ("clusters.xlsx", {}, "hubei-clusters.xlsx"),
        ("clusters.xlsx", {"sector": "auto", "plan": "2021"}, "hubei-clusters-auto-2021.xlsx"),
        ("clusters.csv", {"place": str(XIANGYANG)}, "hubei-clusters-xiangyang.csv"),
        (
            "clusters.csv",
            {"place": str(XIANGCHENG), "kind": "cluster"},
            "hubei-clusters-xiangyang-xiangcheng-cluster.csv",
        ),
        (
            "clusters.geojson",
            {"kind": "base,cluster", "status": "planned"},
            "hubei-clusters-base-cluster-planned.geojson",
        ),
        ("corridors.kml", {"crs": "gcj02", "bbox": "110,29,116,33"}, "hubei-corridors-bbox-gcj02.kml"),
        ("clusters.csv", {"q": "起重"}, "hubei-clusters-search.csv"),
        ("prefectures.zip", {}, "hubei-prefectures.zip"),
    ],
)
def test_file_names_say_what_is_inside(api: httpx.Client, name: str, params: dict[str, str], expected: str) -> None:
    assert disposition_name(api.get(f"/downloads/{name}", params=params)) == expected


def test_name_parts() -> None:
    assert slug("Jiang'an") == "jiangan" and slug("Enshi Tujia and Miao") == "enshi-tujia-and-miao"
    assert slug("起重") == ""
    assert download_name("clusters", "csv", Filters()) == "hubei-clusters.csv"
    four = Filters(kind=(Kind.base, Kind.cluster, Kind.platform, Kind.city_group))
    assert download_name("clusters", "csv", four, bbox=True) == "hubei-clusters-4-kinds-bbox.csv"
    assert download_name("clusters", "csv", Filters(q="crane cluster!")) == "hubei-clusters-search-crane-cluster.csv"


# --- point 6: the QR code of a permalink ----------------------------------------------------------------


def rasterise(svg: str, scale: int = 8) -> Image.Image:
    """segno's SVG (a white square, then one path of horizontal strokes 1 module wide) as a bitmap, drawn
    here from the path so that zbar, not segno, says what the code holds."""
    size = int(re.search(r'viewBox="0 0 (\d+) (\d+)"', svg)[1])  # type: ignore[index]
    path = re.search(r'<path class="qrline"[^>]* d="([^"]+)"', svg)[1]  # type: ignore[index]
    image = Image.new("L", (size * scale, size * scale), 255)
    x = y = 0.0
    for command, first, second in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", path):
        if command == "M":
            x, y = float(first), float(second)
        elif command == "m":
            x, y = x + float(first), y + float(second)
        else:  # h: a run of dark modules on the row whose middle is y
            end = x + float(first)
            row = int(y - 0.5)
            image.paste(0, (int(x) * scale, row * scale, int(end) * scale, (row + 1) * scale))
            x = end
    return image


def zbar(image_path: Path) -> str:
    """What zbarimg (Debian's zbar-tools, installed by scripts/setup.sh --test) reads in the image."""
    assert shutil.which("zbarimg"), "zbarimg is missing: bash scripts/setup.sh --test installs zbar-tools"
    done = subprocess.run(["zbarimg", "-q", "--raw", str(image_path)], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_qr_code_decodes_to_the_permalink(api: httpx.Client, tmp_path: Path) -> None:
    link = f"{public(api)}/#lang=en&map=9/31.9000/112.1000&sector=auto&kinds=cluster,base&plan=2021&sel=p:420600"
    response = api.get("/api/qr", params={"url": link})
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert "<script" not in response.text and link not in response.text  # the link is only in the modules
    rasterise(response.text).save(tmp_path / "qr.png")
    assert zbar(tmp_path / "qr.png") == link


@pytest.mark.parametrize(
    "foreign",
    [
        "https://evil.example/#lang=en",
        "{public}.evil.example/",
        "{public}@evil.example/",
        "{public}",  # the bare origin without its "/" could go on as another host's name
        "//evil.example/{public}/",
        "javascript:alert(1)//{public}/",
        "{public}/#" + "x" * 1000,
        "{public}/# with space",
        "{public}/#中文",
    ],
)
def test_qr_code_only_for_links_into_the_atlas(api: httpx.Client, foreign: str) -> None:
    response = api.get("/api/qr", params={"url": foreign.replace("{public}", public(api))})
    assert response.status_code == 400
    assert response.json()["code"] == "InvalidParameterValue" or "url" in response.text


def test_qr_code_needs_its_url(api: httpx.Client) -> None:
    assert api.get("/api/qr").status_code == 400
    assert api.get("/api/qr", params={"url": f"{public(api)}/", "size": "9"}).status_code == 400
