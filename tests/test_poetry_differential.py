"""Differential tests for poetry.lock against the real `poetry sync --dry-run` (poetry 2).

poetry prints `- Removing X (v)`, `- Installing X (v)` (not the "Skipped" ones) and
`- Updating X (a -> b)`, and always exits 0: changes mean drift. poetry never lists the
project itself (it always reinstalls it, even in a dry run), so the comparison leaves the
root project out, and driftcheck runs before the oracle.
"""

from __future__ import annotations

import re
import shlex
import shutil
import textwrap
from pathlib import Path

import pytest
from helpers import (
    STRAY,
    Case,
    driftcheck_json,
    finding_kinds,
    pip_index_url,
    require_python,
    run,
    tool_bin,
    uv_bin,
)
from uv_fast_equivalence import assert_skipping_files_equivalent

pytestmark = pytest.mark.differential

POETRY_ENV = {"POETRY_VIRTUALENVS_IN_PROJECT": "true", "POETRY_NO_INTERACTION": "1"}


def _pyproject(index: str) -> str:
    return textwrap.dedent(
        f"""
        [project]
        name = "poem"
        version = "0.1.0"
        requires-python = ">=3.10,<4"
        dependencies = [
            "jaraco.context",
            "typing_extensions>=4",
            "tomli; python_version < '3.11'",
            "helper",
        ]

        [project.optional-dependencies]
        web = ["itsdangerous"]
        cli = ["click"]
        # (an extra with dependencies of its own: in a 2.1 lock they are optional too,
        # selected by their `extra == "net"` markers, as rich's `jupyter` extra is)
        net = ["requests"]

        [tool.poetry]
        packages = [{{ include = "poem", from = "src" }}]

        [tool.poetry.dependencies]
        helper = {{ path = "libs/helper", develop = true }}

        [tool.poetry.group.dev.dependencies]
        iniconfig = "*"

        [tool.poetry.group.lint.dependencies]
        six = "*"

        [tool.poetry.group.docs]
        optional = true

        [tool.poetry.group.docs.dependencies]
        idna = "*"

        [[tool.poetry.source]]
        name = "primary"
        url = "{index}"
        priority = "primary"

        [build-system]
        requires = ["poetry-core>=2.0"]
        build-backend = "poetry.core.masonry.api"
        """
    )


HELPER = """
[project]
name = "helper"
version = "1.0.0"
requires-python = ">=3.10"

[build-system]
requires = ["poetry-core>=2.0"]
build-backend = "poetry.core.masonry.api"
"""


@pytest.fixture(scope="session")
def poetry_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("poetry") / "poem"
    (project / "src" / "poem").mkdir(parents=True)
    (project / "src" / "poem" / "__init__.py").write_text("")
    (project / "libs" / "helper" / "src" / "helper").mkdir(parents=True)
    (project / "libs" / "helper" / "src" / "helper" / "__init__.py").write_text("")
    (project / "libs" / "helper" / "pyproject.toml").write_text(HELPER)
    (project / "pyproject.toml").write_text(_pyproject(pip_index_url()))
    run([tool_bin("poetry"), "lock", "-q"], project, **POETRY_ENV)
    shutil.rmtree(project / ".venv", ignore_errors=True)  # poetry makes one while locking
    return project


C = Case
CASES = [
    C("poetry-synced", 0),
    C("poetry-stray", 1, steps=(STRAY,)),
    C("poetry-missing", 1, steps=(("{uv}", "pip", "uninstall", "typing_extensions"),)),
    C("poetry-wrong-version", 1, steps=(("{uv}", "pip", "install", "-q", "iniconfig==2.0.0"),)),
    C(
        "poetry-path-dep-not-editable",
        1,
        steps=(
            (
                "{uv}",
                "pip",
                "install",
                "-q",
                "--no-deps",
                "--reinstall-package",
                "helper",
                "./libs/helper",
            ),
        ),
    ),
    C("poetry-extra-synced", 0, flags=("-E", "web")),
    C("poetry-extra-left-behind", 1, sync_flags=("-E", "web")),
    C("poetry-all-extras", 1, flags=("--all-extras",), sync_flags=()),
    C("poetry-with-optional-group", 1, flags=("--with", "docs"), sync_flags=()),
    C("poetry-with-optional-group-synced", 0, flags=("--with", "docs")),
    C("poetry-without-group", 1, flags=("--without", "lint"), sync_flags=()),
    C("poetry-only-main", 1, flags=("--only", "main"), sync_flags=()),
    C("poetry-all-groups", 1, flags=("--all-groups",), sync_flags=()),
    # Found on real projects: an extra's own dependencies, and the root project kept.
    C("poetry-extra-with-dependencies-synced", 0, flags=("-E", "net")),
    C("poetry-extra-with-dependencies-missing", 1, flags=("-E", "net"), sync_flags=()),
    C("poetry-extra-with-dependencies-left", 1, sync_flags=("-E", "net")),
    C("poetry-all-extras-synced", 0, flags=("--all-extras",)),
    C("poetry-only-dev-keeps-the-root", 1, flags=("--only", "dev"), sync_flags=()),
    C("poetry-no-root-keeps-the-root", 0, flags=("--no-root",), sync_flags=()),
    C(
        "poetry-marker-excluded-py312",
        1,
        python="3.12",
        steps=(("{uv}", "pip", "install", "-q", "backports.tarfile"),),
    ),
    C(
        "poetry-marker-included-py310",
        1,
        python="3.10",
        steps=(("{uv}", "pip", "uninstall", "tomli"),),
    ),
]

_LINE = re.compile(
    r"^\s+- (Removing|Installing|Updating|Downgrading) ([A-Za-z0-9._-]+) \((.*)\)$", re.M
)


def poetry_verdict(project: Path, flags: tuple[str, ...]) -> tuple[int, dict[str, str], str]:
    assert_skipping_files_equivalent(project / "poetry.lock")  # every lock the tests produce
    result = run(
        [tool_bin("poetry"), "sync", "--dry-run", *flags], project, check=False, **POETRY_ENV
    )
    if result.returncode != 0:
        return 2, {}, result.stdout + result.stderr
    kinds = {}
    for match in _LINE.finditer(result.stdout):
        action, name, detail = match.groups()
        if "Skipped" in detail or "Skipped" in match.group(0):
            continue
        kinds[name.lower().replace("_", "-").replace(".", "-")] = {
            "Removing": "extraneous",
            "Installing": "missing",
        }.get(action, "mismatched")
    return (1 if kinds else 0), kinds, result.stdout


def _build(case: Case, poetry_base: Path, tmp_path: Path) -> Path:
    """Copy the project, sync it with real poetry, then perturb it."""
    python = require_python(case.python)
    project = tmp_path / "poem"
    shutil.copytree(poetry_base, project)
    run([uv_bin(), "venv", "-q", "--seed", "--python", python, ".venv"], project)
    sync_flags = case.flags if case.sync_flags is None else case.sync_flags
    run([tool_bin("poetry"), "sync", "-q", *sync_flags], project, **POETRY_ENV)
    for step in case.steps:
        run([uv_bin() if a == "{uv}" else a for a in step], project)
    return project


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_agrees_with_poetry_sync(case: Case, poetry_base: Path, tmp_path: Path) -> None:
    project = _build(case, poetry_base, tmp_path)

    code, report, err = driftcheck_json(["--project", str(project), *case.flags])
    ours = {k: v for k, v in finding_kinds(report).items() if k != "poem"}
    # poetry never removes the project itself (with --only or --no-root either)
    assert finding_kinds(report).get("poem") != "extraneous", report
    poetry_code, theirs, out = poetry_verdict(project, case.flags)
    assert poetry_code == case.expect, f"the case does not set up what it claims:\n{out}"
    assert code == poetry_code, (err, report and report["findings"], out)
    assert ours == theirs, out
    if report is not None and ours:
        # The printed fix, run as printed, restores sync (the root project aside).
        argv = shlex.split(report["fix"])
        assert argv[:2] == ["poetry", "sync"], report["fix"]
        run([tool_bin("poetry"), *argv[1:]], project, **POETRY_ENV)
        _, again, err = driftcheck_json(["--project", str(project), *case.flags])
        assert {k: v for k, v in finding_kinds(again).items() if k != "poem"} == {}, err


def _as_older_lock(text: str, version: str) -> str:
    """The same lock as poetry 1.x wrote it: no per-package `groups` or `markers`."""
    kept = [line for line in text.splitlines() if not line.startswith(("groups = ", "markers = "))]
    return "\n".join(kept).replace('lock-version = "2.1"', f'lock-version = "{version}"') + "\n"


LEGACY = [
    c
    for c in CASES
    if c.id
    in (
        "poetry-synced",
        "poetry-stray",
        "poetry-extra-synced",
        "poetry-with-optional-group",
        "poetry-only-main",
        "poetry-marker-excluded-py312",
    )
]


@pytest.mark.parametrize("version", ["2.0", "1.1"])
@pytest.mark.parametrize("case", LEGACY, ids=[c.id for c in LEGACY])
def test_older_lock_versions_walk_to_the_same_verdict(
    case: Case, version: str, poetry_base: Path, tmp_path: Path
) -> None:
    """Locks 1.1/2.0 carry no per-package groups or markers: the graph walk from the
    pyproject must reach the verdict poetry gives for the 2.1 lock of the same project."""
    project = _build(case, poetry_base, tmp_path)
    lock = project / "poetry.lock"
    lock.write_text(_as_older_lock(lock.read_text(), version))
    code, report, err = driftcheck_json(["--project", str(project), *case.flags])
    assert code == case.expect, (err, report and report["findings"])
