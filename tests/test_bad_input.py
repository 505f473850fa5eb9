"""Malformed and unknown-version uv.lock files: exit 2, one line, file and place named."""

from __future__ import annotations

import venv
from pathlib import Path

import pytest
from helpers import driftcheck

PKG = '[[package]]\nname = "a"\nversion = "1.0"\nsource = { registry = "https://index.example/simple" }\n'

BAD_LOCKS = [
    pytest.param(
        "version = 2\nrevision = 1\n",
        "uv.lock: unsupported lock version 2; driftcheck reads uv.lock version 1 "
        "(upgrade driftcheck?) (at 'version')",
        id="unknown-version",
    ),
    pytest.param(
        'version = "1"\n',
        "uv.lock: 'version' must be an integer, not string (at 'version')",
        id="version-type",
    ),
    pytest.param(
        "revision = 3\n",
        "uv.lock: missing required key 'version'; is this a uv.lock? (at 'version')",
        id="no-version",
    ),
    pytest.param(
        'version = 1\n[[package\nname = "a"\n',
        "uv.lock:2: invalid TOML: Expected ']]' at the end of an array declaration",
        id="toml-syntax",
    ),
    pytest.param(
        'version = 1\n[[package]]\nname = "a"\nversion = 3\n'
        'source = { registry = "https://index.example/simple" }\n',
        "uv.lock:3: package 'a': 'version' must be a string, not integer (at 'package[0].version')",
        id="package-version-type",
    ),
    pytest.param(
        "version = 1\n" + PKG + '\n[[package]]\nname = "b"\nversion = "not a version!"\n'
        'source = { registry = "https://index.example/simple" }\n',
        "uv.lock:8: package 'b': invalid version 'not a version!' (at 'package[1].version')",
        id="invalid-version",
    ),
    pytest.param(
        'version = 1\n[[package]]\nname = "a"\nversion = "1.0"\n',
        "uv.lock:3: package 'a': missing required key 'source' (at 'package[0]')",
        id="no-source",
    ),
    pytest.param(
        "version = 1\n" + PKG + 'dependencies = [{ name = "b" }]\n',
        "uv.lock:3: package 'a': dependency 'b' is not a locked package "
        "(at 'package[0].dependencies[0]')",
        id="dangling-dependency",
    ),
    pytest.param(
        "version = 1\n"
        + PKG
        + 'dependencies = [{ name = "a", marker = "python_version >>> 3" }]\n',
        "uv.lock:3: package 'a': invalid marker 'python_version >>> 3': Expected a marker "
        "variable or quoted string (at 'package[0].dependencies[0].marker')",
        id="bad-marker",
    ),
    pytest.param(
        'version = 1\n[[package]]\nname = "a"\nversion = "1.0"\nsource = { cloud = "x" }\n',
        "uv.lock:3: package 'a': 'source' must have exactly one of registry, editable, "
        "directory, virtual, path, url, git (at 'package[0].source')",
        id="unknown-source-kind",
    ),
    pytest.param(
        'version = 1\n[[package]]\nname = "a"\nversion = "1.0"\n'
        'source = { git = "https://git.example/a.git?rev=main" }\n',
        "uv.lock:3: package 'a': git source has no commit after '#' (at 'package[0].source.git')",
        id="git-without-commit",
    ),
    pytest.param(
        "version = 1\n" + PKG + "\n" + PKG,
        "uv.lock:8: package 'a': duplicate package entry (same name, version and source) "
        "(at 'package[1]')",
        id="duplicate-package",
    ),
    pytest.param(
        "version = 1\npackage = 3\n",
        "uv.lock: 'package' must be an array of tables (at 'package')",
        id="package-not-array",
    ),
    pytest.param(b"\xff\xfe", "uv.lock:1: not valid UTF-8", id="not-utf8"),
    pytest.param(
        "version = 1\nsupported-markers = [\"sys_platform = 'x'\"]\n",
        "uv.lock: invalid marker \"sys_platform = 'x'\": Expected marker operator, one of "
        "<=, <, !=, ==, >=, >, ~=, ===, in, not in (at 'supported-markers[0]')",
        id="bad-supported-marker",
    ),
    pytest.param(
        "version = 1\n" + PKG + 'resolution-markers = ["os_name <>"]\n',
        "uv.lock:3: package 'a': invalid marker 'os_name <>': Expected a marker variable or "
        "quoted string (at 'package[0].resolution-markers[0]')",
        id="bad-resolution-marker",
    ),
    pytest.param(
        "version = 1\nsupported-markers = [\n    \"sys_platform == 'plan9'\",\n]\n",
        "uv.lock:2: this platform is not one of the lock's supported environments: "
        "`sys_platform == 'plan9'` (at 'supported-markers')",
        id="unsupported-platform",
    ),
]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "bad"\nversion = "0"\n')
    venv.create(tmp_path / ".venv", with_pip=False)
    return tmp_path


@pytest.mark.parametrize(("content", "message"), BAD_LOCKS)
def test_bad_lock_is_one_line_exit_2(project: Path, content: str | bytes, message: str) -> None:
    lock = project / "uv.lock"
    if isinstance(content, bytes):
        lock.write_bytes(content)
    else:
        lock.write_text(content)
    code, out, err = driftcheck([], cwd=project)
    assert code == 2
    assert out == ""
    assert err == f"driftcheck: error: {message}\n"


def test_no_lockfile_found(project: Path) -> None:
    code, _, err = driftcheck([], cwd=project)
    assert code == 2
    assert err.startswith(f"driftcheck: error: {project}: no lockfile found (looked for uv.lock, ")
    assert err.endswith("); pass --lockfile\n") and err.count("\n") == 1


def test_named_lockfile_missing(project: Path) -> None:
    code, _, err = driftcheck(["--lockfile", "uv.lock"], cwd=project)
    assert (code, err) == (2, "driftcheck: error: uv.lock: file not found\n")


def test_lockfile_is_a_directory(project: Path) -> None:
    (project / "uv.lock").mkdir()
    code, _, err = driftcheck([], cwd=project)
    assert (code, err) == (2, "driftcheck: error: uv.lock: is a directory, not a regular file\n")


def test_missing_environment(tmp_path: Path) -> None:
    (tmp_path / "uv.lock").write_text("version = 1\n")
    code, _, err = driftcheck(["--project", str(tmp_path)])
    assert code == 2
    assert err.startswith(f"driftcheck: error: no environment found for {tmp_path}")
    assert err.count("\n") == 1


def test_python_path_that_does_not_exist(project: Path) -> None:
    (project / "uv.lock").write_text("version = 1\n")
    code, _, err = driftcheck(["--python", str(project / "nope")], cwd=project)
    assert (code, err) == (
        2,
        f"driftcheck: error: {project / 'nope'}: environment does not exist\n",
    )


def test_bad_pyproject_is_exit_2(project: Path) -> None:
    (project / "uv.lock").write_text("version = 1\n")
    (project / "pyproject.toml").write_text("[project\n")
    code, _, err = driftcheck([], cwd=project)
    assert code == 2
    assert err.startswith(f"driftcheck: error: {project / 'pyproject.toml'}:1: invalid TOML")


def test_usage_error_is_one_line(project: Path) -> None:
    code, _, err = driftcheck(["--frobnicate"], cwd=project)
    assert code == 2
    assert err == "driftcheck: error: unrecognized arguments: --frobnicate\n"
