"""The TOML subset reader returns what tomllib returns, or declines (``None``).

Documents are generated from fragments that mix the subset with what lies outside it
(quoted keys, floats, dates, multi-line strings, redefined tables, duplicate keys,
control characters, trailing commas...), so both sides of the boundary are exercised.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from helpers import REPO
from hypothesis import event, given
from hypothesis import strategies as st

from driftcheck import toml_subset

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def same(a: Any, b: Any) -> bool:
    """Equal, and of the same types all the way down (``True == 1`` in Python)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def agrees(text: str) -> bool:
    """The subset reader's answer is tomllib's, or ``None``. True when it answered."""
    fast = toml_subset.loads(text)
    saved = toml_subset.FAST_FROM
    toml_subset.FAST_FROM = 0  # the one-match forms of common lines, as on a large lock
    try:
        assert same(toml_subset.loads(text), fast), f"the one-match forms differ: {text!r}"
    finally:
        toml_subset.FAST_FROM = saved
    try:
        full = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        assert fast is None, f"accepted what tomllib rejects: {text!r}"
        return False
    assert fast is None or same(fast, full), f"differs from tomllib: {text!r}"
    return fast is not None


KEYS = st.sampled_from(["a", "b", "c", "tool", "uv", "name", "1", "true", "a-b", "a_b", '"a"'])
ODD_KEYS = st.sampled_from(["'b'", "a .b", "", "é", '"a.b"', "a.", '"\\u0061"', '"x\n"'])
KEY = st.one_of(KEYS, KEYS, st.lists(KEYS, min_size=2, max_size=3).map(".".join), ODD_KEYS)
WS = st.sampled_from(["", " ", "  ", "\t"])
PLAIN_CHARS = st.sampled_from(list("abcxyz é'#=[]{},.-/*<>;"))
ODD_CHARS = st.sampled_from(
    [
        *["\\", '\\"', "\\\\", "\\n", "\\t", "\\u00e9", "\\U0001F600", "\\ud800", "\\x41"],
        *["\\e", "\\u12", "\t", "\x00", "\x1f", "\x7f", "\n", "\r", '"', "\\U00110000"],
    ]
)
STRINGS = st.lists(st.one_of(PLAIN_CHARS, PLAIN_CHARS, PLAIN_CHARS, ODD_CHARS), max_size=6).map(
    "".join
)
SCALARS = st.one_of(
    STRINGS.map(lambda s: f'"{s}"'),
    STRINGS.map(lambda s: f"'{s}'"),
    st.sampled_from(
        [
            *["0", "1", "-0", "+7", "42", "01", "1_000", "0x1f", "1.5", "1e3", "inf", "nan"],
            *["true", "false", "True", "1979-05-27", '"""x"""', "'''y'''", '""', "''"],
            *[str(10**18), str(10**19), "-" + str(10**20)],
        ]
    ),
)


def _arrays(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    sep = st.sampled_from([", ", ",", " , ", ",\n    ", ",  # note\n  ", " "])
    return st.builds(
        lambda items, seps, trail, nl: (
            "["
            + nl
            + "".join(i + s for i, s in zip(items, seps, strict=False))
            + (items[-1] if items and len(seps) < len(items) else "")
            + trail
            + "]"
        ),
        st.lists(inner, max_size=4),
        st.lists(sep, max_size=4),
        st.sampled_from(["", ",", ",\n", "\n"]),
        st.sampled_from(["", "\n    ", " "]),
    )


def _inline(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    pair = st.builds(lambda k, v: f"{k} = {v}", KEY, inner)
    return st.builds(
        lambda pairs, trail: "{ " + ", ".join(pairs) + trail + " }",
        st.lists(pair, max_size=3),
        st.sampled_from(["", ",", "\n"]),
    )


def _documents(keys: st.SearchStrategy[str], scalars: st.SearchStrategy[str]) -> Any:
    values = st.recursive(scalars, lambda inner: _arrays(inner) | _inline(inner), max_leaves=6)
    lines = st.one_of(
        st.builds(lambda w, k, w2, v, c: f"{w}{k}{w2}={w2}{v}{c}", WS, keys, WS, values, COMMENT),
        st.builds(lambda w, k, c: f"{w}[{k}]{c}", WS, keys, COMMENT),
        st.builds(lambda k, c: f"[[{k}]]{c}", keys, COMMENT),
        st.sampled_from(["", "# comment", "   ", "[ a ]", "[[ a ]]", "[ [a] ]", "\ufeffa = 1"]),
    )
    return st.builds(
        lambda lines, end: "\n".join(lines) + end,
        st.lists(lines, max_size=8),
        st.sampled_from(["", "\n", "\r\n"]),
    )


COMMENT = st.sampled_from(["", " # c", "# c", " #\x01", " # é", " # \r", ' # "q" ] = 1'])
PLAIN_KEYS = st.one_of(KEYS, st.lists(KEYS, min_size=2, max_size=3).map(".".join))
PLAIN_SCALARS = st.one_of(
    st.lists(PLAIN_CHARS, max_size=5).map(lambda s: '"' + "".join(s) + '"'),
    st.sampled_from(["0", "-1", "42", "true", "false", "'lit'", '"\\u00e9\\t"']),
)
# Half anything (mostly outside the subset), half the plain subset (mostly answered).
DOCUMENTS = _documents(KEY, SCALARS) | _documents(PLAIN_KEYS, PLAIN_SCALARS)


@given(DOCUMENTS)
def test_generated_documents_agree_with_tomllib(text: str) -> None:
    event("answered" if agrees(text) else "declined")


@pytest.mark.parametrize(
    "text",
    [
        "",
        'a = "x"\n',
        'a.b = 1\na.c = true\n[t]\nx = [1, "two", [3], { k = "v" }]\n',
        "[a.b]\nx = 1\n[a]\ny = 2\n[[a.c]]\nz = 3\n[[a.c]]\nz = 4\n[a.c.d]\nw = 5\n",
        's = "tab\\there \\u00e9 \\"q\\" \\\\"\nl = \'C:\\path\'\n',
        "arr = [\n    1, # one\n    2,\n]\n",
        "a = { b.c = 1, b.d = 2 }\n",
        '"tests/*" = ["E501"]\n\'x.y\' = 1\n"" = 2\n["q.r".s]\nt = 3\n',
        # A run of one-line statements, read whole (a comment may hold quotes and "]").
        'a = ["x", "y"] # "z" ]\nb = "s" # "t"\nc = true\nd = ""\ne = []\nf = false',
    ],
)
def test_answers_the_plain_subset(text: str) -> None:
    assert agrees(text), text


@pytest.mark.parametrize(
    "text",
    [
        "a = 1\na = 2\n",  # duplicate key
        'a = "x"\nb = true\na = ["y"]\n',  # duplicate key in a run of one-line statements
        "[a]\n[a]\n",  # table defined twice
        "a.b = 1\n[a]\n",  # a dotted-key table redefined
        "a = { b = 1 }\na.c = 2\n",  # an inline table extended
        "a = [1]\n[[a]]\n",  # a static array extended
        "[[a]]\n[a]\n",  # an array of tables redefined as a table
        'a = """x"""\n',  # multi-line string
        "a = 1.5\n",  # float
        "a = 1979-05-27\n",  # date
        "a = 1\r\n\rb = 2\n",  # a carriage return that is not part of a newline
        'a = "\x01"\n',  # control character
        "# \x7f\n",  # control character in a comment
        "a = { b = 1, }\n",  # trailing comma in an inline table
    ],
)
def test_declines_what_lies_outside(text: str) -> None:
    assert toml_subset.loads(text) is None
    agrees(text)


def test_every_pyproject_in_the_repository() -> None:
    files = [REPO / "pyproject.toml", *REPO.glob("examples/**/pyproject.toml")]
    for path in files:
        assert agrees(path.read_text(encoding="utf-8")), path


def assert_subset_agrees(path: Path) -> None:
    """For other tests: a TOML file the suite produced reads the same either way."""
    agrees(path.read_text(encoding="utf-8"))


# --- [[package]] tables read one by one (the poetry.lock and pdm.lock readers) ---------

LOCK_LINES = st.sampled_from(
    [
        "[[package]]",
        'name = "a"',
        'version = "1.0"',
        'description = ""',
        "optional = false",
        'python-versions = ">=3.8"',
        'groups = ["main", "dev"]',
        "markers = \"os_name == 'nt'\"",
        'requires_python = ">=3.8"',
        'summary = "s"',
        'groups = ["default"]',
        "marker = \"os_name == 'nt'\"",
        "dependencies = [",
        '    "b>=1",',
        "files = [",
        '    {file = "a-1.0.tar.gz", hash = "sha256:00"},',
        "]",
        "files = []",
        "",
        "[package.dependencies]",
        'b = ">=1"',
        'b = {version = ">=1", markers = "os_name == \'nt\'"}',
        "[package.extras]",
        '"q.r" = ["x"]',
        "[metadata]",
        'lock-version = "2.1"',
        "[[metadata.targets]]",
        "x = [",
        "[1],",
        "package = 1",
        "[package.dependencies.c]",
    ]
)
POETRY_BLOCK = (
    '[[package]]\nname = "a"\nversion = "1.0"\ndescription = ""\noptional = false\n'
    'python-versions = ">=3.8"\ngroups = ["main"]\nfiles = [\n'
    '    {file = "a-1.0.tar.gz", hash = "sha256:00"},\n]\n\n[package.dependencies]\nb = ">=1"\n'
)
PDM_BLOCK = (
    '[[package]]\nname = "a"\nversion = "1.0"\nrequires_python = ">=3.8"\nsummary = ""\n'
    'groups = ["default"]\ndependencies = [\n    "b>=1",\n]\nfiles = [\n'
    '    {file = "a-1.0.tar.gz", hash = "sha256:00"},\n]\n'
)
LOCKS = st.builds(
    lambda head, blocks, tail: "# lock\n" + "\n".join(head + blocks + tail) + "\n",
    st.lists(LOCK_LINES, max_size=6),
    st.lists(
        st.one_of(
            st.sampled_from([POETRY_BLOCK, PDM_BLOCK]),
            st.lists(LOCK_LINES, max_size=12).map(lambda lines: "\n".join(["[[package]]", *lines])),
        ),
        max_size=4,
    ),
    st.lists(LOCK_LINES, max_size=6),
)


def _files_emptied(data: Any) -> Any:
    """``data`` with every ``files`` array empty, in any table: the subset skips the
    multi-line ones wherever they are (and the strategy writes no one-line one with
    items)."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "files" and isinstance(value, list):
                data[key] = []
            else:
                _files_emptied(value)
    elif isinstance(data, list):
        for item in data:
            _files_emptied(item)
    return data


def _recording(reader: Any, into: list[object]) -> Any:
    def read(part: str) -> Any:
        into.append(reader(part))
        return into[-1]

    return read


@given(LOCKS)
def test_lock_tables_read_one_by_one_agree(text: str) -> None:
    """Each format's reader of one table, and the split into tables around it, give
    what the whole-text parse gives (``files`` skipped), or leave it to that parse."""
    from driftcheck.lockfiles import pdm, poetry

    whole = toml_subset.loads(text, ("files",))
    saved = toml_subset.FAST_FROM
    toml_subset.FAST_FROM = 0
    try:
        for reader in (poetry._package_table, pdm._package_table, lambda part: None):
            read: list[object] = []
            split = toml_subset.loads(text, ("files",), _recording(reader, read))
            assert same(split, whole), text
            if any(table is not None for table in read) and whole is not None:
                event("a table read by its format's reader")
    finally:
        toml_subset.FAST_FROM = saved
    try:
        full = _files_emptied(tomllib.loads(text))
    except tomllib.TOMLDecodeError:
        assert whole is None, text
        return
    if whole is not None:
        assert same(_files_emptied(whole), full), text
    event("answered" if whole is not None else "declined")


@pytest.mark.parametrize("block", [POETRY_BLOCK, PDM_BLOCK])
def test_lock_tables_in_the_lockers_layout_are_read_by_their_reader(block: str) -> None:
    from driftcheck.lockfiles import pdm, poetry

    reader = poetry._package_table if block is POETRY_BLOCK else pdm._package_table
    text = "# lock\n\n" + block + "\n" + block + '\n[metadata]\nlock-version = "2.1"\n'
    read = reader(block.removeprefix("[[package]]\n"))
    assert read is not None
    assert same(read, _files_emptied(tomllib.loads(block))["package"][0])
    saved = toml_subset.FAST_FROM
    toml_subset.FAST_FROM = 0
    try:
        assert same(
            toml_subset.loads(text, ("files",), reader), toml_subset.loads(text, ("files",))
        )
    finally:
        toml_subset.FAST_FROM = saved


def test_the_subset_bound_is_the_nesting_bound() -> None:
    from driftcheck import nesting, toml_subset

    assert toml_subset._MAX_DEPTH == nesting.MAX_DEPTH
