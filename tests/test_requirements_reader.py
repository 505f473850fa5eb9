"""The requirements reader's fast path (``name==version``) gives what packaging gives."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from driftcheck.errors import LockfileError
from driftcheck.lockfiles import requirements

NAMES = st.from_regex(r"[A-Za-z0-9]([A-Za-z0-9._-]{0,6}[A-Za-z0-9])?", fullmatch=True)
VERSIONS = st.one_of(
    st.from_regex(r"[0-9]{1,3}(\.[0-9]{1,3}){0,3}", fullmatch=True),
    st.from_regex(
        r"([0-9]!)?[0-9](\.[0-9]+)*((a|b|rc)[0-9])?(\.post[0-9])?(\.dev[0-9])?", fullmatch=True
    ),
    st.from_regex(r"[0-9][0-9a-z.!+*-]{0,8}", fullmatch=True),  # mostly not normalised
)


def _read(line: str) -> object:
    try:
        return requirements._requirement(line, False, Path(), "r.txt", 3)
    except LockfileError as exc:
        return str(exc)


def _by_packaging(line: str) -> object:
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(requirements, "_PINNED", re.compile(r"(?!)"))  # never matches
        return _read(line)


@given(NAMES, VERSIONS)
def test_pinned_lines_read_as_packaging_reads_them(name: str, version: str) -> None:
    line = f"{name}=={version}"
    assert _read(line) == _by_packaging(line), line


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "a==1\n# c\n  # d\n\nb==2 # e\nc==3 \\\n  --hash=sha256:00\n",
            [(1, "a==1"), (5, "b==2"), (6, "c==3 --hash=sha256:00")],
        ),
        (
            "a==1#not-a-comment\n\u3000# ideographic space, then a comment\n",
            [(1, "a==1#not-a-comment")],
        ),
    ],
)
def test_logical_lines(text: str, expected: list[tuple[int, str]]) -> None:
    assert requirements._logical_lines(text) == expected


def test_a_path_requirement_with_a_bad_marker_is_an_input_error(tmp_path: Path) -> None:
    """Found by the long fuzz run: ``.;\\x00`` raised ValueError from the marker parser."""
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "p"\nversion = "1"\n')
    with pytest.raises(LockfileError, match=r"r\.txt:3: invalid marker '\\x00'"):
        requirements._requirement(".;\x00", False, tmp_path, "r.txt", 3)
