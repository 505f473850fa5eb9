"""Reporters: each renders a Report to a string. The CLI decides where it goes."""

from __future__ import annotations

import sys

from driftcheck.records import TYPE_CHECKING

if TYPE_CHECKING:
    from driftcheck.models import Report

__all__ = ["FORMATS", "render"]

# Output format -> reporter module (imported only when used).
FORMATS = {
    "text": "driftcheck.reporters.text",
    "json": "driftcheck.reporters.json",
    "github": "driftcheck.reporters.github",
    "markdown": "driftcheck.reporters.markdown",
    "sarif": "driftcheck.reporters.sarif",
}


def render(report: Report, output_format: str, *, color: bool = False) -> str:
    name = FORMATS[output_format]
    __import__(name)  # (importlib itself imports warnings: not worth it for one call)
    module = sys.modules[name]
    if output_format == "text":
        return str(module.render(report, color=color))
    return str(module.render(report))
