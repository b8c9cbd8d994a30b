"""Settings of the atlas, read from the environment with the ``ATLAS_`` prefix."""

import ipaddress
from functools import cached_property
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_DIR = Path(__file__).resolve().parent.parent
REPO_DATA_DIR = REPO_DIR / "data"
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"


class Settings(BaseSettings):
    """Everything configurable, each from ``ATLAS_<NAME>`` in the environment."""

    model_config = SettingsConfigDict(env_prefix="ATLAS_")

    data_dir: Path = Field(REPO_DATA_DIR, description="The source of truth: plans, boundaries, catalogue.")
    store_path: Path = Field(
        REPO_DIR / "var" / "atlas.sqlite",
        description="SpatiaLite file of the store, used when no database URL is set.",
    )
    database_url: str | None = Field(
        None, description="postgresql+psycopg://… to keep the store in PostGIS instead of SpatiaLite."
    )
    database_schema: str = Field("atlas", pattern=r"^[a-z_][a-z0-9_]*$", description="PostGIS schema of the store.")
    cors_origins: list[str] = Field(default_factory=list, description="Origins allowed by CORS (JSON list).")
    cache_max_age: int = Field(300, ge=0, description="Cache-Control max-age in seconds for reads.")
    response_cache_mb: int = Field(
        64, ge=0, description="Memory per worker for replaying read responses (0 turns the cache off)."
    )
    response_cache_entries: int = Field(
        4096, ge=1, description="Responses the read cache keeps at most (per worker), whatever their size."
    )
    map_approval_number: str = Field("", max_length=80, description="审图号 shown on the map, e.g. GS(2024)1234号.")
    basemap: Literal["none", "osm", "tianditu"] = Field(
        "none", description="Tile layer under the boundaries: none (default), osm, or tianditu (needs a key)."
    )
    tianditu_key: str = Field("", max_length=64, description="Tianditu API key (tk) for basemap=tianditu.")
    public_url: str = Field(
        DEFAULT_PUBLIC_URL,
        max_length=200,
        description="The address clients reach the atlas at, e.g. https://atlas.example.gov.cn: every absolute "
        "link (TileJSON, /ogc, /api) is built from it, never from the request's Host or X-Forwarded-* headers.",
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Addresses (IPs or networks, JSON list) of reverse proxies whose X-Forwarded-For/Proto "
        "headers `atlas serve` believes; empty: none.",
    )
    health_details: bool = Field(
        False, description="Whether /healthz also names the backend, the store's location and the scope."
    )
    job_threads: int = Field(
        2,
        ge=1,
        le=64,
        description="Threads per worker process for all expensive work together (tiles, downloads, layers); "
        "they share one GIL with the event loop, so more CPUs call for more workers rather than more threads.",
    )
    tile_jobs: int = Field(2, ge=1, le=64, description="Vector tiles drawn at once per worker process.")
    download_jobs: int = Field(2, ge=1, le=64, description="Download files built at once per worker process.")
    layer_jobs: int = Field(
        2, ge=1, le=64, description="Whole GeoJSON layers (/api/map, /ogc items) built at once per worker process."
    )
    preview_proposals: Path | None = Field(
        None,
        description="A proposals file (proposals/ID.yaml) shown on the map as a layer of its own for review "
        "(`atlas serve --preview`); unset on the public atlas, which then has no such layer or route.",
    )
    job_queue: int = Field(
        16, ge=0, le=1000, description="Requests of each kind above that may wait for a free slot before 503."
    )

    @field_validator("public_url")
    @classmethod
    def _check_public_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{value!r} is not an http:// or https:// URL with a host")
        if "?" in value or "#" in value or "@" in parts.netloc or any(c.isspace() or c < " " for c in value):
            raise ValueError(f"{value!r} must have no query, fragment, user name or white space")
        parts.port  # noqa: B018  (raises ValueError for a port that is not a number)
        return value.rstrip("/")

    @field_validator("trusted_proxies")
    @classmethod
    def _check_trusted_proxies(cls, value: list[str]) -> list[str]:
        for address in value:
            if address != "*":
                ipaddress.ip_network(address, strict=False)  # raises ValueError for anything else
        return value

    @cached_property
    def catalogue_file(self) -> Path:
        """The curated catalogue of sectors and entities."""
        return self.data_dir / "clusters.yaml"

    @cached_property
    def boundaries_dir(self) -> Path:
        """The Tianditu boundary layers and their build inputs."""
        return self.data_dir / "boundaries"
