"""The fast uv.lock reader must equal a full TOML parse (minus what it skips)."""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import Any

from driftcheck.lockfiles import uv_fast
from driftcheck.toml import array_table_lines


def full_parse_reduced(text: str) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    data = copy.deepcopy(tomllib.loads(text))
    for package in data.get("package", []):
        for key in uv_fast.DROPPED:
            package.pop(key, None)
        metadata = package.get("metadata")
        if isinstance(metadata, dict):
            for key in uv_fast.DROPPED_METADATA:
                metadata.pop(key, None)
    return data


def assert_equivalent(lock: Path) -> None:
    """The fast path gives exactly the full parse, or declines (returns None)."""
    text = lock.read_text(encoding="utf-8")
    lines: list[int] = []
    fast = uv_fast.parse(text, lines)
    assert fast is not None, f"{lock}: the fast reader declined a lock uv wrote"
    assert fast == full_parse_reduced(text), f"{lock}: fast and full parse differ"
    assert lines == array_table_lines(text, "package"), f"{lock}: package lines differ"
