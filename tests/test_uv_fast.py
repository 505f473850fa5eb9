"""The fast uv.lock reader equals a full TOML parse on every lock here, and declines
what it does not know (the full parse then decides, with its own error messages)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from fakes import lock_text
from helpers import REPO
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


def test_skipped_arrays_keep_every_line() -> None:
    from driftcheck.toml import without_arrays

    text = (
        '[[package]]\nname = "a"\nfiles = [\n    {file = "a.whl", hash = "sha256:00"},\n'
        '    {file = "a.tar.gz", hash = "sha256:11"},\n]\n\n[package.dependencies]\nb = "*"\n'
        'files_too = [\n    "kept",\n]\n'
    )
    skipped = without_arrays(text, ("files",))
    assert skipped.splitlines()[2] == "files = []"
    assert skipped.count("\n") == text.count("\n")
    assert skipped.splitlines()[7:] == text.splitlines()[7:]  # other keys untouched


def test_skipped_arrays_leave_multiline_strings_alone() -> None:
    from driftcheck.toml import without_arrays

    text = 'description = """\nfiles = [\n    "not an array",\n]\n"""\n'
    assert without_arrays(text, ("files",)) == text
