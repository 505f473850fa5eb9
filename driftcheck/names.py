"""Canonical package names (PEP 503), without importing ``packaging.utils``.

``packaging.utils`` imports ``packaging.tags`` (and with it ``logging``), about 15 ms
on every run, only for this one function. It is the same normalisation as
``packaging.utils.canonicalize_name``; ``tests/test_names.py`` holds the two equal.
"""

from __future__ import annotations

from functools import cache

from driftcheck.patterns import lazy
from driftcheck.records import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["canonicalize_name", "canonicalize_names", "separated_runs"]

_SEPARATORS = lazy(r"[-_.]+")  # (a run of separators is rare)


@cache
def canonicalize_name(name: str) -> str:
    """``packaging.utils.canonicalize_name(name)``, cached: names repeat in a lock."""
    value = name.lower().replace("_", "-").replace(".", "-")  # (cheaper than the regex)
    return _SEPARATORS().sub("-", value) if "--" in value else value


def canonicalize_names(names: list[str]) -> list[str]:
    """``[canonicalize_name(n) for n in names]``, done on all of them at once.

    Lowercasing and replacing separators is done on one joined string (a few C calls
    for thousands of names); only a name with a run of separators goes one by one.
    """
    joined = "\n".join(names)
    if joined.count("\n") != len(names) - 1:  # a name with a newline: one by one
        return [canonicalize_name(n) for n in names]
    value = joined.lower().replace("_", "-").replace(".", "-")
    if "--" in value:
        value = _SEPARATORS().sub("-", value)
    return value.split("\n") if names else []


def separated_runs(joined: str, sep: str, runs_ok: Callable[[str], bool]) -> bool:
    """Each newline-separated line of ``joined`` is runs of ASCII characters, joined by
    single ``sep`` characters, and ``runs_ok`` holds for all the runs together (e.g.
    ``str.isdigit``: ``[0-9]+(\\.[0-9]+)*`` per line for ``sep="."``).

    String methods, not a regular expression: compiling one costs more than checking
    a thousand names or versions this way.
    """
    return (
        joined.isascii()
        and runs_ok(joined.replace(sep, "").replace("\n", ""))
        and not any(bad in joined for bad in (sep + sep, sep + "\n", "\n" + sep, "\n\n"))
        and joined[0] not in (sep, "\n")
        and joined[-1] not in (sep, "\n")
    )
