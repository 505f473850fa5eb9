"""A distribution's metadata, parsed by ``importlib-metadata`` from files read safely.

``importlib_metadata.Distribution`` parses ``METADATA``/``PKG-INFO`` and ``RECORD``
the way the standard library does; only how its files are read is driftcheck's own:
:class:`SafeDistribution` reads them through :meth:`InstalledDist.read_text` (regular
files, inside site-packages, with a size limit), never with a plain ``open``.
Imported only where a metadata file must be parsed (a folder name without a version,
``--verify-files``): ``importlib_metadata`` costs more to import than a small check.
"""

from __future__ import annotations

import os
import pathlib

import importlib_metadata

from driftcheck.records import TYPE_CHECKING

if TYPE_CHECKING:
    from driftcheck.models import InstalledDist

__all__ = ["SafeDistribution"]


class SafeDistribution(importlib_metadata.Distribution):
    """``importlib_metadata.Distribution`` over one installed distribution's files."""

    def __init__(self, dist: InstalledDist) -> None:
        self._dist = dist

    def read_text(self, filename: str | os.PathLike[str]) -> str | None:
        return self._dist.read_text(os.fspath(filename))

    def locate_file(self, path: str | os.PathLike[str]) -> pathlib.Path:
        return pathlib.Path(self._dist.meta_dir).parent / path
