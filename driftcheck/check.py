"""One check: read the lock and the environment, select, compare, build the Report."""

from __future__ import annotations

import fnmatch
import os
import shlex
from dataclasses import replace
from pathlib import Path

from driftcheck.config import AllowRule, Options
from driftcheck.diff import Expected, Rules, diff, seed_packages
from driftcheck.environment import find_environment, load_environment, scan_distributions
from driftcheck.lockfiles.uv import UvLock, read_uv_lock
from driftcheck.markers import MarkerEvaluator
from driftcheck.models import Finding, LockedPackage, Report
from driftcheck.project import Pyproject, read_pyproject
from driftcheck.select import ProjectInfo, UvSelection, select_uv

__all__ = ["run_check"]

_BUILD_HINT = (
    "; the project builds without isolation, so this is probably a build dependency "
    "left in place: declare it in an extra or a dependency group, or list it under "
    "[tool.driftcheck] allow with a reason"
)


def _display(path: Path, root: Path) -> str:
    try:
        return os.path.relpath(path, Path.cwd()) if path.is_absolute() else str(path)
    except ValueError:
        return str(path)


def _project_info(lock: UvLock, pyproject: Pyproject, sel: UvSelection) -> ProjectInfo:
    name = pyproject.name
    default_groups = pyproject.default_groups()
    groups = {name: pyproject.group_names()} if name else {}
    extras = {name: pyproject.extra_names()} if name else {}
    if pyproject.path is None and not lock.members:
        # No pyproject: the lock's editable/virtual "." package is the project.
        for pkg in lock.packages:
            src = pkg.locked.source
            if src.kind in ("editable", "virtual") and src.path == str(lock.path.parent.absolute()):
                name = pkg.locked.name
    if len(sel.packages) == 1:
        # `uv sync --package X` takes X's own default groups.
        for index in lock.by_name.get(sel.packages[0], []):
            member_path = lock.packages[index].locked.source.path
            if member_path:
                member = read_pyproject(Path(member_path))
                default_groups = member.default_groups()
                groups[sel.packages[0]] = member.group_names()
                extras[sel.packages[0]] = member.extra_names()
    return ProjectInfo(
        name=name,
        default_groups=default_groups,  # type: ignore[arg-type]
        groups=groups,
        extras=extras,
    )


def _allowed(finding: Finding, rules: tuple[AllowRule, ...]) -> Finding:
    if finding.kind != "extraneous":
        return finding
    for rule in rules:
        if fnmatch.fnmatchcase(finding.name, rule.pattern):
            return replace(finding, allowed=True, allow_reason=rule.reason)
    return finding


def fix_command(sel: UvSelection, lockfile: str) -> str:
    return shlex.join(["uv", "sync", "--frozen", *sel.as_flags()])


def run_check(root: Path, options: Options, pyproject: Pyproject | None = None) -> Report:
    """Check the environment of the project at ``root`` against its uv.lock."""
    pyproject = pyproject or read_pyproject(root)
    lock_path = Path(options.lockfile) if options.lockfile else root / "uv.lock"
    if not lock_path.is_absolute():
        lock_path = root / lock_path
    lock_shown = _display(lock_path, root)
    lock = read_uv_lock(lock_path, lock_shown)

    env_path, _how = find_environment(root, options.python)
    env = load_environment(env_path)
    evaluate = MarkerEvaluator(env.marker_environment())

    sel = options.selection
    project = _project_info(lock, pyproject, sel)
    selected = select_uv(lock, sel, project, evaluate)

    expected = [
        Expected(package=_as_installed_form(lock.packages[i].locked, sel), required_by=path)
        for i, path in selected.expected.items()
    ]
    locked_hint: dict[str, str] = {}
    for name in lock.by_name:
        if not any(i in selected.expected for i in lock.by_name[name]):
            locked_hint[name] = "locked, but not selected by these flags"
    keep = seed_packages(env.python_tuple, env.uv_created, env.seeded)
    rules = Rules(exact=not sel.inexact, keep=keep)
    findings = diff(expected, scan_distributions(env), rules, locked_hint)

    if options.no_build_isolation or pyproject.no_build_isolation():
        findings = [
            replace(f, reason=f.reason + _BUILD_HINT) if f.kind == "extraneous" else f
            for f in findings
        ]
    findings = [_allowed(f, options.allow) for f in findings]
    lines = {lock.packages[i].locked.name: lock.line_of(i) for i in selected.expected}
    findings = [
        replace(f, expected=replace(f.expected, line=lines.get(f.name)))
        if f.expected is not None
        else f
        for f in findings
    ]
    return Report(
        lockfile=lock_path,
        lock_format="uv.lock",
        environment=env.prefix,
        python=env.python_full_version,
        selection=sel.to_json(),
        findings=tuple(findings),
        fix_command=fix_command(sel, lock_shown),
        checked=len(expected),
    )


def _as_installed_form(locked: LockedPackage, sel: UvSelection) -> LockedPackage:
    """Apply ``--no-editable``: editables are then installed as plain directories."""
    if sel.no_editable and locked.source.kind == "editable":
        return replace(locked, source=replace(locked.source, kind="directory"))
    return locked
