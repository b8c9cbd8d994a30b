"""Adding a layer is adding one entry to `app.layers.LAYERS`: a throw-away layer of the catalogue's bases,
registered before anything else is imported, reaches every place that lists layers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.catalogue import Kind
from app.layers import LAYERS, map_layers
from app.validation import ValidData

pytestmark = pytest.mark.slow  # a process of its own that builds a store

# Runs in a fresh interpreter: the one entry is added first, then the application and the CLI are imported
# and asked what they offer.
SCRIPT = """
import json, sys
from pathlib import Path

from app import layers
from app.catalogue import Kind
from app.query import FilterName

layers.LAYERS["bases"] = layers.LayerSpec(
    "bases", "基地", "Bases", "The bases of the plans.", layers.EntityRows(frozenset({Kind.base})),
    layers.ENTITY_FILTERS - {FilterName.kind}, on_map=True, tile_fields=layers.ENTITY_FIELDS,
)

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.factory import create_app
from app.cli import cli
from app.settings import Settings
from app.store.load import load_store

work = Path(sys.argv[1])
settings = Settings(store_path=work / "atlas.sqlite", public_url="http://testserver")
load_store(settings, progress=lambda _message: None)
found = {}
with TestClient(create_app(settings)) as client:
    collections = client.get("/ogc/collections").json()["collections"]
    found["collections"] = [collection["id"] for collection in collections]
    items = client.get("/ogc/collections/bases/items?limit=1000").json()
    found["items"] = sorted(feature["id"] for feature in items["features"])
    found["item_kinds"] = sorted({feature["properties"]["kind"] for feature in items["features"]})
    def enums(node):
        if isinstance(node, dict):
            yield from ([node["enum"]] if isinstance(node.get("enum"), list) else [])
            for value in node.values():
                yield from enums(value)
        elif isinstance(node, list):
            for value in node:
                yield from enums(value)
    found["ogc_enums"] = [enum for enum in enums(client.get("/ogc/api").json()) if "province" in enum]
    paths = client.get("/openapi.json").json()["paths"]
    parameters = [p for p in paths["/downloads/{filename}"]["get"]["parameters"] if p["name"] == "filename"]
    found["download_enum"] = parameters[0]["schema"]["enum"]
    parameters = [p for p in paths["/tiles/{layer}/{z}/{x}/{y}.mvt"]["get"]["parameters"] if p["name"] == "layer"]
    found["tile_enum"] = parameters[0]["schema"]["enum"]
    download = client.get("/downloads/bases.geojson")
    found["download"] = sorted(feature["id"] for feature in download.json()["features"])
    found["tilejson"] = client.get("/tiles/bases/tilejson.json").json()["tiles"]
    found["tile_status"] = client.get("/tiles/bases/5/26/13.mvt").status_code
    found["map_layer"] = sorted(f["id"] for f in client.get("/api/map/bases?zoom=6").json()["features"])
    page = client.get("/").text
    config = json.loads(page.split('<script id="atlas-config" type="application/json">')[1].split("</script>")[0])
    found["page_layers"] = config["layers"]
exported = CliRunner().invoke(cli, ["export", "bases", "-f", "geojson", "-o", str(work / "bases.geojson")],
                              env={"ATLAS_STORE_PATH": str(settings.store_path)})
found["export_exit"] = exported.exit_code
found["export"] = sorted(f["id"] for f in json.loads((work / "bases.geojson").read_text())["features"])
found["export_choices"] = CliRunner().invoke(cli, ["export", "--help"]).output
print(json.dumps(found))
"""


def test_a_new_layer_is_one_entry(shipped: ValidData, tmp_path: Path) -> None:
    assert "bases" not in LAYERS
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    bases = sorted(entity.id for entity in shipped.catalogue.entities if entity.kind is Kind.base)
    assert bases, "the catalogue has bases"
    assert found["collections"] == [*LAYERS, "bases"]
    assert found["items"] == found["download"] == found["export"] == found["map_layer"] == bases
    assert found["item_kinds"] == ["base"]
    assert found["ogc_enums"] and all(enum == [*LAYERS, "bases"] for enum in found["ogc_enums"])
    assert "bases.gpkg" in found["download_enum"]
    assert found["tile_enum"] == [*(layer.id for layer in map_layers()), "bases"]
    assert found["tilejson"] == ["http://testserver/tiles/bases/{z}/{x}/{y}.mvt"] and found["tile_status"] == 200
    assert found["page_layers"] == [*(layer.id for layer in map_layers()), "bases"]
    assert found["export_exit"] == 0 and "bases" in found["export_choices"]
