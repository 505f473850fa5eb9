"""pylock.toml read by the layout reader must give what the full read gives."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any
from unittest import mock

from helpers import driftcheck

from driftcheck.lockfiles import pylock_fast


def both_ways(args: Sequence[str], cwd: Path | None = None) -> tuple[Any, Any, bool]:
    """driftcheck's (exit code, stdout, stderr) with the layout reader and without it,
    and whether the layout reader read and selected the lock (rather than declining)."""
    read: list[bool] = []
    original_read, original_select = pylock_fast.read, pylock_fast.select

    def spy_read(*a: Any) -> Any:
        lock = original_read(*a)
        read.append(lock is not None)
        return lock

    def spy_select(*a: Any) -> Any:
        selected = original_select(*a)
        read.append(selected is not None)
        return selected

    with (
        mock.patch.object(pylock_fast, "read", spy_read),
        mock.patch.object(pylock_fast, "select", spy_select),
    ):
        fast = driftcheck(["--json", *args], cwd)
    with mock.patch.object(pylock_fast, "read", lambda *a: None):
        full = driftcheck(["--json", *args], cwd)
    return fast, full, bool(read) and all(read)


def assert_pylock_paths_agree(args: Sequence[str], cwd: Path | None = None) -> bool:
    """Both reads give the same output, code and errors; returns whether the layout
    reader read the lock."""
    fast, full, read = both_ways(args, cwd)
    assert fast == full, (args, fast, full)
    return read
