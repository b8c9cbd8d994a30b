"""The spatial store: a derived cache of ``data/`` in SpatiaLite (default) or PostGIS."""
