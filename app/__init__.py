"""Core of the Hubei Cluster Atlas: settings, boundaries, catalogue, validation, layers, entities, files.

Nothing in this package knows about HTTP; the `api` package is a thin layer over it.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    # The one version of the atlas: pyproject.toml's, as installed. The web service and its OGC API
    # definition both report it.
    __version__ = version("hubei-cluster-atlas")
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"
