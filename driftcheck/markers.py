"""Marker evaluation for lockfiles, with set-valued extras.

uv encodes activated conflict items (extras, groups, projects) in edge markers as
``extra == 'extra-{len}-{pkg}-{extra}'``, ``group-…`` and ``project-…``. Several can be
active at once, which the PEP 508 ``extra == …`` form cannot express. We rewrite each
such clause into the PEP 751 membership form (``'…' in extras``) and evaluate it with
:meth:`packaging.markers.Marker.evaluate` in the ``lock_file`` context, so that
``packaging`` does all of the real work.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Set
from functools import cache

from packaging.markers import InvalidMarker, Marker

__all__ = ["MarkerEvaluator", "compile_marker"]

_EXTRA_CLAUSE = re.compile(r"""\bextra\s*(==|!=)\s*(?P<q>['"])(?P<value>[^'"]*)(?P=q)""")


def _rewrite(marker: str) -> tuple[str, bool]:
    uses_extra = False

    def repl(match: re.Match[str]) -> str:
        nonlocal uses_extra
        uses_extra = True
        op = "in" if match.group(1) == "==" else "not in"
        return f"'{match.group('value')}' {op} extras"

    return _EXTRA_CLAUSE.sub(repl, marker), uses_extra


@cache
def compile_marker(marker: str) -> tuple[Marker, bool]:
    """Parse a lock marker once. Returns the marker and whether it mentions extras.

    :raises ValueError: when the marker is not valid PEP 508.
    """
    rewritten, uses_extra = _rewrite(marker)
    try:
        return Marker(rewritten), uses_extra
    except InvalidMarker as exc:
        raise ValueError(str(exc).splitlines()[0]) from None


class MarkerEvaluator:
    """Evaluate lock markers for one target, caching the extra-free ones.

    :param environment: the target's PEP 508 marker environment.
    """

    def __init__(self, environment: Mapping[str, str]) -> None:
        self._environment = dict(environment)
        self._plain: dict[str, bool] = {}

    @property
    def environment(self) -> dict[str, str]:
        """The target's marker environment (a copy)."""
        return dict(self._environment)

    def __call__(self, marker: str | None, active: Set[str] = frozenset()) -> bool:
        """Evaluate ``marker`` with ``active`` as the set of activated (encoded) extras."""
        if marker is None:
            return True
        cached = self._plain.get(marker)
        if cached is not None:
            return cached
        compiled, uses_extra = compile_marker(marker)
        env: dict[str, str | frozenset[str]] = dict(self._environment)
        env["extras"] = frozenset(active) if uses_extra else frozenset()
        env["dependency_groups"] = frozenset()
        result = compiled.evaluate(env, context="lock_file")
        if not uses_extra:
            self._plain[marker] = result
        return result
