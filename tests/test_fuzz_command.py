"""Fuzzing the whole command on hostile project trees.

Hypothesis builds a project directory member by member: lockfiles, pyproject.toml, a
``.venv`` with its pyvenv.cfg, interpreter and dist-info folders, pdm's and pipenv's
pointer files. Each member may be what it should be (a real seed), or a symlink
(dangling, a loop, to a device, out of the tree), a FIFO, a directory where a file
belongs, an empty or binary file, a trap program, or carry an odd name (bytes that are
not UTF-8, very long, dots). pyproject.toml gets ``[tool.driftcheck]`` tables with
wrong types. Then driftcheck runs one command on it.

The property: it ends within a few seconds (a timer interrupts a hang, which fails),
with exit 0, 1 or 2; exit 2 is one ``driftcheck: error:`` line and nothing on stdout
(for several projects, a report and an error line per failed project); no traceback,
no internal error; no trap ran; the tree is unchanged.

CI runs the ``ci`` profile (a few hundred trees); docs/fuzzing.md has the command that
runs 10,000.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from helpers import driftcheck, tree_hash
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_fuzz import SEEDS
from test_proofs import LOCKS

from driftcheck import cli

SITE = ".venv/lib/python3.11/site-packages"
DIST = f"{SITE}/six-1.17.0.dist-info"
PYVENV_CFG = "home = /usr/bin\nimplementation = CPython\nversion_info = 3.11.7\nuv = 0.13.9\n"
PYPROJECT = '[project]\nname = "demo"\nversion = "0.1.0"\n'
CONFIG_VALUES = st.sampled_from(
    [
        "1",
        "true",
        '"x"',
        '""',
        "[]",
        "[1]",
        '["."]',
        '["/"]',
        '["*"]',
        "{}",
        "{ a = 1 }",
        '"xml"',
        '"uv.lock"',
        '"../../etc"',
        '"/dev/zero"',
        '"infer"',
        "-1",
        '"1 GiB"',
    ]
)
CONFIG_KEYS = st.sampled_from(
    [
        "lockfile",
        "lock-format",
        "python",
        "output-format",
        "allow",
        "projects",
        "extras",
        "groups",
        "exit-zero",
        "verify-files",
        "selection",
        "max-lockfile-size",
        "inexact",
        "no-build-isolation",
        "unknown-key",
    ]
)


@st.composite
def pyproject(draw: st.DrawFn) -> bytes:
    table = draw(st.dictionaries(CONFIG_KEYS, CONFIG_VALUES, max_size=3))
    text = PYPROJECT + "\n[tool.driftcheck]\n" + "".join(f"{k} = {v}\n" for k, v in table.items())
    if draw(st.booleans()):
        text += "\n[tool.poetry]\npackage-mode = false\n[tool.pdm]\ndistribution = false\n"
    return text.encode()


# What a path may hold: (kind, payload).
def contents(seed: bytes) -> st.SearchStrategy[tuple[str, object]]:
    return st.one_of(
        st.just(("file", seed)),
        st.just(("file", seed)),
        st.tuples(st.just("file"), st.binary(max_size=64)),
        st.just(("file", b"")),
        st.just(("file", seed[: len(seed) // 2])),
        st.just(("dir", None)),
        st.just(("fifo", None)),
        st.just(("trap", None)),
        st.sampled_from(
            [
                ("link", "nowhere"),  # dangling
                ("link", "."),  # a directory
                ("loop", None),
                ("link", "/dev/zero"),
                ("link", "/dev/null"),
                ("link", "/etc/hostname"),  # out of the tree
                ("link", "../.."),
            ]
        ),
    )


MEMBERS: dict[str, bytes] = {
    **{name: text.encode() for name, text in SEEDS.items()},
    ".venv/pyvenv.cfg": PYVENV_CFG.encode(),
    ".venv/bin/python": b"",  # (always a trap or a link: never a real interpreter)
    f"{DIST}/METADATA": b"Metadata-Version: 2.1\nName: six\nVersion: 1.17.0\n",
    f"{DIST}/RECORD": b"six.py,sha256=AAAA,4\nsix-1.17.0.dist-info/METADATA,,\n",
    f"{DIST}/INSTALLER": b"uv\n",
    f"{DIST}/direct_url.json": b'{"url": "file:///x", "dir_info": {"editable": true}}',
    f"{SITE}/six.py": b"x=1\n",
    f"{SITE}/attrs-23.2.0.dist-info/METADATA": b"Name: attrs\nVersion: 23.2.0\n",
    f"{SITE}/legacy.egg-link": b"/nowhere\n",
    ".pdm-python": b"/usr/bin/python3\n",
    ".python-version": b"3.11\n",
    "poetry.toml": b"[virtualenvs]\nin-project = true\n",
}
ODD_NAMES = st.sampled_from(
    [
        f"{SITE}/\udcff\udcfe-1.0.dist-info",
        f"{SITE}/{'a' * 250}-1.0.dist-info",
        f"{SITE}/..dist-info",
        f"{SITE}/-.dist-info",
        f"{SITE}/x-1.0.dist-info.",
        f"{SITE}/six-1.17.0.egg-info",
        "requirements.txt",
        "pylock.dev.toml",
        ".venv/lib64",
        ".venv/Lib/site-packages",
    ]
)
ARGS = st.sampled_from(
    [
        [],
        ["--json"],
        ["--verify-files"],
        ["--output-format", "sarif"],
        ["--output-format", "github"],
        ["why", "six"],
        ["infer"],
        ["check", "."],
        ["--lockfile", "requirements.txt"],
        ["--python", ".venv"],
        ["--python", ".venv/bin/python"],
        ["--selection", "infer"],
    ]
)


@st.composite
def trees(draw: st.DrawFn) -> dict[str, tuple[str, object]]:
    tree: dict[str, tuple[str, object]] = {"pyproject.toml": ("file", draw(pyproject()))}
    lock = draw(st.sampled_from(sorted(LOCKS)))
    tree[lock] = draw(contents(SEEDS[lock].encode()))
    if draw(st.booleans()):  # a second lockfile: ambiguity
        other = draw(st.sampled_from(sorted(LOCKS)))
        tree[other] = draw(contents(SEEDS[other].encode()))
    for path in draw(st.lists(st.sampled_from(sorted(MEMBERS)), max_size=8, unique=True)):
        tree[path] = draw(contents(MEMBERS[path]))
    for path in draw(st.lists(ODD_NAMES, max_size=2, unique=True)):
        tree[path] = draw(contents(b"Name: x\nVersion: 1.0\n"))
    return tree


def _build(root: Path, tree: dict[str, tuple[str, object]], mark: Path) -> None:
    # The venv's skeleton, so that most trees reach the dist-info readers.
    (root / SITE).mkdir(parents=True)
    (root / ".venv" / "bin").mkdir()
    for rel, (kind, payload) in sorted(tree.items(), key=lambda item: item[0].count("/")):
        path = root / rel
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            elif path.exists() or path.is_symlink():
                path.unlink()
            if kind == "file":
                path.write_bytes(payload)  # type: ignore[arg-type]
            elif kind == "dir":
                path.mkdir()
            elif kind == "fifo":
                os.mkfifo(path)
            elif kind == "trap":
                path.write_text(f"#!/bin/sh\ntouch '{mark}'\n")
                path.chmod(0o755)
            elif kind == "loop":
                path.symlink_to(path.name)
            elif kind == "link":
                path.symlink_to(str(payload))
        except (OSError, ValueError, UnicodeEncodeError):
            continue  # a name or a place the file system refuses: a smaller tree


class Hang(Exception):
    pass


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    def expired(signum: int, frame: object) -> None:
        raise Hang(f"driftcheck ran for more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


EXAMPLES = 300 if settings.default.max_examples <= 2000 else settings.default.max_examples


@settings(
    max_examples=EXAMPLES,
    deadline=None,  # (the timer below is the bound: a few seconds a run)
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(tree=trees(), args=ARGS)
def test_any_project_tree(tree: dict[str, tuple[str, object]], args: list[str]) -> None:
    base = Path(tempfile.mkdtemp(prefix="driftcheck-fuzz-"))
    try:
        root, mark = base / "project", base / "a-trap-ran"
        root.mkdir()
        _build(root, tree, mark)
        before = tree_hash(base)
        with deadline(5):
            code, out, err = driftcheck(args, cwd=root)
        assert code in (0, 1, 2), (code, err)
        assert "Traceback" not in err and "internal error" not in err, err
        if code == 2:  # one error line (a line per failed project, for several)
            lines = err.splitlines()
            assert lines and all(line.startswith("driftcheck: error: ") for line in lines), err
            pyproject_bytes = tree["pyproject.toml"][1]
            several = args[:1] == ["check"] or b"projects" in pyproject_bytes  # type: ignore[operator]
            assert out == "" or several, out
        assert not mark.exists(), "a trap ran"
        assert tree_hash(base) == before, "the tree changed"
        assert not cli.CAUGHT, cli.CAUGHT
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.mark.parametrize("kind", ["fifo", "loop", "dir"])
def test_a_tree_of_one_odd_lockfile(kind: str) -> None:
    """The plain cases the strategy starts from, kept as examples."""
    test_any_project_tree.hypothesis.inner_test(  # type: ignore[attr-defined]
        tree={"pyproject.toml": ("file", PYPROJECT.encode()), "uv.lock": (kind, None)}, args=[]
    )
