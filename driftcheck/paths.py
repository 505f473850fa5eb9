"""How paths are shown to people."""

from __future__ import annotations

import os

__all__ = ["shown"]


def shown(path: str | os.PathLike[str], base: str | os.PathLike[str] | None = None) -> str:
    """``path`` relative to ``base`` (default: the current directory) when it lies below
    it, else as given."""
    try:
        rel = os.path.relpath(path, base if base is not None else os.getcwd())
    except ValueError:  # another drive on Windows
        return os.fspath(path)
    return os.fspath(path) if rel.startswith("..") else rel
