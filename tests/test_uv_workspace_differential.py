"""uv workspaces as people use them, against the real `uv sync --check --frozen`.

Found on real projects (issue 19): run from a member's directory (the workflow of
fastapi's full-stack template), ``--package MEMBER`` in a workspace whose root has no
[project] but has [dependency-groups], a member whose source directory is gone, and a
lock from a uv that wrote no ``revision``.
"""

from __future__ import annotations

import shutil
import sys
import textwrap
from pathlib import Path

import pytest
from helpers import driftcheck_json, finding_kinds, run, uv_bin, uv_verdict

pytestmark = pytest.mark.differential

BUILD = """
[build-system]
requires = ["uv_build>=0.9,<0.20"]
build-backend = "uv_build"
"""
FILES = {
    # A virtual root: no [project], its own dependency groups.
    "pyproject.toml": """
        [tool.uv.workspace]
        members = ["packages/*"]

        [dependency-groups]
        dev = ["iniconfig"]
        lint = ["six"]
        """,
    "packages/backend/pyproject.toml": """
        [project]
        name = "backend"
        version = "0.1.0"
        requires-python = ">=3.10"
        dependencies = ["lib", "idna"]

        [project.optional-dependencies]
        web = ["itsdangerous"]

        [dependency-groups]
        dev = ["packaging"]

        [tool.uv.sources]
        lib = { workspace = true }
        """
    + BUILD,
    "packages/lib/pyproject.toml": """
        [project]
        name = "lib"
        version = "0.1.0"
        requires-python = ">=3.10"
        dependencies = ["attrs"]
        """
    + BUILD,
    "packages/backend/src/backend/__init__.py": "",
    "packages/lib/src/lib/__init__.py": "",
}


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("workspace") / "ws"
    for rel, text in FILES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    run([uv_bin(), "lock", "-q", "--python", sys.executable], root)
    return root


@pytest.fixture
def workspace(synced: Path, tmp_path: Path) -> Path:
    """The workspace, synced with every member (editables point into the copy)."""
    copy = tmp_path / "ws"
    shutil.copytree(synced, copy, symlinks=True)
    run([uv_bin(), "venv", "-q", "--python", sys.executable], copy)
    run([uv_bin(), "sync", "-q", "--frozen", "--all-packages"], copy)
    return copy


def agree(where: Path, flags: tuple[str, ...], expect: int) -> dict[str, str]:
    """driftcheck run in ``where`` agrees with uv run there; returns {name: kind}."""
    uv_code, kinds, uv_err = uv_verdict(where, flags)
    assert uv_code == expect, f"the case does not set up what it claims: {uv_err}"
    code, report, err = driftcheck_json(list(flags), cwd=where)
    assert code == uv_code, (uv_err, err)
    assert finding_kinds(report) == kinds, (uv_err, report)
    return kinds


ROOT_CASES = [
    ((), 0, {}),
    (("--all-packages",), 0, {}),
    # The member defines `dev` itself: the root's default `dev` is not taken.
    (("--package", "backend"), 1, {"iniconfig": "extraneous"}),
    (("--package", "backend", "--group", "dev"), 1, {"iniconfig": "extraneous"}),
    # `lint` is the root's alone: asked for by name, it is taken.
    (("--package", "backend", "--group", "lint"), 1, {"iniconfig": "extraneous", "six": "missing"}),
    (("--package", "backend", "--all-groups"), 1, {"iniconfig": "extraneous", "six": "missing"}),
    # `lib` defines no `dev`: the root's is taken when named (not as a default).
    (("--package", "lib", "--group", "dev"), 1, None),
    (("--package", "lib", "--all-groups"), 1, None),
    (("--package", "lib"), 1, None),
    (("--package", "backend", "--no-default-groups"), 1, None),
    (("--package", "backend", "--only-group", "lint"), 1, None),
    (("--all-groups",), 1, {"six": "missing"}),
]


@pytest.mark.parametrize(
    ("flags", "expect", "kinds"), ROOT_CASES, ids=[" ".join(c[0]) or "default" for c in ROOT_CASES]
)
def test_from_the_workspace_root(
    workspace: Path, flags: tuple[str, ...], expect: int, kinds: dict[str, str] | None
) -> None:
    found = agree(workspace, flags, expect)
    if kinds is not None:
        assert found == kinds


@pytest.mark.parametrize(
    ("member", "flags", "expect"),
    [
        ("packages/backend", (), 1),
        ("packages/backend", ("--group", "lint"), 1),
        ("packages/backend", ("--all-packages",), 0),
        ("packages/backend", ("--package", "lib"), 1),
        ("packages/backend/src/backend", (), 1),
        ("packages/lib", (), 1),
    ],
)
def test_from_a_member_directory(
    workspace: Path, member: str, flags: tuple[str, ...], expect: int
) -> None:
    """`cd backend && driftcheck` checks that member against the root's uv.lock."""
    agree(workspace / member, flags, expect)


def test_a_member_source_directory_gone(workspace: Path) -> None:
    """uv cannot plan the install (exit 2, "Distribution not found"); nor can driftcheck."""
    shutil.rmtree(workspace / "packages" / "lib")
    uv_code, _, uv_err = uv_verdict(workspace, ("--all-packages",))
    assert uv_code == 2 and "Distribution not found at" in uv_err
    code, report, err = driftcheck_json(["--all-packages"], cwd=workspace)
    assert (code, report) == (2, None)
    assert err.startswith("driftcheck: error: uv.lock:")  # (shown relative to where it ran)
    assert f"package 'lib': its source {workspace / 'packages' / 'lib'} is not there" in err


def test_a_member_not_selected_may_be_gone(workspace: Path) -> None:
    shutil.rmtree(workspace / "packages" / "backend")
    agree(workspace, ("--package", "lib"), 1)


def test_a_lock_without_revision_does_not_check_extras(workspace: Path) -> None:
    """Locks written before uv recorded provides-extras (no `revision`): uv does not
    validate extras there, and exits 0 for an unknown one."""
    lock = workspace / "uv.lock"
    lines = lock.read_text().splitlines()
    lock.write_text("\n".join(line for line in lines if not line.startswith("revision")) + "\n")
    agree(workspace, ("--all-packages", "--extra", "nonexistent"), 0)
    # (groups are still checked)
    uv_code, _, _ = uv_verdict(workspace, ("--all-packages", "--group", "nonexistent"))
    code, _, _ = driftcheck_json(["--all-packages", "--group", "nonexistent"], cwd=workspace)
    assert code == uv_code == 2
