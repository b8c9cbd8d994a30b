"""Settings of the atlas, read from the environment with the ``ATLAS_`` prefix."""

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_DIR = Path(__file__).resolve().parent.parent
REPO_DATA_DIR = REPO_DIR / "data"


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
    map_approval_number: str = Field("", max_length=80, description="审图号 shown on the map, e.g. GS(2024)1234号.")
    basemap: Literal["none", "osm", "tianditu"] = Field(
        "none", description="Tile layer under the boundaries: none (default), osm, or tianditu (needs a key)."
    )
    tianditu_key: str = Field("", max_length=64, description="Tianditu API key (tk) for basemap=tianditu.")

    @cached_property
    def catalogue_file(self) -> Path:
        """The curated catalogue of sectors and entities."""
        return self.data_dir / "clusters.yaml"

    @cached_property
    def boundaries_dir(self) -> Path:
        """The Tianditu boundary layers and their build inputs."""
        return self.data_dir / "boundaries"
