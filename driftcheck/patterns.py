"""Regular expressions compiled on first use.

Compiling a pattern runs ``re``'s parser and compiler in Python, about as costly as
reading a few hundred lock entries; most patterns serve only the rarer shapes (a marker,
an unusual lock statement, an error message) and are never needed on a common run.
"""

from __future__ import annotations

import re

from driftcheck.records import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["lazy"]


def lazy(pattern: str, flags: int = 0) -> Callable[[], re.Pattern[str]]:
    """A function that returns ``re.compile(pattern, flags)``, compiled on its first call."""
    compiled: list[re.Pattern[str]] = []

    def get() -> re.Pattern[str]:
        if not compiled:
            compiled.append(re.compile(pattern, flags))
        return compiled[0]

    return get
