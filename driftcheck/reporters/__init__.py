"""Reporters: each renders a Report to a string. The CLI decides where it goes."""

from __future__ import annotations

from collections.abc import Callable

from driftcheck.models import Report

__all__ = ["FORMATS", "render"]

FORMATS = ("text", "json")


def render(report: Report, output_format: str, *, color: bool = False) -> str:
    renderer: Callable[[Report], str]
    match output_format:
        case "text":
            from driftcheck.reporters import text

            return text.render(report, color=color)
        case "json":
            from driftcheck.reporters import json as json_reporter

            renderer = json_reporter.render
        case _:  # pragma: no cover - argparse restricts the choices
            raise ValueError(output_format)
    return renderer(report)
