"""`atlas export X --format F` writes what `/downloads/X.F` serves, for every layer and format."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from app.files import FileFormat
from app.layers import LAYERS
from app.settings import Settings

from .conftest import run_cli


def read_back(content: bytes, file_format: FileFormat, directory: Path) -> dict[str, pd.DataFrame | bytes]:
    """What a reader of the file gets: every table it holds (features with geometry as WKT, sheets, the
    files of a zip), leaving out what a writer stamps on its own (GeoPackage and XLSX timestamps)."""
    path = directory / f"file.{file_format.value}"
    path.write_bytes(content)
    source = str(path)
    if file_format is FileFormat.xlsx:
        return dict(pd.read_excel(path, sheet_name=None))
    if file_format is FileFormat.csv:
        return {"bytes": content}
    tables: dict[str, pd.DataFrame | bytes] = {}
    if file_format is FileFormat.zip:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            tables |= {name: archive.read(name) for name in archive.namelist() if not name.endswith((".shp", ".dbf"))}
        source = f"/vsizip/{path}"
    frame = gpd.read_file(source)
    tables["features"] = pd.DataFrame(frame.drop(columns="geometry")).assign(wkt=frame.geometry.to_wkt())
    return tables


@pytest.mark.parametrize("file_format", list(FileFormat))
@pytest.mark.parametrize("layer", list(LAYERS))
def test_export_writes_the_download(
    spatialite_loaded: Settings, in_process: TestClient, tmp_path: Path, layer: str, file_format: FileFormat
) -> None:
    output = tmp_path / f"export.{file_format.value}"
    result = run_cli("export", layer, "--format", file_format.value, "-o", output, settings=spatialite_loaded)
    assert result.exit_code == 0, result.output
    assert "temporary" not in result.stderr  # the store was current: the export read it, as the server does
    response = in_process.get(f"/downloads/{layer}.{file_format.value}")
    assert response.status_code == 200, response.text
    exported = read_back(output.read_bytes(), file_format, tmp_path)
    downloaded = read_back(response.content, file_format, tmp_path)
    assert exported.keys() == downloaded.keys()
    for name, table in exported.items():
        if isinstance(table, bytes):
            assert table == downloaded[name], name
        else:
            assert len(table) > 0, name
            pd.testing.assert_frame_equal(table, downloaded[name], obj=name)
