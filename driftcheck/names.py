"""Canonical package names (PEP 503), without importing ``packaging.utils``.

``packaging.utils`` imports ``packaging.tags`` (and with it ``logging``), about 15 ms
on every run, only for this one function. It is the same normalisation as
``packaging.utils.canonicalize_name``; ``tests/test_names.py`` holds the two equal.
"""

from __future__ import annotations

import re
from functools import cache

__all__ = ["canonicalize_name"]

_SEPARATORS = re.compile(r"[-_.]+")


@cache
def canonicalize_name(name: str) -> str:
    """``packaging.utils.canonicalize_name(name)``, cached: names repeat in a lock."""
    value = name.lower().replace("_", "-").replace(".", "-")  # (cheaper than the regex)
    return _SEPARATORS.sub("-", value) if "--" in value else value
