"""Proofs of driftcheck's guarantees: read-only and offline, on every format and output.

(Inertness - no .pth, sitecustomize or usercustomize ever runs - is test_inert.py.)
"""

from __future__ import annotations

import itertools
import os
import socket
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes import add_dist, lock_text, make_venv
from helpers import REPO, driftcheck, tree_hash

FORMATS = ("text", "json", "github", "markdown", "sarif")
POETRY_LOCK = '[[package]]\nname = "six"\nversion = "1.17.0"\ngroups = ["main"]\n\n[metadata]\nlock-version = "2.1"\n'
PDM_LOCK = '[metadata]\ngroups = ["default"]\nstrategy = ["inherit_metadata"]\nlock_version = "4.5.0"\n\n[[package]]\nname = "six"\nversion = "1.17.0"\ngroups = ["default"]\n'
PIPFILE_LOCK = (
    '{"_meta": {"pipfile-spec": 6}, "default": {"six": {"version": "==1.17.0"}}, "develop": {}}'
)
LOCKS = {
    "uv.lock": lock_text("demo", {"six": "1.17.0"}),
    "requirements.txt": "six==1.17.0\n",
    "pylock.toml": (
        'lock-version = "1.0"\ncreated-by = "t"\n[[packages]]\nname = "six"\nversion = "1.17.0"\n'
        '[[packages.wheels]]\nname = "six-1.17.0-py2.py3-none-any.whl"\n'
        'url = "https://files.example/six-1.17.0-py2.py3-none-any.whl"\nhashes = {sha256 = "00"}\n'
    ),
    "poetry.lock": POETRY_LOCK,
    "pdm.lock": PDM_LOCK,
    "Pipfile.lock": PIPFILE_LOCK,
    "conda-lock.yml": (REPO / "tests" / "data" / "conda-lock.yml").read_text(),
}


def _project(root: Path, lock: str) -> Path:
    root.mkdir()
    (root / "pyproject.toml").write_text(
        '[project]\nname = "demo"\nversion = "0.1.0"\n\n[tool.poetry]\npackage-mode = false\n'
        "\n[tool.pdm]\ndistribution = false\n"
    )
    (root / lock).write_text(LOCKS[lock])
    venv = make_venv(root, {"six": "1.17.0"})
    add_dist(next(venv.glob("lib/python*/site-packages")), "attrs", "23.2.0")  # one drift
    return root


def _runs(project: Path, lock: str) -> Iterator[tuple[list[str], tuple[int, ...]]]:
    """Every command on ``project``: each output format with and without --verify-files,
    then why, infer and the multi-project check (args, allowed exit codes)."""
    where = ["--project", str(project), "--lockfile", lock]
    if lock == "conda-lock.yml":
        where += ["--python", str(project / ".venv")]
    for fmt, extra in itertools.product(FORMATS, ([], ["--verify-files"])):
        yield [*where, "--output-format", fmt, *extra], (0, 1)
    yield ["why", "six", *where], (0,)
    yield ["why", "attrs", *where, "--json"], (0,)
    infer_codes = (0, 1) if lock == "uv.lock" else (2,)  # (infer reads uv.lock only)
    yield ["infer", *where], infer_codes
    yield [*where, "--selection", "infer", "--json"], infer_codes
    yield ["check", str(project), *where[2:]], (1,)


@pytest.fixture
def read_only() -> Iterator[list[Path]]:
    """Trees made read-only for a test, restored after (so tmp_path can be cleaned)."""
    trees: list[Path] = []
    yield trees
    for tree in trees:
        for dirpath, dirnames, filenames in os.walk(tree):
            for name in [*dirnames, *filenames]:
                path = Path(dirpath, name)
                if not path.is_symlink():
                    path.chmod(path.stat().st_mode | stat.S_IWUSR)
        tree.chmod(tree.stat().st_mode | stat.S_IWUSR)


@pytest.mark.parametrize("lock", sorted(LOCKS))
def test_read_only_tree_is_left_byte_for_byte(
    tmp_path: Path, lock: str, read_only: list[Path]
) -> None:
    project = _project(tmp_path / "p", lock)
    for dirpath, dirnames, filenames in os.walk(project, topdown=False):
        for name in [*dirnames, *filenames]:
            path = Path(dirpath, name)
            if not path.is_symlink():
                path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    project.chmod(project.stat().st_mode & ~stat.S_IWUSR)
    read_only.append(project)
    before = tree_hash(project)
    for args, codes in _runs(project, lock):
        code, out, err = driftcheck(args)
        assert code in codes, (args, err)
        assert out or code == 2, args
    assert tree_hash(project) == before
    assert not list(project.rglob("__pycache__"))


@pytest.mark.parametrize("lock", sorted(LOCKS))
def test_offline(tmp_path: Path, lock: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """With socket creation made to fail in this process, every command still works."""

    def no_network(*args: object, **kwargs: object) -> socket.socket:
        raise OSError("network access attempted")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    project = _project(tmp_path / "p", lock)
    for args, codes in _runs(project, lock):
        code, _, err = driftcheck(args)
        assert code in codes, (args, err)
        assert "network" not in err, (args, err)
