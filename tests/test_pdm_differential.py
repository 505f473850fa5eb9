"""Differential tests for pdm.lock against the real `pdm sync --only-keep --dry-run`.

pdm (2.26, in a venv of its own: see helpers.TOOL_SPECS) prints "Packages to add /
to update / to remove" sections and exits 0. pdm always installs the project itself
after syncing and never lists it as missing, so the project's own name is left out of
the comparison when the default group is selected.
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
    require_python,
    run,
    tool_bin,
    uv_bin,
)
from uv_fast_equivalence import assert_skipping_files_equivalent

pytestmark = pytest.mark.differential

PYPROJECT = """
[project]
name = "pdmapp"
version = "0.1.0"
requires-python = ">=3.10"
dependencies = ["jaraco.context", "typing_extensions>=4", "tomli; python_version < '3.11'"]

[project.optional-dependencies]
web = ["itsdangerous"]
cli = ["click"]
# (found on real projects: an extra made of the project's own extras)
all = ["pdmapp[web,cli]"]

[dependency-groups]
dev = ["iniconfig"]
lint = ["six"]
docs = ["idna"]
# (and a group that includes another, PEP 735)
test = [{include-group = "dev"}, "packaging"]

[build-system]
requires = ["pdm-backend"]
build-backend = "pdm.backend"
"""

HELPER = """
[project]
name = "helper"
version = "1.0.0"
requires-python = ">=3.10"

[build-system]
requires = ["pdm-backend"]
build-backend = "pdm.backend"
"""


def pdm_env(home: Path) -> dict[str, str]:
    return {
        "PDM_HOME": str(home),
        "PDM_CACHE_DIR": str(home / "cache"),
        "PDM_CHECK_UPDATE": "false",
        "PDM_NON_INTERACTIVE": "1",
    }


@pytest.fixture(scope="session")
def pdm_base(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    root = tmp_path_factory.mktemp("pdm")
    env = pdm_env(Path(tool_bin("pdm")).parent.parent / "pdm-home")
    project = root / "pdmapp"
    (project / "src" / "pdmapp").mkdir(parents=True)
    (project / "src" / "pdmapp" / "__init__.py").write_text("")
    (project / "libs" / "helper" / "src" / "helper").mkdir(parents=True)
    (project / "libs" / "helper" / "src" / "helper" / "__init__.py").write_text("")
    (project / "libs" / "helper" / "pyproject.toml").write_text(textwrap.dedent(HELPER))
    (project / "pyproject.toml").write_text(textwrap.dedent(PYPROJECT))
    run([tool_bin("pdm"), "lock", "-q", "-G", ":all"], project, **env)
    shutil.rmtree(project / ".venv", ignore_errors=True)  # pdm makes one while locking
    (project / ".pdm-python").unlink(missing_ok=True)
    return project, env


C = Case
CASES = [
    C("pdm-synced", 0),
    C("pdm-stray", 1, steps=(STRAY,)),
    C("pdm-missing", 1, steps=(("{uv}", "pip", "uninstall", "typing_extensions"),)),
    C("pdm-wrong-version", 1, steps=(("{uv}", "pip", "install", "-q", "six==1.16.0"),)),
    C("pdm-prod", 1, flags=("--prod",), sync_flags=()),
    C("pdm-prod-synced", 0, flags=("--prod",)),
    C("pdm-group-optional", 1, flags=("-G", "web"), sync_flags=()),
    C("pdm-group-dev-only-that-dev", 1, flags=("-G", "dev"), sync_flags=()),
    C("pdm-no-default", 1, flags=("--no-default", "-G", "docs"), sync_flags=()),
    C("pdm-all", 0, flags=("-G", ":all")),
    C("pdm-dev-flag", 1, flags=("-d",), sync_flags=()),
    C(
        "pdm-marker-excluded-py312",
        1,
        python="3.12",
        steps=(("{uv}", "pip", "install", "-q", "backports.tarfile"),),
    ),
    C(
        "pdm-marker-included-py310",
        1,
        python="3.10",
        steps=(("{uv}", "pip", "uninstall", "tomli"),),
    ),
    C("pdm-prod-with-dev-group", 2, flags=("--prod", "-G", "dev"), sync_flags=()),
    C("pdm-extras-of-itself-synced", 0, flags=("-G", "all")),
    C("pdm-extras-of-itself-missing", 1, flags=("-G", "all"), sync_flags=("--prod",)),
    C("pdm-extras-of-itself-left", 1, flags=("-G", "web"), sync_flags=("-G", "all")),
    C("pdm-include-group-synced", 0, flags=("-G", "test")),
    C("pdm-include-group-missing", 1, flags=("-G", "test"), sync_flags=("-G", "lint")),
    C("pdm-no-self", 1, flags=("--no-self",), sync_flags=()),
]

_SECTION = re.compile(r"^Packages to (add|update|remove):\n((?:  - .*\n?)*)", re.M)


def pdm_verdict(
    project: Path, flags: tuple[str, ...], env: dict[str, str]
) -> tuple[int, dict[str, str], str]:
    assert_skipping_files_equivalent(project / "pdm.lock")  # every lock the tests produce
    result = run(
        [tool_bin("pdm"), "sync", "--only-keep", "--dry-run", *flags], project, check=False, **env
    )
    out = result.stdout + result.stderr
    if result.returncode != 0:
        return 2, {}, out
    kinds = {}
    for match in _SECTION.finditer(out):
        kind = {"add": "missing", "update": "mismatched", "remove": "extraneous"}[match.group(1)]
        for line in match.group(2).splitlines():
            name = line.strip()[2:].split(" ", 1)[0]
            kinds[name.lower().replace("_", "-").replace(".", "-")] = kind
    return (1 if kinds else 0), kinds, out


def _build(case: Case, pdm_base: tuple[Path, dict[str, str]], tmp_path: Path) -> Path:
    """Copy the project, sync it with real pdm, then perturb it."""
    base, env = pdm_base
    project = tmp_path / "pdmapp"
    shutil.copytree(base, project)
    run([uv_bin(), "venv", "-q", "--python", require_python(case.python), ".venv"], project)
    sync_flags = case.flags if case.sync_flags is None else case.sync_flags
    if case.expect == 2:
        sync_flags = ()  # the flags are refused: sync with the defaults
    run([tool_bin("pdm"), "sync", "-q", *sync_flags], project, **env)
    for step in case.steps:
        run([uv_bin() if a == "{uv}" else a for a in step], project)
    return project


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_agrees_with_pdm_sync(
    case: Case, pdm_base: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    env = pdm_base[1]
    project = _build(case, pdm_base, tmp_path)

    code, report, err = driftcheck_json(["--project", str(project), *case.flags])
    pdm_code, theirs, out = pdm_verdict(project, case.flags, env)
    assert pdm_code == case.expect, f"the case does not set up what it claims:\n{out}"
    assert code == pdm_code, (err, report and report["findings"], out)
    if code == 2:
        return
    ours = finding_kinds(report)
    if ours.get("pdmapp") == "missing":
        del ours["pdmapp"]  # pdm installs itself after syncing and never lists itself as missing
    assert ours == theirs, out
    if report is not None and report["drift"]:
        # The printed fix, run as printed, restores sync.
        argv = shlex.split(report["fix"])
        assert argv[:2] == ["pdm", "sync"], report["fix"]
        run([tool_bin("pdm"), *argv[1:]], project, **env)
        again_code, again, err = driftcheck_json(["--project", str(project), *case.flags])
        assert (again_code, finding_kinds(again)) == (0, {}), (report["fix"], err)


def _without_inherit_metadata(text: str) -> str:
    """The same lock without the inherit_metadata strategy: no groups or markers."""
    kept = [line for line in text.splitlines() if not line.startswith(("groups = ", "marker = "))]
    out = "\n".join(kept) + "\n"
    out = re.sub(r"strategy = \[[^\]]*\]", 'strategy = ["cross_platform"]', out)
    # [metadata] groups must stay: it is the selection when no flag is given.
    return out.replace("[metadata]\n", "[metadata]\n" + _metadata_groups(text) + "\n", 1)


def _metadata_groups(text: str) -> str:
    match = re.search(r"^\[metadata\]\n(groups = \[.*\])", text, re.M)
    assert match
    return match.group(1)


LEGACY = [
    c
    for c in CASES
    if c.id
    in (
        "pdm-synced",
        "pdm-stray",
        "pdm-prod",
        "pdm-group-optional",
        "pdm-no-default",
        "pdm-marker-excluded-py312",
        "pdm-extras-of-itself-synced",
        "pdm-extras-of-itself-missing",
        "pdm-include-group-synced",
        "pdm-include-group-missing",
    )
]


@pytest.mark.parametrize("case", LEGACY, ids=[c.id for c in LEGACY])
def test_lock_without_inherit_metadata_agrees_with_pdm(
    case: Case, pdm_base: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    """The same project locked without inherit_metadata (no groups or markers on the
    packages): driftcheck walks the pyproject's groups, pdm reads the same lock."""
    project = _build(case, pdm_base, tmp_path)
    lock = project / "pdm.lock"
    lock.write_text(_without_inherit_metadata(lock.read_text()))
    code, report, err = driftcheck_json(["--project", str(project), *case.flags])
    pdm_code, theirs, out = pdm_verdict(project, case.flags, pdm_base[1])
    assert code == pdm_code == case.expect, (err, report and report["findings"], out)
    ours = finding_kinds(report)
    if ours.get("pdmapp") == "missing":
        del ours["pdmapp"]
    assert ours == theirs, out


def test_distribution_by_default_and_a_newer_lock(
    pdm_base: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    """Found on real projects: pdm installs a project with a name as a distribution by
    default (no build-system needed), and reads a lock newer than it knows, with a
    warning; driftcheck agrees, and warns as pdm does."""
    base, env = pdm_base
    project = tmp_path / "pdmapp"
    shutil.copytree(base, project)
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().split("[build-system]")[0])
    run([tool_bin("pdm"), "lock", "-q", "-G", ":all"], project, **env)
    shutil.rmtree(project / ".venv", ignore_errors=True)
    (project / ".pdm-python").unlink(missing_ok=True)
    run([uv_bin(), "venv", "-q", "--python", require_python("3.11"), ".venv"], project)
    run([tool_bin("pdm"), "sync", "-q"], project, **env)
    assert list((project / ".venv").glob("lib/python*/site-packages/pdmapp-*.dist-info"))
    lock = project / "pdm.lock"
    lock.write_text(re.sub(r'lock_version = "[^"]*"', 'lock_version = "5.0.0"', lock.read_text()))
    pdm_code, theirs, out = pdm_verdict(project, (), env)
    assert "not compatible" in out
    code, report, err = driftcheck_json(["--project", str(project)])
    assert (code, finding_kinds(report)) == (pdm_code, theirs) == (0, {}), (err, out)
    assert err == (
        f"driftcheck: warning: {lock}: lock_version 5.0.0 is newer than driftcheck knows "
        "(4.5); read as pdm reads it (pdm: 'Lockfile is not compatible with PDM')\n"
    )


def test_editable_flip(pdm_base: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    """An editable local dependency reinstalled as a regular one.

    pdm lists every local path dependency as "to update" on every run, so it has no
    in-sync baseline for one; this checks only the flipped state, where pdm and
    driftcheck must both single out the dependency.
    """
    base, env = pdm_base
    project = tmp_path / "pdmapp"
    shutil.copytree(base, project)
    with (project / "pyproject.toml").open("a") as f:
        f.write(
            '\n[tool.pdm.dev-dependencies]\nlocal = ["-e file:///${PROJECT_ROOT}/libs/helper"]\n'
        )
    run([tool_bin("pdm"), "lock", "-q", "-G", ":all"], project, **env)
    shutil.rmtree(project / ".venv", ignore_errors=True)
    (project / ".pdm-python").unlink(missing_ok=True)
    run([uv_bin(), "venv", "-q", "--python", require_python("3.11"), ".venv"], project)
    run([tool_bin("pdm"), "sync", "-q"], project, **env)
    code, report, _ = driftcheck_json(["--project", str(project)])
    assert (code, finding_kinds(report)) == (0, {})
    run(
        [
            uv_bin(),
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--reinstall-package",
            "helper",
            "./libs/helper",
        ],
        project,
    )

    code, report, err = driftcheck_json(["--project", str(project)])
    pdm_code, theirs, out = pdm_verdict(project, (), env)
    assert (code, pdm_code) == (1, 1), (err, out)
    assert finding_kinds(report) == theirs == {"helper": "mismatched"}, out
