"""Differential tests: driftcheck's verdict on a uv.lock must equal `uv sync --check`.

Every case builds a real venv with real uv (a test dependency from PyPI), perturbs it
the way people do, then compares `uv sync --check --frozen --output-format json` with
`driftcheck --json` under the same selection flags: the same exit code, and the same
set of (name, kind) findings.
"""

from __future__ import annotations

import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import driftcheck_json, finding_kinds, require_python, run, uv_bin, uv_verdict
from uv_projects import make_base

pytestmark = pytest.mark.differential


@dataclass(frozen=True)
class Case:
    id: str
    project: str
    expect: int  # uv's own exit code: proves the case tests what it says
    check: tuple[str, ...] = ()
    sync: tuple[str, ...] = ()
    steps: tuple[tuple[str, ...], ...] = ()
    venv: str = "uv"  # "uv", "uv-seed" or "stdlib" (python -m venv)
    python: str = "3.11"


C = Case
CASES = [
    # --- plain drift on a packaged project --------------------------------------------
    C("app-synced", "app", 0),
    C("app-stray-uv-pip", "app", 1, steps=(("{uv}", "pip", "install", "-q", "attrs"),)),
    C(
        "app-stray-pip",
        "app",
        1,
        venv="uv-seed",
        steps=(("{py}", "-m", "pip", "install", "-q", "attrs"),),
    ),
    C(
        "app-missing-underscored",
        "app",
        1,
        steps=(("{uv}", "pip", "uninstall", "typing_extensions"),),
    ),
    C("app-missing-dotted", "app", 1, steps=(("{uv}", "pip", "uninstall", "jaraco.context"),)),
    C("app-wrong-version", "app", 1, steps=(("{uv}", "pip", "install", "-q", "iniconfig==2.0.0"),)),
    C(
        "app-wrong-version-underscored",
        "app",
        1,
        steps=(("{uv}", "pip", "install", "-q", "typing_extensions==4.10.0"),),
    ),
    # --- extras -----------------------------------------------------------------------
    C("app-extra-synced", "app", 0, sync=("--extra", "web"), check=("--extra", "web")),
    C("app-extra-left-behind", "app", 1, sync=("--extra", "web")),
    C("app-all-extras-missing", "app", 1, check=("--all-extras",)),
    C(
        "app-all-extras-no-extra",
        "app",
        1,
        sync=("--all-extras",),
        check=("--all-extras", "--no-extra", "cli"),
    ),
    C("app-unknown-extra", "app", 2, check=("--extra", "nope")),
    # --- groups and default-groups -----------------------------------------------------
    C("app-no-default-groups", "app", 1, check=("--no-default-groups",)),
    C(
        "app-no-default-groups-synced",
        "app",
        0,
        sync=("--no-default-groups",),
        check=("--no-default-groups",),
    ),
    C("app-only-group", "app", 1, check=("--only-group", "docs")),
    C(
        "app-only-group-synced",
        "app",
        0,
        sync=("--only-group", "docs"),
        check=("--only-group", "docs"),
    ),
    C("app-all-groups", "app", 1, check=("--all-groups",)),
    C(
        "app-no-group-wins",
        "app",
        1,
        check=("--group", "docs", "--no-group", "docs", "--no-group", "lint"),
    ),
    C("app-no-dev", "app", 1, check=("--no-dev",)),
    C("app-only-dev", "app", 1, check=("--only-dev",)),
    C(
        "app-dev-synced",
        "app",
        0,
        sync=("--no-default-groups", "--dev"),
        check=("--no-default-groups", "--dev"),
    ),
    C("app-unknown-group", "app", 2, check=("--group", "nope")),
    # --- --inexact -----------------------------------------------------------------------
    C(
        "app-inexact-stray",
        "app",
        0,
        check=("--inexact",),
        steps=(("{uv}", "pip", "install", "-q", "attrs"),),
    ),
    C(
        "app-inexact-missing",
        "app",
        1,
        check=("--inexact",),
        steps=(("{uv}", "pip", "uninstall", "iniconfig"),),
    ),
    C("app-inexact-sync-then-exact", "app", 1, sync=("--all-extras",)),
    # --- --no-install-* ----------------------------------------------------------------------
    C("app-no-install-project-left", "app", 1, check=("--no-install-project",)),
    C(
        "app-no-install-project-synced",
        "app",
        0,
        sync=("--no-install-project",),
        check=("--no-install-project",),
    ),
    C("app-no-install-package", "app", 1, check=("--no-install-package", "jaraco.context")),
    C(
        "app-no-install-package-synced",
        "app",
        0,
        sync=("--no-install-package", "jaraco.context"),
        check=("--no-install-package", "jaraco.context"),
    ),
    # --- editable and source mismatches ---------------------------------------------------------
    C(
        "app-pip-editable",
        "app",
        1,
        venv="uv-seed",
        steps=(("{py}", "-m", "pip", "install", "-q", "--no-deps", "-e", "."),),
        sync=("--no-default-groups",),
        check=("--no-default-groups",),
    ),
    C(
        "app-uv-pip-non-editable",
        "app",
        1,
        steps=(("{uv}", "pip", "install", "-q", "--no-deps", "--reinstall-package", "app", "."),),
    ),
    C("app-pyproject-touched", "app", 1, steps=(("touch", "pyproject.toml"),)),
    # --- seeds -----------------------------------------------------------------------------
    C("app-stdlib-venv", "app", 0, venv="stdlib"),
    C("app-uv-seeded", "app", 0, venv="uv-seed"),
    C("app-unseeded-pip", "app", 1, steps=(("{uv}", "pip", "install", "-q", "pip"),)),
    C(
        "app-build-dep-left",
        "app",
        1,
        check=("--no-build-isolation",),
        steps=(("{uv}", "pip", "install", "-q", "setuptools"),),
    ),
    # --- markers on other Pythons ----------------------------------------------------------
    C("app-py310", "app", 0, python="3.10"),
    C(
        "app-py310-missing-tomli",
        "app",
        1,
        python="3.10",
        steps=(("{uv}", "pip", "uninstall", "tomli"),),
    ),
    C("app-py312", "app", 0, python="3.12"),
    C(
        "app-py312-marker-excluded",
        "app",
        1,
        python="3.12",
        steps=(("{uv}", "pip", "install", "-q", "backports.tarfile"),),
    ),
    # --- virtual project, forked resolution, conflicting extras ------------------------------
    C("forked-synced", "forked", 0),
    C("forked-extra-a", "forked", 0, sync=("--extra", "a"), check=("--extra", "a")),
    C("forked-extra-a-left", "forked", 1, sync=("--extra", "a")),
    C("forked-extra-a-checked-as-b", "forked", 1, sync=("--extra", "a"), check=("--extra", "b")),
    C("forked-conflicting-extras", "forked", 2, check=("--extra", "a", "--extra", "b")),
    C("forked-wrong-fork", "forked", 1, steps=(("{uv}", "pip", "install", "-q", "idna==3.7"),)),
    C("forked-py312", "forked", 0, python="3.12"),
    C(
        "forked-py312-wrong-fork",
        "forked",
        1,
        python="3.12",
        steps=(("{uv}", "pip", "install", "-q", "idna==3.6"),),
    ),
    C("forked-virtual-installed", "forked", 1, steps=(("{uv}", "pip", "install", "-q", "six"),)),
    # --- workspace, path and directory sources --------------------------------------------------
    C("ws-synced", "ws", 0),
    C("ws-package-beta", "ws", 1, check=("--package", "beta")),
    C("ws-package-beta-synced", "ws", 0, sync=("--package", "beta"), check=("--package", "beta")),
    # Root groups are inherited by a --package member only when asked for explicitly.
    C("ws-package-root-group", "ws", 1, check=("--package", "beta", "--group", "tools")),
    C("ws-package-root-dev-inherited", "ws", 1, check=("--package", "alpha", "--group", "dev")),
    C("ws-package-all-groups", "ws", 1, check=("--package", "beta", "--all-groups")),
    C("ws-package-only-root-group", "ws", 1, check=("--package", "beta", "--only-group", "tools")),
    C("ws-all-packages", "ws", 1, check=("--all-packages",)),
    C("ws-all-packages-synced", "ws", 0, sync=("--all-packages",), check=("--all-packages",)),
    C("ws-no-install-workspace", "ws", 1, check=("--no-install-workspace",)),
    C(
        "ws-no-install-workspace-synced",
        "ws",
        0,
        sync=("--no-install-workspace",),
        check=("--no-install-workspace",),
    ),
    C("ws-no-install-local", "ws", 1, check=("--no-install-local",)),
    C(
        "ws-no-install-local-synced",
        "ws",
        0,
        sync=("--no-install-local",),
        check=("--no-install-local",),
    ),
    C(
        "ws-directory-made-editable",
        "ws",
        1,
        steps=(("{uv}", "pip", "install", "-q", "--no-deps", "-e", "libs/helper"),),
    ),
    C("ws-member-missing", "ws", 1, steps=(("{uv}", "pip", "uninstall", "alpha"),)),
    C("ws-no-editable", "ws", 1, check=("--no-editable",)),
    C("ws-no-editable-synced", "ws", 0, sync=("--no-editable",), check=("--no-editable",)),
    C(
        "ws-wheel-from-elsewhere",
        "ws",
        1,
        steps=(
            ("mkdir", "-p", "elsewhere"),
            ("cp", "wheels/wheelpkg-0.1.0-py3-none-any.whl", "elsewhere/"),
            (
                "{uv}",
                "pip",
                "install",
                "-q",
                "--no-deps",
                "--reinstall",
                "elsewhere/wheelpkg-0.1.0-py3-none-any.whl",
            ),
        ),
    ),
]


@pytest.fixture(scope="session")
def bases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("bases")
    return {name: make_base(name, root) for name in ("app", "forked", "ws")}


def _build(case: Case, bases: dict[str, Path], tmp_path: Path) -> Path:
    python = require_python(case.python)
    project = tmp_path / case.project
    shutil.copytree(bases[case.project], project)
    uv = uv_bin()
    if case.venv == "stdlib":
        run([python, "-m", "venv", ".venv"], project)
    else:
        seed = ["--seed"] if case.venv == "uv-seed" else []
        run([uv, "venv", "-q", "--python", python, *seed, ".venv"], project)
    run([uv, "sync", "-q", "--frozen", *case.sync], project)
    py = str(project / ".venv" / "bin" / "python")
    for step in case.steps:
        cmd = [uv if a == "{uv}" else py if a == "{py}" else a for a in step]
        run(cmd, project)
    return project


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_agrees_with_uv_sync_check(case: Case, bases: dict[str, Path], tmp_path: Path) -> None:
    project = _build(case, bases, tmp_path)
    uv_code, uv_kinds, uv_err = uv_verdict(project, case.check)
    assert uv_code == case.expect, f"the case does not set up what it claims: {uv_err}"

    code, report, err = driftcheck_json(["--project", str(project), *case.check])
    assert code == uv_code, (code, err, report and report["findings"], uv_kinds, uv_err)
    if uv_code == 2:
        assert report is None
        assert err.count("\n") == 1 and "Traceback" not in err
        return
    assert report is not None
    assert finding_kinds(report) == uv_kinds, uv_err
    assert report["drift"] is (uv_code == 1)
    if report["drift"]:
        assert_fix_restores_sync(project, report["fix"], case.check)


def assert_fix_restores_sync(project: Path, fix: str, check: tuple[str, ...]) -> None:
    """The printed fix, run as printed (uv from the test venv), leaves no drift."""
    argv = shlex.split(fix)
    assert argv[:2] == ["uv", "sync"], fix
    run([uv_bin(), *argv[1:]], project)
    code, report, err = driftcheck_json(["--project", str(project), *check])
    assert code == 0, (fix, err, report and report["findings"])
    assert uv_verdict(project, check)[0] == 0


def test_python_older_than_requires_python(tmp_path: Path) -> None:
    """uv would replace a venv whose Python fails requires-python: drift, with the reason."""
    python = require_python("3.10")
    project = tmp_path / "newer"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "newer"\nversion = "0"\nrequires-python = ">=3.11"\n'
        'dependencies = ["six"]\n\n[tool.uv]\npackage = false\n'
    )
    run([uv_bin(), "lock", "-q"], project)
    run([uv_bin(), "venv", "-q", "--python", python, ".venv"], project)
    run(
        [uv_bin(), "pip", "install", "-q", "six"], project
    )  # the packages match; the Python does not
    uv_code, _, uv_err = uv_verdict(project, ())
    assert uv_code == 1, uv_err  # uv would build a new venv for a matching Python
    code, report, err = driftcheck_json(["--project", str(project)])
    assert code == 1, err
    assert report is not None
    [finding] = [f for f in report["findings"] if f["name"] == "python"]
    assert finding["kind"] == "mismatched"
    assert "does not satisfy the lock's requires-python >=3.11" in finding["reason"]
