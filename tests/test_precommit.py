"""The hook, through the real pre-commit, on a throwaway repository with a real uv project."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from helpers import REPO, find_python, run, uv_bin
from uv_projects import make_base

pytestmark = pytest.mark.differential

GIT = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.invalid",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.invalid",
}


def _pre_commit(project: Path, home: Path, *args: str) -> tuple[int, str]:
    result = run(
        [sys.executable, "-m", "pre_commit", *args],
        project,
        check=False,
        PRE_COMMIT_HOME=str(home),
        **GIT,
    )
    return result.returncode, result.stdout + result.stderr


def test_validate_manifest(tmp_path: Path) -> None:
    # (a temporary store: pre-commit writes its db.db and .lock there, never in the repo)
    code, out = _pre_commit(REPO, tmp_path, "validate-manifest", ".pre-commit-hooks.yaml")
    assert code == 0, out


def test_hook_inspects_the_project_env_not_its_own(tmp_path: Path) -> None:
    pytest.importorskip("pre_commit")
    project = make_base("app", tmp_path)
    (project / ".gitignore").write_text(".venv/\n")
    run(["git", "init", "-q"], project)
    run(["git", "add", "-A"], project)
    run(["git", "commit", "-qm", "init"], project, **GIT)
    # The project's venv runs another Python than the hook's own venv when one exists.
    other = next((v for v in ("3.12", "3.10", "3.13") if find_python(v)), None)
    python = find_python(other) if other else sys.executable
    assert python
    run([uv_bin(), "venv", "-q", "--python", python, ".venv"], project)
    run([uv_bin(), "sync", "-q", "--frozen"], project)
    home = tmp_path / "pre-commit-home"
    try_repo = ("try-repo", str(REPO), "driftcheck", "--all-files")

    code, out = _pre_commit(project, home, *try_repo)
    assert code == 0, out
    assert "driftcheck (environment matches lockfile)" in out and "Passed" in out

    run([uv_bin(), "pip", "install", "-q", "attrs"], project)
    code, out = _pre_commit(project, home, *try_repo)
    assert code == 1, out
    assert " - attrs==" in out and "installed, but not in the lockfile" in out

    run([uv_bin(), "sync", "-q", "--frozen"], project)
    code, out = _pre_commit(project, home, *try_repo)
    assert code == 0, out
