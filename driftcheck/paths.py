"""How paths are shown to people."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["shown"]


def shown(path: Path, base: str | Path | None = None) -> str:
    """``path`` relative to ``base`` (default: the current directory) when it lies below
    it, else as given."""
    try:
        rel = os.path.relpath(path, base if base is not None else Path.cwd())
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if rel.startswith("..") else rel
