"""SARIF 2.1.0: one rule per finding kind, results located in the lockfile."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from driftcheck import __version__
from driftcheck.models import Report

__all__ = ["render"]

_RULES = {
    "missing": "A locked and selected package is not installed.",
    "extraneous": "An installed package is not in the locked selection.",
    "mismatched": "An installed package has the wrong version or source.",
    "modified": "An installed package's files differ from its RECORD (--verify-files).",
}


def _uri(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.resolve().as_uri()


def render(report: Report) -> str:
    uri = _uri(Path(report.lockfile))
    results: list[dict[str, Any]] = []
    for f in report.findings:
        if f.allowed:
            continue
        region = {"startLine": f.expected.line} if f.expected and f.expected.line else None
        location: dict[str, Any] = {"artifactLocation": {"uri": uri}}
        if region:
            location["region"] = region
        results.append(
            {
                "ruleId": f.kind,
                "level": "error",
                "message": {"text": f"{f.name}: {f.reason}"},
                "locations": [{"physicalLocation": location}],
                "partialFingerprints": {"driftcheck/v1": f"{f.kind}:{f.name}"},
            }
        )
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "driftcheck",
                        "version": __version__,
                        "rules": [
                            {
                                "id": rule,
                                "name": rule.capitalize(),
                                "shortDescription": {"text": text},
                                "defaultConfiguration": {"level": "error"},
                            }
                            for rule, text in _RULES.items()
                        ],
                    }
                },
                "results": results,
                "properties": {
                    "selection": report.selection,
                    "fix": report.fix_command if report.drift else None,
                },
            }
        ],
    }
    return json.dumps(document, indent=2) + "\n"
