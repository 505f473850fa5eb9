"""Environments uv would replace, or reads in spite of damage: differential against real uv.

People's venvs break in a few ways again and again: the Python they were made with
is upgraded or removed (the interpreter link dangles), ``lib/`` or ``pyvenv.cfg`` is
deleted or garbled, the venv is of a Python the lock no longer allows, or an editor
saves uv.lock with a byte-order mark. For each, ``uv sync --check --frozen`` is the
reference: its exit code, and (name, kind) of what it would change.

Where uv would replace the environment it lists every package of the new one as an
install; driftcheck says so in one ``python`` finding instead, and that finding's
``replacement`` lists what the new environment would get. "Agree" there means: the
same exit code, uv's changes are installs only, and driftcheck's replacement packages
equal uv's installs (name and version) whenever driftcheck can tell the replacement's
Python from files: a ``.python-version`` pin, which these projects carry.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
from helpers import REPO, driftcheck_json, find_python, run, uv_bin

pytestmark = pytest.mark.differential
SCHEMA = json.loads((REPO / "docs" / "schema" / "report-v1.json").read_text())

HERE = "{}.{}".format(*sys.version_info[:2])
# Marker-dependent packages: tomli and exceptiongroup only below 3.11, so a 3.10 venv
# and its 3.11+ replacement need different sets.
PYPROJECT = """\
[project]
name = "demo"
version = "0.1.0"
requires-python = ">={low}"
dependencies = [
    "six==1.17.0",
    "tomli; python_version < '3.11'",
    "exceptiongroup; python_version < '3.11'",
]

[tool.uv]
package = false
"""


def _uv_changes(project: Path) -> tuple[int, dict[str, tuple[str, str]], str]:
    """uv's verdict: exit code, {name: (action, version)}, stderr."""
    result = run(
        [uv_bin(), "sync", "--check", "--frozen", "--output-format", "json"],
        project,
        check=False,
        UV_PYTHON_INSTALL_DIR=str(project / ".no-managed-pythons"),
    )
    changes: dict[str, tuple[str, str]] = {}
    if result.stdout.strip():
        for change in json.loads(result.stdout)["sync"]["changes"]:
            changes[change["name"]] = (change["action"], change["version"])
    return result.returncode, changes, result.stderr


def _agree(project: Path, *, replaced: bool) -> dict[str, object]:
    uv_code, changes, uv_err = _uv_changes(project)
    code, report, err = driftcheck_json(["--project", str(project)])
    assert code == uv_code, (uv_err, err)
    if code == 2:
        assert report is None and err.startswith("driftcheck: error: ")
        return {}
    assert report is not None
    jsonschema.validate(report, SCHEMA)
    findings = report["findings"]
    if replaced:
        assert {a for a, _ in changes.values()} == {"installed"}, uv_err
        [finding] = findings
        assert (finding["name"], finding["kind"]) == ("python", "mismatched")
        assert "uv would replace the environment" in finding["reason"]
        replacement = finding["replacement"]
        assert replacement["packages"] is not None, finding  # (the pin tells the Python)
        assert {p["name"]: p["version"] for p in replacement["packages"]} == {
            name: version for name, (_, version) in changes.items()
        }
    else:
        kinds = {"installed": "missing", "uninstalled": "extraneous"}
        assert {f["name"]: f["kind"] for f in findings} == {
            name: kinds.get(action, "mismatched") for name, (action, _) in changes.items()
        }, uv_err
    return report


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project locked for >=3.10, synced into a venv of this Python, pinned to it."""
    root = tmp_path_factory.mktemp("replaced") / "base"
    root.mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT.format(low="3.10"))
    (root / ".python-version").write_text(HERE + "\n")
    run([uv_bin(), "lock", "-q", "--python", sys.executable], root)
    run([uv_bin(), "venv", "-q", "--python", sys.executable], root)
    run([uv_bin(), "sync", "-q", "--frozen"], root)
    return root


@pytest.fixture
def project(synced: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "demo"
    shutil.copytree(synced, copy, symlinks=True)
    return copy


def _python(project: Path) -> Path:
    return project / ".venv" / "bin" / "python"


def _cfg(project: Path, change: Callable[[str], str]) -> None:
    cfg = project / ".venv" / "pyvenv.cfg"
    cfg.write_text(change(cfg.read_text()))


def _set_version_info(value: str) -> Callable[[str], str]:
    import re

    return lambda text: re.sub(r"(?m)^version_info = .*$", f"version_info = {value}", text)


def _dangling_interpreter(project: Path) -> None:
    _python(project).unlink()
    _python(project).symlink_to(f"/nonexistent/python{HERE}")


def _no_interpreter(project: Path) -> None:
    for link in (project / ".venv" / "bin").glob("python*"):
        link.unlink()


def _other_python_than_recorded(project: Path) -> None:
    major, minor = sys.version_info[:2]
    _cfg(project, _set_version_info(f"{major}.{minor + 1}.0"))


def _empty_dot_venv(project: Path) -> None:
    shutil.rmtree(project / ".venv")
    (project / ".venv").mkdir()


def _dangling_dot_venv(project: Path) -> None:
    shutil.rmtree(project / ".venv")
    (project / ".venv").symlink_to(project / "gone")


REPLACED = {
    "dangling-interpreter": _dangling_interpreter,
    "no-interpreter": _no_interpreter,
    "made-with-another-python": _other_python_than_recorded,
    "empty-dot-venv": _empty_dot_venv,
    "dangling-dot-venv": _dangling_dot_venv,
}


@pytest.mark.parametrize("case", sorted(REPLACED))
def test_uv_would_replace_the_environment(project: Path, case: str) -> None:
    REPLACED[case](project)
    _agree(project, replaced=True)


def _remove(rel: str) -> Callable[[Path], None]:
    def remove(project: Path) -> None:
        path = project / rel
        shutil.rmtree(path) if path.is_dir() else path.unlink()

    return remove


def _bom(project: Path) -> None:
    lock = project / "uv.lock"
    lock.write_bytes(b"\xef\xbb\xbf" + lock.read_bytes())


def _interpreter_loop(project: Path) -> None:
    _python(project).unlink()
    _python(project).symlink_to(_python(project))


READ_AS_IT_IS = {
    "synced": lambda project: None,
    "no-lib": _remove(".venv/lib"),
    "no-pyvenv-cfg": _remove(".venv/pyvenv.cfg"),
    "garbled-pyvenv-cfg": lambda p: (p / ".venv" / "pyvenv.cfg").write_text("\x00garbage\n"),
    "pyvenv-cfg-is-a-directory": lambda p: (
        _remove(".venv/pyvenv.cfg")(p),
        (p / ".venv" / "pyvenv.cfg").mkdir(),
    ),
    "garbage-version-info": lambda p: _cfg(p, _set_version_info("banana")),
    "lock-with-bom": _bom,
    "interpreter-symlink-loop": _interpreter_loop,
    "no-cfg-no-interpreter": lambda p: (_remove(".venv/pyvenv.cfg")(p), _no_interpreter(p)),
}


@pytest.mark.parametrize("case", sorted(READ_AS_IT_IS))
def test_uv_reads_the_environment_as_it_is(project: Path, case: str) -> None:
    READ_AS_IT_IS[case](project)
    _agree(project, replaced=False)


def test_python_outside_requires_python(tmp_path: Path) -> None:
    """A venv of a Python the lock excludes: uv would replace it with the pinned one.
    Markers are evaluated for the replacement, never for the rejected interpreter."""
    old = next((v for v in ("3.9", "3.8") if find_python(v)), None)
    if old is None:
        pytest.skip("no Python below 3.10 on this machine")
    project = tmp_path / "demo"
    project.mkdir()
    (project / "pyproject.toml").write_text(PYPROJECT.format(low="3.10"))
    (project / ".python-version").write_text(HERE + "\n")
    run([uv_bin(), "lock", "-q", "--python", sys.executable], project)
    old_python = find_python(old)
    assert old_python is not None
    run([uv_bin(), "venv", "-q", "--python", old_python], project)
    run([uv_bin(), "pip", "install", "-q", "six==1.17.0", "tomli", "exceptiongroup"], project)
    report = _agree(project, replaced=True)
    [finding] = report["findings"]  # type: ignore[index]
    assert finding["reason"].startswith(f"its Python {old}.")
    assert "does not satisfy the lock's requires-python >=3.10" in finding["reason"]
    names = {p["name"] for p in finding["replacement"]["packages"]}
    if sys.version_info >= (3, 11):
        assert names == {"six"}  # (not tomli, which the rejected 3.9 would need)


def test_replacement_python_unknown_without_a_pin(project: Path) -> None:
    """No .python-version, and PATH holds only a script driftcheck cannot read: the
    finding says uv would replace the environment, without guessing what it would hold."""
    (project / ".python-version").unlink()
    _dangling_interpreter(project)
    bin_dir = project.parent / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "python3"
    shim.write_text(f'#!/bin/sh\nexec {sys.executable} "$@"\n')
    shim.chmod(0o755)
    old_path = os.environ["PATH"]
    os.environ["PATH"] = f"{bin_dir}{os.pathsep}{old_path}"
    try:
        uv_code, changes, _ = _uv_changes(project)
        code, report, err = driftcheck_json(["--project", str(project)])
    finally:
        os.environ["PATH"] = old_path
    assert code == uv_code == 1, err
    assert {a for a, _ in changes.values()} == {"installed"}
    assert report is not None
    [finding] = report["findings"]
    assert finding["replacement"] == {"python": None, "packages": None}
    assert finding["reason"].endswith(
        "uv would replace the environment, with the first Python it finds that satisfies "
        "requires-python"
    )
