"""The fast uv.lock reader equals a full TOML parse on every lock here, and declines
what it does not know (the full parse then decides, with its own error messages)."""

from __future__ import annotations

import itertools
import re
import sys
from pathlib import Path

import pytest
from fakes import lock_text
from helpers import REPO
from hypothesis import given
from hypothesis import strategies as st
from uv_fast_equivalence import assert_equivalent, fast_parse, full_parse_reduced

from driftcheck.lockfiles import uv_fast
from driftcheck.toml import array_table_lines

sys.path.insert(0, str(REPO / "bench"))
from generate import generate


def test_example_project_lock() -> None:
    assert_equivalent(REPO / "examples" / "demo" / "uv.lock")


@pytest.mark.parametrize("count", [1, 50, 200])
def test_generated_locks(tmp_path: Path, count: int) -> None:
    assert_equivalent(generate(tmp_path / "p", count) / "uv.lock")


def test_hand_written_fixture_lock(tmp_path: Path) -> None:
    text = lock_text(
        "demo",
        {"six": "1.17.0"},
        extras={"net": {"idna": "3.7"}},
        groups={"dev": {"iniconfig": "2"}},
        markers={"idna": "python_version >= '3.11'"},
    )
    (tmp_path / "uv.lock").write_text(text)
    assert_equivalent(tmp_path / "uv.lock")


def test_unusual_statements_fall_back_per_statement() -> None:
    text = (
        'version = 1\nrevision = 3\n\n[[package]]\nname = "a"\nversion = "1.0"\n'
        'source = { git = "https://git.example/a.git?rev=main#' + "a" * 40 + '" }\n'
        "dependencies = [\n    { name = \"b\", marker = \"os_name == 'nt' and extra == 'x'\" },\n]\n"
        '\n[[package]]\nname = "b"\nversion = "2.0"\nsource = { url = "https://files.example/b.whl", subdirectory = "sub" }\n'
        'wheels = [\n    { url = "https://files.example/b.whl", hash = "sha256:00" },\n]\n'
        '\n# a comment\n[[package]]\nversion = "3.0"\n\n[[package]]\n\nname = "c"\n'
    )
    lines: list[int] = []
    assert fast_parse(text, lines) == full_parse_reduced(text)
    assert lines == array_table_lines(text, "package") == [5, 13, 21, 26]


@pytest.mark.parametrize(
    "text",
    [
        "version = 1\n",  # no packages at all
        'version = 1\n\n[[package]]\nname = "a"\n\n[manifest]\nmembers = ["a"]\n',  # a table after packages
        'version = 1\n\n[[package]]\nname = "a"\nname = "b"\n',  # a duplicate key
        'version = 1\n\n[[package]]\nname = "a"\ndependencies = [\n    { name = "b" },\n',  # unclosed array
    ],
)
def test_declines_what_it_does_not_know(text: str) -> None:
    assert uv_fast.parse(text) is None


def test_skipped_arrays_read_as_empty() -> None:
    from driftcheck.toml import load_toml

    text = (
        '[[package]]\nname = "a"\nfiles = [\n    {file = "a.whl", hash = "sha256:00"},\n'
        '    {file = "a.tar.gz", hash = "sha256:11"},\n]\n\n[package.dependencies]\nb = "*"\n'
        'files_too = [\n    "kept",\n]\n'
    )
    data = load_toml(text.encode(), "poetry.lock", skip_arrays=("files",))
    assert data["package"][0]["files"] == []
    assert data["package"][0]["dependencies"] == {"b": "*", "files_too": ["kept"]}


def test_skipped_arrays_leave_multiline_strings_alone() -> None:
    from driftcheck import toml_subset

    text = 'description = """\nfiles = [\n    "not an array",\n]\n"""\nfiles = [\n  1,\n]\n'
    assert toml_subset.loads(text, ("files",)) is None  # tomllib reads it (and the array)


def _emptied_by_regex(text: str, keys: tuple[str, ...]) -> str:
    """What a skipped array is, as one multi-line regular expression: the text with
    each such array emptied in place."""
    if '"""' in text or "'''" in text:
        return text
    names = "|".join(map(re.escape, keys))
    pattern = re.compile(rf"^({names}) = \[\n((?:[ \t][^\n]*\n)*?)\]$", re.MULTILINE)
    return pattern.sub(lambda m: f"{m.group(1)} = []" + "\n" * (m.group(2).count("\n") + 1), text)


_ARRAY_PIECES = st.sampled_from(
    [
        *["files = [\n", "x = [\n", "  a,\n", "\t b\n", "]\n", "]", "],\n", "files = []\n"],
        *["y = 1\n", " files = [\n", "\n", "c\n", "'''\n", 'name = "n"\n', "name= 1\n"],
        *[
            "[[package]]\n",
            "[[package]] # c\n",
            "[[package]]x\n",
            "\tfiles = [\n",
            '  "s",\n',
            "  1,\n",
        ],
    ]
)


@given(
    st.lists(_ARRAY_PIECES, max_size=12).map("".join),
    st.sampled_from([("files",), ("files", "x")]),
)
def test_skipped_arrays_match_their_definition(text: str, keys: tuple[str, ...]) -> None:
    from driftcheck import toml_subset
    from driftcheck.toml import array_table_lines

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib

    fast = toml_subset.loads(text, keys)
    saved, toml_subset.FAST_FROM = toml_subset.FAST_FROM, 0
    try:
        assert toml_subset.loads(text, keys) == fast
    finally:
        toml_subset.FAST_FROM = saved
    if fast is not None:
        assert fast == tomllib.loads(_emptied_by_regex(text, keys)), text
    assert array_table_lines(text, "package") == _lines_by_regex(text)


def _lines_by_regex(text: str) -> list[int]:
    """The definition of :func:`array_table_lines` (found by ``str.find`` instead)."""
    header = re.compile(r"^\[\[package\]\][ \t]*(?:#.*)?$", re.MULTILINE)
    starts = [m.start() for m in header.finditer(text)] + [len(text)]
    lines = []
    for start, end in itertools.pairwise(starts):
        name_at = re.compile(r"^name\s*=", re.MULTILINE).search(text, start, end)
        lines.append(text.count("\n", 0, name_at.start() if name_at else start) + 1)
    return lines
