"""Many projects in one call: ``driftcheck check DIR…`` or ``[tool.driftcheck] projects``.

Each project is checked with its own lock, environment and configuration, concurrently;
results keep the order the projects were given in (a glob's matches are sorted), so the
combined report is the same on every run.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from driftcheck.errors import ConfigError, DriftcheckError, UsageError
from driftcheck.models import Report
from driftcheck.paths import shown

__all__ = ["ProjectResult", "check_many", "project_dirs", "render_many"]

SCHEMA_VERSION = 2


class ProjectResult(NamedTuple):
    project: Path
    report: Report | None
    error: str | None


def project_dirs(root: str, dirs: Sequence[str], project_given: bool, pyproject: Any) -> list[Path]:
    """The projects to check: directories given on the command line, or else the root
    project's ``[tool.driftcheck] projects`` globs (relative to it), expanded."""
    if dirs:
        if project_given:
            raise ConfigError("give projects as DIR arguments or --project, not both")
        for d in dirs:
            if not Path(d).is_dir():
                what = "is not a directory" if Path(d).exists() else "not found"
                raise UsageError(f"{d}: project directory {what}")
        return [Path(d).absolute() for d in dirs]
    patterns = pyproject.tool_driftcheck["projects"]
    where = pyproject.path
    if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
        raise ConfigError(f"{where}: 'projects' must be a list of globs")
    if not patterns:
        raise ConfigError(f"{where}: 'projects' is empty; list the project directories")
    import glob

    found: dict[Path, None] = {}
    for pattern in patterns:
        if not pattern.strip() or Path(pattern).is_absolute() or "\0" in pattern:
            raise ConfigError(
                f"{where}: projects glob {pattern!r} must be a path relative to {root}"
            )
        # (glob.glob: Path.glob refuses a pattern such as ".")
        names = glob.glob(pattern, root_dir=root, recursive=True)  # noqa: PTH207
        matches = sorted(Path(root, name).absolute() for name in names)
        matches = [m for m in matches if m.is_dir()]
        if not matches:
            raise ConfigError(f"{where}: projects glob {pattern!r} matches no directory")
        found.update(dict.fromkeys(Path(os.path.normpath(m)) for m in matches))
    return list(found)


def check_many(
    dirs: Sequence[Path],
    options: Any,
    given: set[str],
    configured: Callable[[str, Any, set[str]], tuple[str, Any, Any]],
) -> list[ProjectResult]:
    """Check each project (concurrently); errors are kept per project, not raised.

    Each fix command names its project, to be run as printed from where driftcheck was.
    """
    from driftcheck.check import run_check

    def one(project: Path) -> ProjectResult:
        try:
            root, project_options, pyproject = configured(str(project), options, given)
            # (its fix command names the project: it runs as printed from here)
            return ProjectResult(project, run_check(root, project_options, pyproject), None)
        except DriftcheckError as exc:
            return ProjectResult(project, None, exc.one_line())

    from concurrent.futures import ThreadPoolExecutor

    workers = max(1, min(len(dirs), os.cpu_count() or 1, 8))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, dirs))  # map keeps the given order


def render_many(results: Sequence[ProjectResult], output_format: str, *, color: bool) -> str:
    from driftcheck.reporters import render

    if output_format == "json":
        from driftcheck import __version__
        from driftcheck.reporters.json import report_to_json

        document = {
            "schema_version": SCHEMA_VERSION,
            "driftcheck_version": __version__,
            "drift": any(r.report is not None and r.report.drift for r in results),
            "error": any(r.error is not None for r in results),
            "projects": [
                {
                    "project": str(r.project),
                    "report": report_to_json(r.report) if r.report else None,
                    "error": r.error,
                }
                for r in results
            ],
        }
        return json.dumps(document, indent=2) + "\n"
    if output_format == "sarif":
        runs: list[Any] = []
        base: dict[str, Any] = {}
        for r in results:
            if r.report is not None:
                base = json.loads(render(r.report, "sarif"))
                runs += base["runs"]
        return json.dumps({**base, "runs": runs}, indent=2) + "\n"
    sections = []
    for r in results:
        body = render(r.report, output_format, color=color) if r.report else None
        if output_format == "github":
            sections.append(body or f"::error title=driftcheck::{r.error}\n")
            continue
        heading = (
            f"## {shown(r.project)}" if output_format == "markdown" else f"== {shown(r.project)} =="
        )
        sections.append(f"{heading}\n{body or f'driftcheck: error: {r.error}' + chr(10)}")
    drifted = [shown(r.project) for r in results if r.report is not None and r.report.drift]
    failed = [shown(r.project) for r in results if r.error]
    summary = f"driftcheck: {len(results)} project{'' if len(results) == 1 else 's'} checked"
    if drifted:
        summary += f"; drift in {', '.join(drifted)}"
    if failed:
        summary += f"; errors in {', '.join(failed)}"
    if not drifted and not failed:
        summary += "; all match their lockfiles"
    if output_format == "github":
        return "".join(sections)
    return "\n".join(sections) + "\n" + summary + "\n"
