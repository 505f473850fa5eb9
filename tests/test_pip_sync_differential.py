"""Differential tests for pinned requirements files and pylock.toml against `uv pip sync`.

Lockfiles are produced at run time by real uv (`uv export`, `uv pip compile`), venvs are
synced from them by real uv, perturbed, and `uv pip sync --dry-run` (the exact-sync dry
run; `uv pip install --dry-run` for `--inexact`) is compared with driftcheck.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import (
    STRAY,
    driftcheck_json,
    finding_kinds,
    require_python,
    run,
    tool_bin,
    uv_bin,
    uv_pip_verdict,
)
from pylock_equivalence import assert_pylock_paths_agree
from uv_projects import make_base

pytestmark = pytest.mark.differential

NON_EDITABLE = ("{uv}", "pip", "install", "-q", "--no-deps", "--reinstall-package", "app", ".")


@dataclass(frozen=True)
class Case:
    id: str
    lock: str  # file name among the exports below
    expect: int
    sync_lock: str | None = None  # sync from another export than the one checked
    flags: tuple[str, ...] = ()  # selection flags, given to both sync and check
    sync_flags: tuple[str, ...] | None = None
    steps: tuple[tuple[str, ...], ...] = ()
    python: str = "3.11"
    venv: str = "uv"
    inexact: bool = False


C = Case
CASES = [
    # --- requirements files, as `uv export` and `uv pip compile` write them ------------------
    C("req-synced", "requirements.txt", 0),
    C("req-stray", "requirements.txt", 1, steps=(STRAY,)),
    C(
        "req-stray-pip",
        "requirements.txt",
        1,
        venv="uv-seed",
        steps=(("{py}", "-m", "pip", "install", "-q", "attrs"),),
    ),
    C(
        "req-missing",
        "requirements.txt",
        1,
        steps=(("{uv}", "pip", "uninstall", "jaraco.context"),),
    ),
    C(
        "req-wrong-version",
        "requirements.txt",
        1,
        steps=(("{uv}", "pip", "install", "-q", "iniconfig==2.0.0"),),
    ),
    C("req-editable-flip", "requirements.txt", 1, steps=(NON_EDITABLE,)),
    C("req-extras-not-synced", "requirements-all-extras.txt", 1, sync_lock="requirements.txt"),
    C("req-extras-synced", "requirements-all-extras.txt", 0),
    C("req-groups-left-behind", "requirements-no-dev.txt", 1, sync_lock="requirements.txt"),
    C(
        "req-marker-excluded-py312",
        "requirements.txt",
        1,
        python="3.12",
        steps=(("{uv}", "pip", "install", "-q", "backports.tarfile"),),
    ),
    C(
        "req-marker-included-py310",
        "requirements.txt",
        1,
        python="3.10",
        steps=(("{uv}", "pip", "uninstall", "tomli"),),
    ),
    C("req-inexact-stray", "requirements.txt", 0, inexact=True, steps=(STRAY,)),
    C(
        "req-inexact-missing",
        "requirements.txt",
        1,
        inexact=True,
        steps=(("{uv}", "pip", "uninstall", "six"),),
    ),
    C("req-compiled-synced", "compiled.txt", 0),
    C("req-compiled-stray", "compiled.txt", 1, steps=(STRAY,)),
    C("req-stdlib-venv-seeds", "requirements.txt", 0, venv="stdlib"),
    # --- pylock.toml, as `uv export --format pylock.toml` writes it ----------------------------
    C("pylock-synced", "pylock.toml", 0),
    C("pylock-stray", "pylock.toml", 1, steps=(STRAY,)),
    C(
        "pylock-missing",
        "pylock.toml",
        1,
        steps=(("{uv}", "pip", "uninstall", "typing_extensions"),),
    ),
    C(
        "pylock-wrong-version",
        "pylock.toml",
        1,
        steps=(("{uv}", "pip", "install", "-q", "six==1.16.0"),),
    ),
    C("pylock-editable-flip", "pylock.toml", 1, steps=(NON_EDITABLE,)),
    C("pylock-extra-synced", "pylock.toml", 0, flags=("--extra", "web")),
    C("pylock-extra-left-behind", "pylock.toml", 1, sync_flags=("--extra", "web")),
    C("pylock-all-extras-missing", "pylock.toml", 1, flags=("--all-extras",), sync_flags=()),
    C("pylock-group-synced", "pylock.toml", 0, flags=("--group", "docs")),
    C("pylock-group-missing", "pylock.toml", 1, flags=("--group", "docs"), sync_flags=()),
    C(
        "pylock-marker-excluded-py312",
        "pylock.toml",
        1,
        python="3.12",
        steps=(("{uv}", "pip", "install", "-q", "backports.tarfile"),),
    ),
    C("pylock-py310", "pylock.toml", 0, python="3.10"),
    C("pylock-inexact-stray", "pylock.toml", 0, inexact=True, steps=(STRAY,)),
    # --- pylock.toml as pip's own `pip lock` writes it (wheels by URL, no index) ------------
    C("pip-lock-synced", "pylock.pip.toml", 0),
    C("pip-lock-stray", "pylock.pip.toml", 1, steps=(STRAY,)),
    C(
        "pip-lock-wrong-version",
        "pylock.pip.toml",
        1,
        steps=(("{uv}", "pip", "install", "-q", "six==1.16.0"),),
    ),
    C(
        "pip-lock-missing",
        "pylock.pip.toml",
        1,
        steps=(("{uv}", "pip", "uninstall", "more-itertools"),),
    ),
]


@pytest.fixture(scope="session")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `app` project with its lock exported in every shape the cases read."""
    project = make_base("app", tmp_path_factory.mktemp("pip-sync"))
    uv = uv_bin()
    export = [uv, "export", "-q", "--frozen", "--no-header"]
    run([*export, "--format", "requirements.txt", "-o", "requirements.txt"], project)
    run(
        [
            *export,
            "--format",
            "requirements.txt",
            "--all-extras",
            "-o",
            "requirements-all-extras.txt",
        ],
        project,
    )
    run(
        [*export, "--format", "requirements.txt", "--no-dev", "-o", "requirements-no-dev.txt"],
        project,
    )
    _selectable_pylock(project, export)
    (project / "compiled.in").write_text("jaraco.functools\nsix\n")
    run([uv, "pip", "compile", "-q", "--universal", "compiled.in", "-o", "compiled.txt"], project)
    pip = str(Path(tool_bin("pip")).parent / "python")
    run([pip, "-m", "pip", "lock", "-q", "-r", "compiled.in", "-o", "pylock.pip.toml"], project)
    return project


def _selectable_pylock(project: Path, export: list[str]) -> None:
    """A pylock.toml with extras and dependency groups, from real `uv export` output.

    uv exports one selection per file. Export the base and each extra and group, then
    merge: a package that only an extra (group) brings gets the PEP 751 marker
    `'web' in extras` (`'docs' in dependency_groups`), as a multi-selection lock has.
    """
    from driftcheck.toml import load_toml

    def export_pylock(*flags: str) -> dict[str, dict[str, object]]:
        out = project / "pylock.part.toml"
        cmd = [*export, "--format", "pylock.toml", "--no-default-groups", *flags, "-o", str(out)]
        run(cmd, project)
        data = load_toml(out.read_bytes(), out.name)
        out.unlink()
        return {p["name"]: p for p in data["packages"]}

    merged = export_pylock()
    conditions: dict[str, list[str]] = {}
    selections = [("--extra", "extras", n) for n in ("web", "cli")]
    selections += [("--only-group", "dependency_groups", n) for n in ("dev", "lint", "docs")]
    for flag, key, name in selections:
        extra_flags = (flag, name) if flag == "--extra" else (flag, name, "--no-install-project")
        for pkg_name, pkg in export_pylock(*extra_flags).items():
            if pkg_name in merged and pkg_name not in conditions:
                continue
            merged.setdefault(pkg_name, pkg)
            conditions.setdefault(pkg_name, []).append(f"'{name}' in {key}")
    lines = [
        'lock-version = "1.0"',
        'created-by = "driftcheck-tests (merged uv exports)"',
        'requires-python = ">=3.10"',
        'extras = ["web", "cli"]',
        'dependency-groups = ["dev", "lint", "docs"]',
        'default-groups = ["dev", "lint"]',
        "",
    ]
    for pkg_name in sorted(merged):
        pkg = dict(merged[pkg_name])
        if pkg_name in conditions:
            extra = " or ".join(conditions[pkg_name])
            pkg["marker"] = f"({pkg['marker']}) and ({extra})" if "marker" in pkg else extra
        lines.append("[[packages]]")
        lines += [f"{k} = {_toml_value(v)}" for k, v in pkg.items()]
        lines.append("")
    (project / "pylock.toml").write_text("\n".join(lines))


def _toml_value(value: object) -> str:
    import datetime
    import json

    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, int):
        return str(value)
    return json.dumps(value)


def _build(case: Case, base: Path, tmp_path: Path) -> Path:
    python = require_python(case.python)
    project = tmp_path / "app"
    shutil.copytree(base, project)
    uv = uv_bin()
    if case.venv == "stdlib":
        run([python, "-m", "venv", ".venv"], project)
    else:
        run(
            [
                uv,
                "venv",
                "-q",
                "--python",
                python,
                *(["--seed"] if case.venv == "uv-seed" else []),
                ".venv",
            ],
            project,
        )
    lock = case.sync_lock or case.lock
    preview = ["--preview-features", "pylock"] if lock.startswith("pylock") else []
    sync_flags = case.flags if case.sync_flags is None else case.sync_flags
    run([uv, "pip", "sync", "-q", *preview, *sync_flags, lock], project)
    py = str(project / ".venv" / "bin" / "python")
    for step in case.steps:
        run([uv if a == "{uv}" else py if a == "{py}" else a for a in step], project)
    return project


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_agrees_with_uv_pip_sync(case: Case, exported: Path, tmp_path: Path) -> None:
    project = _build(case, exported, tmp_path)
    inexact = ("--inexact",) if case.inexact else ()
    uv_code, uv_kinds, uv_err = uv_pip_verdict(project, case.lock, case.flags, inexact=case.inexact)
    assert uv_code == case.expect, f"the case does not set up what it claims: {uv_err}"
    code, report, err = driftcheck_json(
        ["--project", str(project), "--lockfile", case.lock, *case.flags, *inexact]
    )
    assert code == uv_code, (err, report and report["findings"], uv_kinds, uv_err)
    assert report is not None
    assert finding_kinds(report) == uv_kinds, uv_err
    if case.lock.startswith("pylock"):  # every pylock.toml the tests produce, both ways
        read = assert_pylock_paths_agree(
            ["--project", str(project), "--lockfile", case.lock, *case.flags, *inexact]
        )
        assert read or case.lock == "pylock.pip.toml", "uv's layout, read the full way"


# --- the second oracle for requirements files: pip-tools' pip-sync -----------------------
# pip-sync needs pip in the target venv (so these venvs are seeded) and also ignores the
# dependencies of pip, setuptools and wheel, which uv pip sync would remove; these cases
# stay clear of that one documented difference.
PIP_SYNC_CASES = [
    C("pip-sync-synced", "compiled.txt", 0, venv="uv-seed"),
    C("pip-sync-stray", "compiled.txt", 1, venv="uv-seed", steps=(STRAY,)),
    C(
        "pip-sync-missing",
        "compiled.txt",
        1,
        venv="uv-seed",
        steps=(("{uv}", "pip", "uninstall", "six"),),
    ),
    C(
        "pip-sync-wrong-version",
        "compiled.txt",
        1,
        venv="uv-seed",
        steps=(("{uv}", "pip", "install", "-q", "six==1.16.0"),),
    ),
    C(
        "pip-sync-stray-by-pip",
        "compiled.txt",
        1,
        venv="uv-seed",
        steps=(("{py}", "-m", "pip", "install", "-q", "attrs"),),
    ),
]


def pip_sync_verdict(project: Path, lockfile: str) -> tuple[int, dict[str, str], str]:
    from helpers import tool_bin

    python = str(project / ".venv" / "bin" / "python")
    result = run(
        [tool_bin("pip-tools", "pip-sync"), "--dry-run", "--python-executable", python, lockfile],
        project,
        check=False,
    )
    out = result.stdout + result.stderr
    kinds: dict[str, str] = {}
    section = None
    for line in out.splitlines():
        if line.startswith("Would uninstall"):
            section = "-"
        elif line.startswith("Would install"):
            section = "+"
        elif line.startswith("  ") and section:
            name = line.strip().split("==", 1)[0].lower().replace("_", "-").replace(".", "-")
            if section == "-":
                kinds[name] = "extraneous"
            else:
                kinds[name] = "mismatched" if name in kinds else "missing"
    # pip-sync upgrades in place: an install of a name that is present is a mismatch.
    installed = {
        p.name.split("-")[0].lower().replace("_", "-")
        for p in (project / ".venv").glob("lib/python*/site-packages/*.dist-info")
    }
    kinds = {
        n: ("mismatched" if k == "missing" and n in installed else k) for n, k in kinds.items()
    }
    code = 1 if result.returncode == 1 and kinds else (0 if result.returncode == 0 else 2)
    return code, kinds, out


@pytest.mark.parametrize("case", PIP_SYNC_CASES, ids=[c.id for c in PIP_SYNC_CASES])
def test_agrees_with_pip_sync(case: Case, exported: Path, tmp_path: Path) -> None:
    project = _build(case, exported, tmp_path)
    code, report, err = driftcheck_json(["--project", str(project), "--lockfile", case.lock])
    theirs_code, theirs, out = pip_sync_verdict(project, case.lock)
    assert theirs_code == case.expect, f"the case does not set up what it claims:\n{out}"
    assert code == theirs_code, (err, report and report["findings"], out)
    assert finding_kinds(report) == theirs, out
