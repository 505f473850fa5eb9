"""Fuzzing: any lockfile, any dist-info, gives a report or one line and exit 2.

Inputs are valid seeds mutated line by line (deleted, duplicated, replaced, values
swapped for hostile ones, truncated) and raw bytes. The property, for every reader and
for the dist-info parser: driftcheck exits 0, 1 or 2; on 2 it prints nothing on stdout
and exactly one ``driftcheck: error: …`` line on stderr. Anything else - another
exception, a second line, a hang past the deadline - fails.

CI runs the ``ci`` profile (tests/conftest.py); the 100,000-input run is documented in
docs/fuzzing.md.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fakes import lock_text, site_packages
from helpers import driftcheck
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_proofs import LOCKS, _project

RICH_UV_LOCK = lock_text(
    "demo",
    {"six": "1.17.0", "attrs": "25.3.0"},
    extras={"gpu": {"idna": "3.10"}},
    groups={"dev": {"pytest": "8.3.0"}},
    markers={"attrs": "python_full_version >= '3.11' and sys_platform == 'linux'"},
)
SEEDS = {**LOCKS, "uv.lock": RICH_UV_LOCK}

HOSTILE = st.sampled_from(
    [
        "",
        '"',
        "'",
        "[",
        "]]",
        "{",
        "}",
        "=",
        "- ",
        ": ",
        "null",
        "true",
        "-1",
        "9" * 40,
        "1e999",
        '"x"',
        "[]",
        "{}",
        '""',
        '"1.0"',
        '"not a version!"',
        '"sys_platform == "',
        "{ registry = 3 }",
        "[[package]]",
        '"../../etc"',
        "\t",
        "\x00",
        "é",
        "\u202e",
        "-r \x00x",
        "-r ../../x.txt",
        "-e ~nobody/x",
        "./pkg",
        "file:///nowhere/\x00",
    ]
)
MUTATION = st.one_of(
    st.tuples(st.just("delete"), st.integers(0, 200)),
    st.tuples(st.just("duplicate"), st.integers(0, 200)),
    st.tuples(st.just("insert"), st.integers(0, 200), st.one_of(HOSTILE, st.text(max_size=30))),
    st.tuples(st.just("replace"), st.integers(0, 200), st.one_of(HOSTILE, st.text(max_size=30))),
    st.tuples(st.just("value"), st.integers(0, 200), HOSTILE),
    st.tuples(st.just("truncate"), st.integers(0, 5000)),
)


def mutate(text: str, mutations: list[tuple]) -> str:  # type: ignore[type-arg]
    lines = text.split("\n")
    for op, where, *payload in mutations:
        if op == "truncate":
            text = "\n".join(lines)
            lines = text[: where % (len(text) + 1)].split("\n")
            continue
        i = where % (len(lines) or 1)
        if not lines:
            lines = [""]
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "insert":
            lines.insert(i, payload[0])
        elif op == "replace":
            lines[i] = payload[0]
        elif op == "value":  # keep the key, change what follows '=' or ':'
            for sep in (" = ", ": ", "="):
                if sep in lines[i]:
                    lines[i] = lines[i].split(sep, 1)[0] + sep + payload[0]
                    break
    return "\n".join(lines)


def assert_clean_outcome(code: int, out: str, err: str) -> None:
    assert code in (0, 1, 2), (code, err)
    if code == 2:
        assert out == "", out
        assert err.startswith("driftcheck: error: ") and err.count("\n") == 1, err
        assert "Traceback" not in err
    else:
        assert out, err


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("fuzz")
    return {name: _project(root / name.replace(".", "-"), name) for name in SEEDS}


# CI: 300 inputs per test (about 4,500 in all). Otherwise the profile's count per
# reader: half mutated seeds, half raw bytes; the dist-info parser gets it whole.
EXAMPLES = settings.default.max_examples if settings.default.max_examples > 2000 else 600
HEALTH = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
PER_LOCK_TEST = settings(max_examples=EXAMPLES // 2, deadline=5000, suppress_health_check=HEALTH)
DIST_INFO = settings(max_examples=EXAMPLES, deadline=5000, suppress_health_check=HEALTH)


OUTPUT = st.sampled_from([[], ["--json"], ["--output-format", "sarif"]])


def _check(project: Path, lock: str, data: bytes, output: list[str]) -> None:
    (project / lock).write_bytes(data)
    code, out, err = driftcheck(["--project", str(project), "--lockfile", lock, *output])
    assert_clean_outcome(code, out, err)


@pytest.mark.parametrize("lock", sorted(SEEDS))
@PER_LOCK_TEST
@given(data=st.data())
def test_mutated_lockfiles(projects: dict[str, Path], lock: str, data: st.DataObject) -> None:
    mutations = data.draw(st.lists(MUTATION, min_size=1, max_size=6))
    text = mutate(SEEDS[lock], mutations)
    _check(projects[lock], lock, text.encode("utf-8", "surrogatepass"), data.draw(OUTPUT))


@pytest.mark.parametrize("lock", sorted(SEEDS))
@PER_LOCK_TEST
@given(raw=st.binary(max_size=300), output=OUTPUT)
def test_random_bytes_as_lockfile(
    projects: dict[str, Path], lock: str, raw: bytes, output: list[str]
) -> None:
    _check(projects[lock], lock, raw, output)


FILE_NAME = st.text(
    st.characters(blacklist_characters="/\x00", blacklist_categories=("Cs",)),
    min_size=1,
    max_size=40,
).filter(lambda s: s not in (".", ".."))
DIRECT_URLS = st.one_of(
    st.binary(max_size=80),
    st.sampled_from(
        [
            b'{"url": "file:///x", "dir_info": {"editable": true}}',
            b'{"url": "file:///x", "dir_info": {"editable": "yes"}}',
            b'{"url": 3}',
            b'{"url": "https://x", "vcs_info": {"vcs": "git"}}',
            b'{"url": "https://x", "archive_info": {"hashes": {"sha256": 1}}}',
            b"[]",
            b"null",
        ]
    ),
)
RECORDS = st.one_of(
    st.binary(max_size=120),
    st.lists(
        st.tuples(
            st.sampled_from(
                ["six.py", "../x", "/etc/hostname", "pkg/", "", "six-1.17.0.dist-info/RECORD"]
            ),
            st.sampled_from(["", "sha256=", "sha256=abc", "md5=x", "nope=1", "=", "sha256"]),
            st.sampled_from(["", "0", "-1", "x", "99999999999999999999"]),
        ),
        max_size=4,
    ).map(lambda rows: "\n".join(",".join(r) for r in rows).encode()),
)


@DIST_INFO
@given(
    name=FILE_NAME,
    metadata=st.one_of(st.binary(max_size=80), st.just(b"Name: six\nVersion: 1.17.0\n")),
    record=RECORDS,
    direct_url=DIRECT_URLS,
    layout=st.sampled_from([".dist-info", ".egg-info", ".egg-link"]),
    args=st.sampled_from([[], ["--verify-files"], ["--json", "--verify-files"]]),
)
def test_random_dist_info(
    projects: dict[str, Path],
    name: str,
    metadata: bytes,
    record: bytes,
    direct_url: bytes,
    layout: str,
    args: list[str],
) -> None:
    project = projects["uv.lock"]
    (project / "uv.lock").write_text(SEEDS["uv.lock"])
    site = site_packages(project / ".venv")
    entry = site / (name + layout)
    try:
        if layout == ".egg-link":
            entry.write_bytes(metadata)
        else:
            entry.mkdir()
            (entry / "METADATA").write_bytes(metadata)
            (entry / "PKG-INFO").write_bytes(metadata)
            (entry / "RECORD").write_bytes(record)
            (entry / "direct_url.json").write_bytes(direct_url)
    except OSError:  # a name the file system refuses (too long...): nothing to test
        return
    try:
        code, out, err = driftcheck(["--project", str(project), *args])
        assert_clean_outcome(code, out, err)
        # A broken dist is a finding; only a version uv cannot parse stops the check.
        assert code != 2 or "in the folder name (uv cannot read" in err, err
    finally:
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
