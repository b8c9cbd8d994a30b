"""Core of the Hubei Cluster Atlas: settings, boundaries, catalogue, validation, geocoding, exports.

Nothing in this package knows about HTTP; the `api` package is a thin layer over it.
"""
