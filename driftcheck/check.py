"""One check: find the lock and the environment, ask the format's reader, compare, report."""

from __future__ import annotations

import os

from driftcheck.diff import diff, seed_packages
from driftcheck.environment import find_environment, load_environment, scan_distributions
from driftcheck.lockfiles import Context, detect, env_candidates, format_of, plan, replacing_tool
from driftcheck.markers import MarkerEvaluator
from driftcheck.models import Finding, Report
from driftcheck.paths import shown
from driftcheck.project import read_pyproject
from driftcheck.records import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from driftcheck.config import AllowRule, Options
    from driftcheck.lockfiles import ReplacingReader
    from driftcheck.models import InstalledDist
    from driftcheck.project import Pyproject

__all__ = ["Prepared", "check_prepared", "prepare", "run_check"]

_BUILD_HINT = (
    "; the project builds without isolation, so this is probably a build dependency "
    "left in place: declare it in an extra or a dependency group, or list it under "
    "[tool.driftcheck] allow with a reason"
)


def _allowed(finding: Finding, rules: tuple[AllowRule, ...]) -> Finding:
    if finding.kind != "extraneous" or not rules:
        return finding
    import fnmatch

    for rule in rules:
        if fnmatch.fnmatchcase(finding.name, rule.pattern):
            return finding._replace(allowed=True, allow_reason=rule.reason)
    return finding


def allow_snippet(findings: list[Finding], no_build_isolation: bool) -> str | None:
    """The ``[tool.driftcheck]`` table that would declare the suspect build dependencies
    (extraneous under ``--no-build-isolation``) and the packages allowed only by
    ``--allow`` on the command line (config rules carry their own reason)."""
    entries = []
    for f in findings:
        if f.kind != "extraneous" or (f.allowed and f.allow_reason):
            continue
        if f.allowed:
            reason = "allowed on the command line; say why"
        elif no_build_isolation:
            reason = "build dependency (the project builds without isolation)"
        else:
            continue
        entries.append(f'    {{ name = "{f.name}", reason = "{reason}" }},')
    if not entries:
        return None
    return "\n".join(["[tool.driftcheck]", "allow = [", *dict.fromkeys(entries), "]"])


def _lockfile(root: str, options: Options) -> tuple[str, str]:
    if options.lockfile:
        path = os.path.join(root, options.lockfile)  # (an absolute lockfile stays as it is)
        if not os.path.exists(path):  # said before its format is guessed from its name
            from driftcheck.errors import LockfileError
            from driftcheck.files import missing_reason

            raise LockfileError(shown(path), missing_reason(path))
        return path, options.lock_format or format_of(path)
    path, fmt = detect(root)
    return path, options.lock_format or fmt


class Prepared(NamedTuple):
    """Everything a check needs before a selection is applied: found and read once."""

    ctx: Context
    lock_format: str
    installed: list[InstalledDist]
    how: str = ".venv"  # how the environment was found (find_environment)


def prepare(root: str, options: Options, pyproject: Pyproject | None = None) -> Prepared:
    """Find the lock and the environment of the project at ``root``, and scan the dists."""
    pyproject = pyproject or read_pyproject(root)
    lock_path, lock_format = _lockfile(root, options)
    tool_envs = [] if options.python else env_candidates(lock_format, root, pyproject)
    python, request = options.python, None
    if python and lock_format == "uv.lock" and _python_request(python):
        python, request = None, python  # (uv sync --python 3.12: which Python, not where)
    env_path, how = find_environment(
        root,
        python,
        tool_envs=tool_envs,
        dot_venv_may_be_a_file=lock_format == "Pipfile.lock",
        active=options.active,
    )
    env = load_environment(env_path, how)
    if request is not None and env.replace is None:
        from driftcheck.replacement import other_python

        env = env._replace(replace=other_python(env, request))
    ctx = Context(
        root=root,
        lockfile=lock_path,
        shown=shown(lock_path),
        env=env,
        evaluate=MarkerEvaluator(env.marker_environment()),
        pyproject=pyproject,
        flags=dict(options.flags),
        no_build_isolation=options.no_build_isolation or pyproject.no_build_isolation(),
        lockfile_limit=options.max_lockfile_size,
        memo={},
    )
    return Prepared(ctx=ctx, lock_format=lock_format, installed=scan_distributions(env), how=how)


def run_check(root: str, options: Options, pyproject: Pyproject | None = None) -> Report:
    """Check the environment of the project at ``root`` against its lockfile.

    With ``selection = "infer"``, against the selection inferred from the environment.
    """
    prepared = prepare(root, options, pyproject)
    if options.selection == "infer":
        from driftcheck.infer import infer, with_inferred

        return with_inferred(infer(prepared, options))
    return check_prepared(prepared, options)


def check_prepared(
    prepared: Prepared, options: Options, flags: Mapping[str, Any] | None = None
) -> Report:
    """The check itself, with ``flags`` in place of the options' selection if given."""
    ctx, installed = prepared.ctx, prepared.installed
    if flags is not None:
        ctx = ctx._replace(flags=dict(flags))
    env, no_build_isolation = ctx.env, ctx.no_build_isolation
    replacing = replacing_tool(prepared.lock_format)
    why = ctx.env.replace
    if why is None and replacing is not None and not _plainly_allowed(ctx, replacing):
        from driftcheck.replacement import outside_requires_python

        why = outside_requires_python(ctx, replacing)
    if why is not None and replacing is not None:
        from driftcheck.replacement import replaced

        return replaced(prepared._replace(ctx=ctx), replacing, why, options.verify_files)
    result = plan(prepared.lock_format, ctx)
    keep = result.keep
    if keep is None:
        keep = seed_packages(env.python_tuple, env.uv_created, env.seeded)
    rules = result.rules._replace(keep=keep)
    hints = dict.fromkeys(result.locked, "locked, but not selected by these flags")
    if result.skip_installers:
        installed = [d for d in installed if d.installer not in result.skip_installers]
    findings = diff(result.expected, installed, rules, hints) + list(result.extra_findings)
    if why is not None:  # a broken environment, to a tool with no rule to replace it
        reason = f"the environment cannot be used as it is: {why}; recreate it"
        findings.append(Finding(kind="mismatched", name="python", reason=reason))
    if options.verify_files:
        from driftcheck.verify import verify_files

        findings += verify_files(installed, env.prefix)
    findings.sort(key=lambda f: (f.name, f.kind))
    if result.line_of is not None:
        findings = [
            f._replace(expected=f.expected._replace(line=result.line_of(f.name)))
            if f.expected is not None and f.expected.line is None
            else f
            for f in findings
        ]
    if no_build_isolation:
        findings = [
            f._replace(reason=f.reason + _BUILD_HINT) if f.kind == "extraneous" else f
            for f in findings
        ]
    findings = [_allowed(f, options.allow) for f in findings]
    fix = result.fix
    if fix and any(not f.allowed for f in findings):
        from driftcheck.fixes import complete

        modified = [
            (f.name, f.installed.version)
            for f in findings
            if f.kind == "modified" and f.installed is not None
        ]
        fix = complete(
            prepared.lock_format,
            fix,
            root=ctx.root,
            env_prefix=env.prefix,
            how=prepared.how,
            modified=modified,
        )
    return Report(
        allow_snippet=allow_snippet(findings, no_build_isolation),
        lockfile=ctx.lockfile,
        lock_format=result.format,
        environment=env.prefix,
        python=env.python_full_version,
        selection=result.selection,
        findings=tuple(findings),
        fix_command=fix,
        checked=len(result.expected),
        verified_files=options.verify_files,
        warnings=result.warnings,
    )


def _plainly_allowed(ctx: Context, replacing: ReplacingReader) -> bool:
    """The environment's Python plainly satisfies the lock's ``requires-python`` (any
    other case is :func:`driftcheck.replacement.outside_requires_python`'s to decide)."""
    from driftcheck.markers import specifier_contains

    requires_python = replacing.requires_python(ctx)
    return not requires_python or bool(
        specifier_contains(requires_python, ctx.env.python_full_version)
    )


def _python_request(value: str) -> bool:
    """``--python`` names a Python version (``3.12``, ``python3.12``, ``cpython@3.12``,
    ``>=3.11``), as ``uv sync --python`` takes it, rather than a path that exists."""
    if os.path.lexists(value) or os.sep in value:
        return False
    import re

    return re.fullmatch(
        r"(?:(?:c?python|pypy|graalpy)[@-]?)?(?:[<>=!~]=?\s*)?\d+(?:\.\d+){0,2}t?", value
    ) is not None or value in ("python", "cpython", "pypy")
