"""Differential tests for Pipfile.lock against real pipenv.

The oracle is the one the issue names: `pipenv requirements [--dev]` fed to
`uv pip sync --dry-run` (an exact sync of what the lock selects), cross-checked with
`pipenv clean --dry-run`, whose every name must be extraneous for driftcheck too.
"""

from __future__ import annotations

import shutil
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import (
    driftcheck_json,
    finding_kinds,
    require_python,
    run,
    tool_bin,
    uv_bin,
    uv_pip_verdict,
)

pytestmark = pytest.mark.differential

PIPENV_ENV = {
    "PIPENV_VENV_IN_PROJECT": "1",
    "PIPENV_NOSPIN": "1",
    "PIPENV_YES": "1",
    "PIPENV_VERBOSITY": "-1",
    "PIPENV_IGNORE_VIRTUALENVS": "1",
}

PIPFILE = """
[packages]
"jaraco.context" = "*"
typing_extensions = "*"
colorama = {version = "*", markers = "sys_platform == 'win32'"}

[dev-packages]
iniconfig = "*"
six = "*"
"""


@pytest.fixture(scope="session")
def pipenv_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("pipenv") / "penv"
    project.mkdir()
    (project / "Pipfile").write_text(textwrap.dedent(PIPFILE))
    python = require_python("3.11")
    run([tool_bin("pipenv"), "lock", "--python", python], project, **PIPENV_ENV)
    shutil.rmtree(project / ".venv", ignore_errors=True)
    return project


@dataclass(frozen=True)
class Case:
    id: str
    expect: int
    dev: bool = True
    sync_dev: bool | None = None
    steps: tuple[tuple[str, ...], ...] = ()


C = Case
CASES = [
    C("pipenv-synced", 0),
    C("pipenv-stray", 1, steps=(("{uv}", "pip", "install", "-q", "attrs"),)),
    C("pipenv-missing", 1, steps=(("{uv}", "pip", "uninstall", "typing_extensions"),)),
    C("pipenv-wrong-version", 1, steps=(("{uv}", "pip", "install", "-q", "six==1.16.0"),)),
    C("pipenv-dev-not-synced", 1, sync_dev=False),
    C("pipenv-dev-left-behind", 1, dev=False, sync_dev=True),
    C("pipenv-default-only-synced", 0, dev=False),
    C("pipenv-marker-excluded", 1, steps=(("{uv}", "pip", "install", "-q", "colorama"),)),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_agrees_with_pipenv(case: Case, pipenv_base: Path, tmp_path: Path) -> None:
    project = tmp_path / "penv"
    shutil.copytree(pipenv_base, project)
    python = require_python("3.11")
    sync_dev = case.dev if case.sync_dev is None else case.sync_dev
    run([tool_bin("pipenv"), "--python", python], project, **PIPENV_ENV)
    run([tool_bin("pipenv"), "sync", *(["--dev"] if sync_dev else [])], project, **PIPENV_ENV)
    for step in case.steps:
        run(
            [uv_bin() if a == "{uv}" else a for a in step],
            project,
            VIRTUAL_ENV=str(project / ".venv"),
        )

    dev = ["--dev"] if case.dev else []
    requirements = run([tool_bin("pipenv"), "requirements", *dev], project, **PIPENV_ENV).stdout
    (project / "oracle-requirements.txt").write_text(requirements)
    oracle_code, theirs, out = uv_pip_verdict(project, "oracle-requirements.txt", ())
    assert oracle_code == case.expect, f"the case does not set up what it claims:\n{out}"
    clean = run([tool_bin("pipenv"), "clean", "--dry-run"], project, **PIPENV_ENV).stdout.split()

    code, report, err = driftcheck_json(
        ["--project", str(project), "--lockfile", "Pipfile.lock", *dev]
    )
    assert code == oracle_code, (err, report and report["findings"], out)
    ours = finding_kinds(report)
    assert ours == theirs, out
    assert all(
        ours.get(n.lower().replace("_", "-").replace(".", "-")) == "extraneous" for n in clean
    ), clean
