"""Markdown: a table per finding kind and the fix command (the Actions job summary)."""

from __future__ import annotations

import os

from driftcheck.models import Finding, Report
from driftcheck.records import TYPE_CHECKING

if TYPE_CHECKING:
    from driftcheck.models import FindingKind

__all__ = ["render"]

_NONE = "-"

_TITLES: dict[FindingKind, str] = {
    "missing": "Missing (locked, not installed)",
    "mismatched": "Mismatched (wrong version or source)",
    "extraneous": "Extraneous (installed, not locked)",
    "modified": "Modified (files differ from RECORD)",
}


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _row(f: Finding) -> str:
    installed = f.installed.version if f.installed else _NONE
    locked = (f.expected.version or _NONE) if f.expected else _NONE
    return f"| `{_cell(f.name)}` | {_cell(installed)} | {_cell(locked)} | {_cell(f.reason)} |"


def render(report: Report) -> str:
    lines = ["## driftcheck", ""]
    lock = os.path.basename(report.lockfile)
    where = f"`{report.environment}` against `{lock}` ({report.lock_format})"
    if not report.drift:
        plural = "" if report.checked == 1 else "s"
        lines.append(f"No drift: {where}, {report.checked} package{plural} checked.")
    else:
        counts = ", ".join(f"{report.count(k)} {k}" for k in _TITLES if report.count(k))
        lines.append(f"**Drift** in {where}: {counts}.")
    inferred = report.selection.get("inferred")
    if inferred is not None:
        lines.append(
            f"\nSelection inferred from the environment: `{inferred or '(the defaults)'}`."
        )
    for kind in _TITLES:
        rows = [f for f in report.findings if f.kind == kind and not f.allowed]
        if rows:
            lines += ["", f"### {_TITLES[kind]}", "", "| package | installed | locked | reason |"]
            lines += ["|---|---|---|---|", *map(_row, rows)]
    allowed = [f for f in report.findings if f.allowed]
    if allowed:
        lines += ["", "### Allowed", "", "| package | installed | reason |", "|---|---|---|"]
        lines += [
            f"| `{_cell(f.name)}` | {_cell(f.installed.version if f.installed else _NONE)} | "
            f"{_cell(f.allow_reason or 'allowed by --allow')} |"
            for f in allowed
        ]
    if report.allow_snippet:
        lines += ["", "To keep them, declare them in `pyproject.toml`:", "", "```toml"]
        lines += [report.allow_snippet, "```"]
    if report.drift and report.fix_command:
        lines += ["", "To restore sync:", "", "```sh", report.fix_command, "```"]
    return "\n".join(lines) + "\n"
