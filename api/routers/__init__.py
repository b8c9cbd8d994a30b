"""The atlas's routes, one module per audience."""
