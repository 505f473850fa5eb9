"""The fast lock readers must equal a full TOML parse (minus what they skip)."""

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


def fast_parse(text: str, lines: list[int] | None = None) -> dict[str, Any] | None:
    """The fast reader's answer, with its common blocks as the tables tomllib gives.

    :param lines: if given, receives each package's name line, counted from the offsets
        the reader records (in reverse order, so the counting cache is exercised too).
    """
    from driftcheck.toml import TableLines

    offsets: list[int] = []
    fast = uv_fast.parse(text, offsets)
    if fast is not None:
        fast["package"] = [uv_fast.as_table(p) for p in fast["package"]]
        if lines is not None:
            counted = TableLines(text, offsets)
            lines[:] = reversed([counted.of(i) for i in reversed(range(len(offsets)))])
    return fast


def assert_equivalent(lock: Path) -> None:
    """The fast path gives exactly the full parse, or declines (returns None)."""
    text = lock.read_text(encoding="utf-8")
    lines: list[int] = []
    fast = fast_parse(text, lines)
    assert fast is not None, f"{lock}: the fast reader declined a lock uv wrote"
    assert fast == full_parse_reduced(text), f"{lock}: fast and full parse differ"
    assert lines == array_table_lines(text, "package"), f"{lock}: package lines differ"


def assert_skipping_files_equivalent(lock: Path) -> int:
    """poetry.lock / pdm.lock read with their ``files`` arrays skipped: the same data
    otherwise.

    Both ways: line by line, and each [[package]] table by the format's own reader of
    its locker's layout (on any size of lock). Returns how many tables that reader took.
    """
    from driftcheck import toml_subset
    from driftcheck.lockfiles import pdm, poetry
    from driftcheck.toml import load_toml

    text = lock.read_text(encoding="utf-8")
    expected = full_parse_reduced(text)
    reader = poetry._package_table if lock.name == "poetry.lock" else pdm._package_table
    read = load_toml(text.encode(), lock.name, skip_arrays=("files",))
    saved, toml_subset.FAST_FROM = toml_subset.FAST_FROM, 0
    try:
        taken: list[object] = []

        def counted(part: str) -> Any:
            table = reader(part)
            taken.extend([table] if table is not None else [])
            return table

        split = load_toml(text.encode(), lock.name, ("files",), counted)
    finally:
        toml_subset.FAST_FROM = saved
    for data in (expected, read, split):
        for package in data.get("package", []):
            if "files" in package:
                package["files"] = []
    assert read == expected, lock
    assert split == expected, lock
    return len(taken)
