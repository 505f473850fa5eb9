"""GitHub Actions workflow commands: one annotation per finding, on the lockfile line.

GitHub shows at most 10 error annotations per step, so with more findings the 9 most
important are emitted and a tenth summarises the rest.
"""

from __future__ import annotations

import os

from driftcheck.models import Finding, Report
from driftcheck.paths import shown

__all__ = ["MAX_ANNOTATIONS", "escape_data", "escape_property", "render"]

MAX_ANNOTATIONS = 10
_RANK = {"missing": 0, "mismatched": 1, "modified": 2, "extraneous": 3}


def escape_data(text: str) -> str:
    """Escape a workflow command's message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command's property value (file, title...)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _annotation(report: Report, finding: Finding, file: str) -> str:
    props = [f"file={escape_property(file)}"]
    if finding.expected is not None and finding.expected.line:
        props.append(f"line={finding.expected.line}")
    props.append(f"title={escape_property(f'driftcheck: {finding.name} is {finding.kind}')}")
    message = f"{finding.name}: {finding.reason}"
    if len(finding.required_by) > 1:
        message += f" (required by {' -> '.join(finding.required_by[:-1])})"
    return f"::error {','.join(props)}::{escape_data(message)}"


def render(report: Report) -> str:
    # Annotations attach to paths relative to the checkout.
    file = shown(report.lockfile, os.environ.get("GITHUB_WORKSPACE") or None)
    findings = sorted(
        (f for f in report.findings if not f.allowed),
        key=lambda f: (_RANK[f.kind], f.name),
    )
    lines = []
    inferred = report.selection.get("inferred")
    if inferred is not None:
        lines.append(
            "::notice title=driftcheck::"
            + escape_data(
                f"selection inferred from the environment: {inferred or '(the defaults)'}"
            )
        )
    if len(findings) > MAX_ANNOTATIONS:
        listed, rest = findings[: MAX_ANNOTATIONS - 1], findings[MAX_ANNOTATIONS - 1 :]
    else:
        listed, rest = findings, []
    lines += [_annotation(report, f, file) for f in listed]
    if rest:
        names = ", ".join(f"{f.name} ({f.kind})" for f in rest)
        title = escape_property(f"driftcheck: {len(rest)} more findings")
        message = escape_data(f"{len(rest)} more: {names}. Run driftcheck locally for details.")
        lines.append(f"::error file={escape_property(file)},title={title}::{message}")
    if report.drift and report.fix_command:
        lines.append(escape_data(f"driftcheck: run `{report.fix_command}` to restore sync"))
    elif not report.drift:
        lines.append(
            f"driftcheck: {report.environment} matches {os.path.basename(report.lockfile)}"
        )
    return "\n".join(lines) + "\n"
