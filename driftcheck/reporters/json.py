"""The ``--json`` document, schema version 1. See docs/json-schema.md."""

from __future__ import annotations

import json

from driftcheck import __version__
from driftcheck.models import FINDING_KINDS
from driftcheck.records import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

    from driftcheck.models import Finding, Report
    from driftcheck.replacement import Replacement

__all__ = ["SCHEMA_VERSION", "finding_to_json", "render", "report_to_json"]

SCHEMA_VERSION = 1


def finding_to_json(finding: Finding) -> dict[str, Any]:
    expected = None
    if finding.expected is not None:
        expected = {
            "version": finding.expected.version,
            "source": finding.expected.source.to_json(),
            "line": finding.expected.line,
        }
    installed = None
    if finding.installed is not None:
        dist = finding.installed
        installed = {
            "version": dist.version,
            "source": finding.installed_source.to_json() if finding.installed_source else None,
            "installer": dist.installer,
            "path": dist.meta_dir,
        }
    return {
        "kind": finding.kind,
        "name": finding.name,
        "expected": expected,
        "installed": installed,
        "reason": finding.reason,
        "required_by": list(finding.required_by),
        "allowed": finding.allowed,
        "allow_reason": finding.allow_reason,
        **(
            {"files": [{"path": p, "status": s} for p, s in finding.files]} if finding.files else {}
        ),
        **({"replacement": _replacement(finding.replacement)} if finding.replacement else {}),
    }


def _replacement(replacement: Replacement) -> dict[str, Any]:
    packages = replacement.packages
    return {
        "python": replacement.python,
        "packages": None
        if packages is None
        else [{"name": name, "version": version} for name, version in packages],
    }


def report_to_json(report: Report) -> dict[str, Any]:
    summary: dict[str, int] = {
        kind: report.count(kind)
        for kind in FINDING_KINDS
        if kind != "modified" or report.verified_files
    }
    summary["allowed"] = sum(1 for f in report.findings if f.allowed)
    return {
        "schema_version": SCHEMA_VERSION,
        "driftcheck_version": __version__,
        "drift": report.drift,
        "lockfile": {"path": str(report.lockfile), "format": report.lock_format},
        "environment": {"path": str(report.environment), "python": report.python},
        "selection": report.selection,
        "summary": summary,
        "checked": report.checked,
        "findings": [finding_to_json(f) for f in report.findings],
        "fix": report.fix_command if report.drift else None,
        "allow_snippet": report.allow_snippet,
        **({"warnings": list(report.warnings)} if report.warnings else {}),
    }


def render(report: Report) -> str:
    return json.dumps(report_to_json(report), indent=2) + "\n"
