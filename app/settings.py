"""Settings of the atlas, read from the environment with the ``ATLAS_`` prefix."""

from functools import cached_property
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_DATA_DIR = Path(__file__).resolve().parent.parent / "data"


class Settings(BaseSettings):
    """Where the atlas finds its data (``ATLAS_DATA_DIR``; defaults to the repository's ``data/``)."""

    model_config = SettingsConfigDict(env_prefix="ATLAS_")

    data_dir: Path = REPO_DATA_DIR

    @cached_property
    def catalogue_file(self) -> Path:
        """The curated catalogue of sectors and entities."""
        return self.data_dir / "clusters.yaml"

    @cached_property
    def boundaries_dir(self) -> Path:
        """The Tianditu boundary layers and their build inputs."""
        return self.data_dir / "boundaries"
