"""Human output: uv-like ``+``/``-``/``~`` lines, coloured only when asked."""

from __future__ import annotations

import os

from driftcheck.models import FINDING_KINDS
from driftcheck.paths import shown
from driftcheck.records import TYPE_CHECKING

if TYPE_CHECKING:
    from driftcheck.models import Finding, Report

__all__ = ["render"]


_SIGN = {"missing": "+", "extraneous": "-", "mismatched": "~", "modified": "!"}
_COLOR = {"missing": "32", "extraneous": "31", "mismatched": "33", "modified": "35", "allowed": "2"}


def _paint(text: str, code: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


def _line(f: Finding, color: bool) -> str:
    if f.kind == "missing":
        what = f"{f.name}=={f.expected.version}" if f.expected and f.expected.version else f.name
    elif f.kind in ("extraneous", "modified"):
        what = f"{f.name}=={f.installed.version}" if f.installed else f.name
    elif f.installed is None and f.expected is None:  # (the environment itself)
        what = f.name
    else:
        have = f.installed.version if f.installed else "?"
        want = f.expected.version if f.expected and f.expected.version else "?"
        what = f"{f.name} {have} -> {want}" if have != want else f"{f.name}=={have}"
    sign = "=" if f.allowed else _SIGN[f.kind]
    reason = f.reason
    if f.allowed:
        reason = f"allowed: {f.allow_reason}" if f.allow_reason else "allowed by --allow"
    extra = ""
    if f.required_by and len(f.required_by) > 1:
        extra = f" [required by {' -> '.join(f.required_by[:-1])}]"
    if f.installed is not None and f.kind == "extraneous" and not f.allowed:
        installer = f.installed.installer
        if installer:
            extra += f" [installer: {installer}]"
    line = f" {sign} {what}: {reason}{extra}"
    return _paint(line, _COLOR["allowed" if f.allowed else f.kind], color)


def render(report: Report, *, color: bool = False) -> str:
    lock = os.path.basename(report.lockfile)
    env = shown(report.environment)
    lines = []
    if report.drift:
        counts = ", ".join(f"{report.count(k)} {k}" for k in FINDING_KINDS if report.count(k))
        lines.append(f"driftcheck: {env} does not match {lock} ({report.lock_format}): {counts}")
    else:
        lines.append(
            f"driftcheck: {env} matches {lock} ({report.lock_format}), "
            f"{report.checked} package{'' if report.checked == 1 else 's'} checked"
        )
    inferred = report.selection.get("inferred")
    if inferred is not None:
        lines.append(f"selection inferred from the environment: {inferred or '(the defaults)'}")
    lines.extend(_line(f, color) for f in report.findings)
    if report.allow_snippet:
        lines.append("hint: to keep them, declare them in pyproject.toml:")
        lines.extend(f"  {line}" for line in report.allow_snippet.splitlines())
    if report.drift and report.fix_command:
        lines.append(f"hint: run `{report.fix_command}` to restore sync")
    return "\n".join(lines) + "\n"
