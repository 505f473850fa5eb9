"""Every ``hint: run …`` line, run as printed from where driftcheck ran, restores sync.

For each format (with its real tool), driftcheck runs from *another* directory than
the project (``--project``), on an environment with a stray package and a file of a
locked package changed in place (``--verify-files``); for uv also with the environment
found through ``VIRTUAL_ENV``, and for requirements and pylock.toml with ``--python``.
The printed command is run by a shell in that same directory, with the tools on PATH;
then driftcheck must find nothing.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from helpers import run, tool_bin, tool_env, uv_bin

pytestmark = pytest.mark.differential

PYPROJECT = """
[project]
name = "hinted"
version = "0.1.0"
requires-python = ">=3.10"
dependencies = ["six==1.17.0"]
"""


def _tools_path() -> str:
    dirs = [str(Path(uv_bin()).parent)]
    for tool in ("poetry", "pdm", "pipenv"):
        home = Path(sys.prefix) / "driftcheck-test-tools" / tool / "bin"
        if home.is_dir():
            dirs.append(str(home))
    return os.pathsep.join([*dirs, os.environ.get("PATH", "")])


def _drift(site: Path, venv: Path) -> None:
    """A stray install, and a locked package's file changed in place."""
    run([uv_bin(), "pip", "install", "-q", "--python", str(venv), "attrs"], site)
    six = next(site.glob("six.py"))
    six.write_text(six.read_text() + "\n# changed in place\n")


def _site(venv: Path) -> Path:
    return next(venv.glob("lib/python*/site-packages"))


def _driftcheck(args: list[str], cwd: Path) -> tuple[int, dict[str, object] | None, str]:
    """driftcheck in-process in ``cwd``, with the environment variables as they are
    (helpers.driftcheck drops VIRTUAL_ENV)."""
    import contextlib
    import io
    import json

    from driftcheck.cli import main

    out, err = io.StringIO(), io.StringIO()
    old = Path.cwd()
    try:
        os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["--json", *args])
    finally:
        os.chdir(old)
    return code, (json.loads(out.getvalue()) if out.getvalue() else None), err.getvalue()


def _hint_restores_sync(
    args: list[str], where: Path, extra_env: dict[str, str] | None = None
) -> str:
    keys = {*(extra_env or {}), "VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT"}
    env_backup = {k: os.environ.get(k) for k in keys}
    for key in ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT"):
        os.environ.pop(key, None)
    os.environ.update(extra_env or {})
    try:
        code, report, err = _driftcheck(["--verify-files", *args], where)
        assert code == 1 and report is not None, err
        kinds = {f["name"]: f["kind"] for f in report["findings"]}
        assert kinds == {"attrs": "extraneous", "six": "modified"}, report["findings"]
        hint = report["fix"]
        result = subprocess.run(
            ["bash", "-c", hint],
            cwd=where,
            env=tool_env(
                **{
                    "POETRY_NO_INTERACTION": "1",
                    "PDM_CHECK_UPDATE": "false",
                    "PIPENV_YES": "1",
                    "PIPENV_NOSPIN": "1",
                    **(extra_env or {}),
                    "PATH": _tools_path(),
                }
            ),
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert result.returncode == 0, (hint, result.stdout, result.stderr)
        code, report, err = _driftcheck(["--verify-files", *args], where)
        assert (code, report and report["findings"]) == (0, []), (hint, err, report)
        return hint
    finally:
        for key, value in env_backup.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    (tmp_path / "elsewhere").mkdir()
    return tmp_path / "elsewhere"


def _uv_project(root: Path) -> Path:
    root.mkdir(parents=True)
    (root / "pyproject.toml").write_text(PYPROJECT + "\n[tool.uv]\npackage = false\n")
    run([uv_bin(), "lock", "-q", "--python", sys.executable], root)
    return root


def test_uv(tmp_path: Path, elsewhere: Path) -> None:
    project = _uv_project(tmp_path / "p")
    run([uv_bin(), "sync", "-q", "--frozen", "--python", sys.executable], project)
    _drift(_site(project / ".venv"), project / ".venv")
    hint = _hint_restores_sync(["--project", str(project)], elsewhere)
    assert hint == f"uv sync --frozen --project {project} --reinstall-package=six"


def test_uv_active_environment(tmp_path: Path, elsewhere: Path) -> None:
    project = _uv_project(tmp_path / "p")
    venv = tmp_path / "active"
    run([uv_bin(), "venv", "-q", "--python", sys.executable, str(venv)], project)
    run([uv_bin(), "sync", "-q", "--frozen", "--active"], project, VIRTUAL_ENV=str(venv))
    _drift(_site(venv), venv)
    hint = _hint_restores_sync(["--project", str(project)], elsewhere, {"VIRTUAL_ENV": str(venv)})
    assert "--active" in shlex.split(hint)


@pytest.mark.parametrize("fmt", ["requirements.txt", "pylock.toml"])
def test_uv_pip_formats_with_python(fmt: str, tmp_path: Path, elsewhere: Path) -> None:
    project = _uv_project(tmp_path / "p")
    lock = project / fmt
    if fmt == "requirements.txt":
        lock.write_text("six==1.17.0\n")
    else:
        run(
            [uv_bin(), "export", "-q", "--frozen", "--format", "pylock.toml", "-o", str(lock)],
            project,
        )
    venv = tmp_path / "env"
    run([uv_bin(), "venv", "-q", "--python", sys.executable, str(venv)], project)
    run(
        [
            uv_bin(),
            "pip",
            "sync",
            "-q",
            "--preview-features",
            "pylock",
            "--python",
            str(venv),
            str(lock),
        ],
        project,
    )
    _drift(_site(venv), venv)
    args = ["--project", str(project), "--lockfile", str(lock), "--python", str(venv)]
    hint = _hint_restores_sync(args, elsewhere)
    assert "--python" in shlex.split(hint)


def test_poetry(tmp_path: Path, elsewhere: Path) -> None:
    project = tmp_path / "p"
    project.mkdir()
    (project / "pyproject.toml").write_text(PYPROJECT + "\n[tool.poetry]\npackage-mode = false\n")
    env = {"POETRY_VIRTUALENVS_IN_PROJECT": "true", "POETRY_NO_INTERACTION": "1"}
    run([tool_bin("poetry"), "lock", "-q"], project, **env)
    shutil.rmtree(project / ".venv", ignore_errors=True)  # (poetry makes one while locking)
    run([uv_bin(), "venv", "-q", "--seed", "--python", sys.executable, ".venv"], project)
    run([tool_bin("poetry"), "sync", "-q"], project, **env)
    _drift(_site(project / ".venv"), project / ".venv")
    hint = _hint_restores_sync(["--project", str(project)], elsewhere, env)
    assert hint.startswith(f"poetry sync --directory {project} && ")


def test_pdm(tmp_path: Path, elsewhere: Path) -> None:
    project = tmp_path / "p"
    project.mkdir()
    (project / "pyproject.toml").write_text(PYPROJECT + "\n[tool.pdm]\ndistribution = false\n")
    home = Path(tool_bin("pdm")).parent.parent / "pdm-home"
    env = {"PDM_HOME": str(home), "PDM_CACHE_DIR": str(home / "cache"), "PDM_CHECK_UPDATE": "false"}
    run([tool_bin("pdm"), "lock", "-q"], project, **env)
    shutil.rmtree(project / ".venv", ignore_errors=True)  # (pdm makes one while locking)
    (project / ".pdm-python").unlink(missing_ok=True)
    run([uv_bin(), "venv", "-q", "--python", sys.executable, ".venv"], project)
    run([tool_bin("pdm"), "sync", "-q"], project, **env)
    _drift(_site(project / ".venv"), project / ".venv")
    hint = _hint_restores_sync(["--project", str(project)], elsewhere, env)
    assert hint == f"pdm sync --only-keep --project {project} --reinstall"


def test_pipenv(tmp_path: Path, elsewhere: Path) -> None:
    project = tmp_path / "p"
    project.mkdir()
    (project / "Pipfile").write_text(
        textwrap.dedent("""
        [[source]]
        url = "https://pypi.org/simple"
        verify_ssl = true
        name = "pypi"

        [packages]
        six = "==1.17.0"
    """)
    )
    env = {"PIPENV_VENV_IN_PROJECT": "1", "PIPENV_YES": "1", "PIPENV_NOSPIN": "1"}
    pipenv = tool_bin("pipenv")
    run([pipenv, "lock"], project, **env)
    run([pipenv, "sync"], project, **env)
    _drift(_site(project / ".venv"), project / ".venv")
    hint = _hint_restores_sync(["--project", str(project)], elsewhere, env)
    assert hint.startswith(f"PIPENV_PIPFILE={project / 'Pipfile'} pipenv sync")
