"""Shared helpers for tests that drive real tools (uv, pip) in real venvs."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from driftcheck.cli import main

REPO = Path(__file__).resolve().parent.parent


def uv_bin() -> str:
    """The uv executable installed as a test dependency, next to this interpreter."""
    try:
        from uv import find_uv_bin
    except ImportError:  # pragma: no cover
        pytest.skip("uv is not installed: install driftcheck with its [test] extra")
    return str(find_uv_bin())


def tool_env(**extra: str) -> dict[str, str]:
    """A clean environment for the real tools: no active venv, no pre-commit, no colour."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT", "PRE_COMMIT", "CONDA_PREFIX")
        and not k.startswith("DRIFTCHECK_")
    }
    env.update(
        UV_PYTHON_DOWNLOADS="never",
        UV_NO_PROGRESS="1",
        NO_COLOR="1",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update(extra)
    return env


def run(
    cmd: Sequence[str], cwd: Path, *, check: bool = True, **env: str
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        list(cmd), cwd=cwd, env=tool_env(**env), capture_output=True, text=True, timeout=600
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"{' '.join(cmd)} exited {result.returncode}\n{result.stdout}\n{result.stderr}"
        )
    return result


def find_python(version: str) -> str | None:
    """An interpreter for ``version`` (e.g. "3.10"), from PATH or pyenv; None if absent."""
    candidates = []
    root = os.environ.get("PYENV_ROOT") or str(Path.home() / ".pyenv")
    found = Path(root).glob(f"versions/{version}.*/bin/python{version}")
    candidates += sorted(map(str, found), reverse=True)
    which = shutil.which(f"python{version}")
    if which:
        candidates.append(which)
    if sys.version_info[:2] == tuple(int(p) for p in version.split(".")):
        candidates.insert(0, sys.executable)
    for candidate in candidates:
        try:
            out = subprocess.run(
                [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                capture_output=True,
                text=True,
                timeout=30,
            )
        except OSError:
            continue
        if out.returncode == 0 and out.stdout.strip() == version:
            return candidate
    return None


def require_python(version: str) -> str:
    found = find_python(version)
    if found is None:
        pytest.skip(f"no Python {version} on this machine")
    return found


def driftcheck(args: Sequence[str], cwd: Path | None = None) -> tuple[int, str, str]:
    """Run driftcheck's main() in-process; returns (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    old = Path.cwd()
    env_backup = {
        k: os.environ.pop(k) for k in ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT") if k in os.environ
    }
    try:
        if cwd is not None:
            os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args))
    finally:
        os.chdir(old)
        os.environ.update(env_backup)
    return code, out.getvalue(), err.getvalue()


def driftcheck_json(
    args: Sequence[str], cwd: Path | None = None
) -> tuple[int, dict[str, Any] | None, str]:
    code, out, err = driftcheck(["--json", *args], cwd)
    return code, (json.loads(out) if out.strip() else None), err


def uv_verdict(project: Path, flags: Sequence[str]) -> tuple[int, dict[str, str], str]:
    """`uv sync --check --frozen` as (exit code, {name: kind}, stderr)."""
    result = run(
        [uv_bin(), "sync", "--check", "--frozen", "--output-format", "json", *flags],
        project,
        check=False,
    )
    actions: dict[str, set[str]] = {}
    if result.stdout.strip():
        data = json.loads(result.stdout)
        for change in data["sync"]["changes"]:
            actions.setdefault(change["name"], set()).add(change["action"])
    kinds = {}
    for name, acts in actions.items():
        if acts == {"installed"}:
            kinds[name] = "missing"
        elif acts == {"uninstalled"}:
            kinds[name] = "extraneous"
        else:
            kinds[name] = "mismatched"
    return result.returncode, kinds, result.stderr


def uv_pip_verdict(
    project: Path, lockfile: str, flags: Sequence[str], *, inexact: bool = False
) -> tuple[int, dict[str, str], str]:
    """`uv pip sync --dry-run` (or `uv pip install --dry-run -r` when inexact) as a verdict.

    uv prints ` - name==version` / ` + name==version` lines and exits 0; a change means
    drift (1), a failure means an input error (2).
    """
    import re

    preview = ["--preview-features", "pylock"] if "pylock" in lockfile else []
    if inexact:
        cmd = [uv_bin(), "pip", "install", "--dry-run", *preview, *flags, "-r", lockfile]
    else:
        cmd = [uv_bin(), "pip", "sync", "--dry-run", *preview, *flags, lockfile]
    result = run(cmd, project, check=False)
    if result.returncode != 0:
        return 2, {}, result.stderr
    actions: dict[str, set[str]] = {}
    for match in re.finditer(r"^ ([+~-]) ([A-Za-z0-9._-]+)", result.stderr, re.MULTILINE):
        name = match.group(2).lower().replace("_", "-").replace(".", "-")
        actions.setdefault(name, set()).add(match.group(1))
    kinds = {}
    for name, acts in actions.items():
        if acts == {"+"}:
            kinds[name] = "missing"
        elif acts == {"-"}:
            kinds[name] = "extraneous"
        else:  # "~" (reinstall), or both "-" and "+"
            kinds[name] = "mismatched"
    return (1 if kinds else 0), kinds, result.stderr


def finding_kinds(report: dict[str, Any] | None) -> dict[str, str]:
    if report is None:
        return {}
    return {f["name"]: f["kind"] for f in report["findings"] if not f["allowed"]}


@contextlib.contextmanager
def chdir(path: Path) -> Iterator[None]:
    old = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


# Tools with heavy or conflicting dependencies get a venv of their own, inside the test
# venv (so the README's test command installs them, and a later run reuses them).
TOOL_SPECS = {
    # poetry 2.x: `poetry sync --dry-run` is the oracle for poetry.lock.
    "poetry": ["poetry>=2.5,<3"],
    # pdm 2.29 fails at import here (hishel/unearth drifted); 2.26 with these pins works.
    "pdm": ["pdm==2.26.*", "hishel<1.2", "unearth<0.19"],
}


def tool_bin(name: str, executable: str | None = None) -> str:
    """A tool's executable from its own venv, created on first use."""
    home = Path(sys.prefix) / "driftcheck-test-tools" / name
    exe = home / "bin" / (executable or name)
    if not exe.exists():
        import venv

        venv.create(home, with_pip=True, clear=True)
        result = subprocess.run(
            [str(home / "bin" / "python"), "-m", "pip", "install", "-q", *TOOL_SPECS[name]],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0 or not exe.exists():
            pytest.skip(f"cannot install {name}: {result.stderr.strip()[-300:]}")
    return str(exe)


def pip_index_url() -> str:
    """The simple index pip uses here, read at run time (never written in the repo)."""
    result = subprocess.run(
        [sys.executable, "-m", "pip", "config", "get", "global.index-url"],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode == 0 and result.stdout.strip():
        return result.stdout.strip()
    from pip._internal.models.index import PyPI

    return str(PyPI.simple_url)


TOOL_SPECS["pipenv"] = ["pipenv>=2024"]
TOOL_SPECS["pip-tools"] = ["pip-tools>=7"]
# `pip lock` (pip 25.1+) writes pylock.toml files; the machine's own pip may be older.
TOOL_SPECS["pip"] = ["pip>=25.1"]


def tree_hash(root: Path) -> str:
    """A hash of every path under ``root``, with its mode, size, mtime and content."""
    import hashlib

    digest = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames) + dirnames:
            path = Path(dirpath, name)
            st = path.lstat()
            digest.update(os.fsencode(f"{path}|{st.st_mode}|{st.st_size}|{st.st_mtime_ns}"))
            if path.is_file() and not path.is_symlink():
                digest.update(path.read_bytes())
    return digest.hexdigest()


# A stray package, installed the way people do it by hand.
STRAY = ("{uv}", "pip", "install", "-q", "attrs")


@dataclasses.dataclass(frozen=True)
class Case:
    """A differential case for a tool's own sync: how to set up, what the tool says.

    :param expect: the tool's own verdict (0, 1 or 2): asserted, so that a case cannot
        silently stop testing what its name says.
    :param sync_flags: flags for the setup sync, when they differ from the checked ones.
    :param steps: perturbations run after the sync; "{uv}" is the uv executable.
    """

    id: str
    expect: int
    flags: tuple[str, ...] = ()
    sync_flags: tuple[str, ...] | None = None
    steps: tuple[tuple[str, ...], ...] = ()
    python: str = "3.11"
