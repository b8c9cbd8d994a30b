"""What a process does once, when it starts, before it touches a store or writes a file.

Called explicitly where a process starts (the ``atlas`` command, the web application's factory, the
tests), never as a side effect of importing a module.
"""

from __future__ import annotations

import os
from functools import cache

import pyogrio


@cache
def prepare() -> None:
    """Make the native libraries safe to use in this process; calling it again does nothing."""
    # GeoAlchemy2 loads SpatiaLite from this path when it connects; Debian's libsqlite3-mod-spatialite
    # puts it on the loader's search path under this name.
    os.environ.setdefault("SPATIALITE_LIBRARY_PATH", "mod_spatialite")
    # pyogrio's bundled GDAL carries (and exports) its own SQLite. If GDAL registers its drivers after
    # mod_spatialite has pulled the system libsqlite3 into the process, writing a GeoPackage segfaults;
    # registering them first keeps each library bound to its own SQLite.
    pyogrio.list_drivers()
