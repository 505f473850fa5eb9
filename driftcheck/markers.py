"""Marker evaluation for lockfiles, with set-valued extras.

uv encodes activated conflict items (extras, groups, projects) in edge markers as
``extra == 'extra-{len}-{pkg}-{extra}'``, ``group-…`` and ``project-…``. Several can be
active at once, which the PEP 508 ``extra == …`` form cannot express. We rewrite each
such clause into the PEP 751 membership form (``'…' in extras``) and evaluate it in the
``lock_file`` context of :meth:`packaging.markers.Marker.evaluate`.

Importing ``packaging.markers`` costs about 35 ms here (it pulls in ``specifiers``,
``tags``, ``logging`` and ``subprocess``): a third of a small check. Lockers write markers
in a narrow, normalised shape: ``and``/``or``/parentheses over ``variable op 'value'``,
with versions that are plain releases. :func:`_fast_compile` takes exactly that shape
and evaluates it with packaging's own rules (``tests/test_markers.py`` holds the two
equal on generated markers and environments); any other marker, including every one
that is invalid or whose meaning needs PEP 440 beyond plain releases, goes to
``packaging``, which also writes the error message.
"""

from __future__ import annotations

import re
from functools import cache

from driftcheck.names import canonicalize_name, separated_runs
from driftcheck.patterns import lazy
from driftcheck.records import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Set
    from typing import Any, TypeAlias

    # A compiled marker is a predicate over (environment, active extras).
    Predicate: TypeAlias = Callable[[Mapping[str, str], Set[str]], bool]
    Compiled: TypeAlias = "Predicate | _Packaging"

__all__ = [
    "GROUP",
    "MarkerEvaluator",
    "compile_marker",
    "normalised_version",
    "parse_requirement",
    "plain_release",
    "plain_releases",
    "releases_equal",
    "specifier_contains",
    "valid_version",
]

_EXTRA_CLAUSE = lazy(r"""\bextra\s*(==|!=)\s*(?P<q>['"])(?P<value>[^'"]*)(?P=q)""")


def _rewrite(marker: str) -> tuple[str, bool]:
    if "extra" not in marker:
        return marker, False
    uses_extra = False

    def repl(match: re.Match[str]) -> str:
        nonlocal uses_extra
        uses_extra = True
        op = "in" if match.group(1) == "==" else "not in"
        return f"'{match.group('value')}' {op} extras"

    return _EXTRA_CLAUSE().sub(repl, marker), uses_extra


# --- the fast path -------------------------------------------------------------------

_TOKEN = lazy(
    r"""\s*(?:(?P<paren>[()])"""
    r"""|(?P<op>===|==|!=|<=|>=|~=|<|>|not\s+in\b|in\b)"""
    r"""|(?P<bool>and\b|or\b)"""
    r"""|(?P<var>[a-z_]+\b)"""
    r"""|'(?P<sq>[^']*)'|"(?P<dq>[^"]*)")"""
)
_VERSION_KEYS = frozenset(
    {"implementation_version", "platform_release", "python_full_version", "python_version"}
)
_STRING_KEYS = frozenset(
    {
        "os_name",
        "sys_platform",
        "platform_machine",
        "platform_python_implementation",
        "platform_system",
        "platform_version",
        "implementation_name",
    }
)
_SET_KEYS = frozenset({"extras", "dependency_groups"})
# An active dependency group, as it is put in the set of active extras (a name cannot
# hold a colon): PEP 751's ``'docs' in dependency_groups``. uv.lock has none of these.
GROUP = "dependency-group:"


class _NotFast(Exception):
    """The marker is outside the fast path's shape: let packaging handle it."""


def _release(text: str) -> tuple[int, ...] | None:
    return tuple(map(int, text.split("."))) if plain_release(text) else None


def _compare_releases(a: tuple[int, ...], b: tuple[int, ...]) -> int:
    width = max(len(a), len(b))
    a += (0,) * (width - len(a))
    b += (0,) * (width - len(b))
    return (a > b) - (a < b)


# PEP 440 on plain releases (no pre, post, dev or local parts): plain ordering, with
# zero padding ("3.11" == "3.11.0"), exactly as packaging's Specifier.contains.
_RELEASE_OPS: dict[str, Callable[[int], bool]] = {
    "==": lambda c: c == 0,
    "!=": lambda c: c != 0,
    "<": lambda c: c < 0,
    "<=": lambda c: c <= 0,
    ">": lambda c: c > 0,
    ">=": lambda c: c >= 0,
}
# packaging's rules for markers that are not versions.
_STRING_OPS: dict[str, Callable[[str, str], bool]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "in": lambda a, b: a in b,
    "not in": lambda a, b: a not in b,
    "<": lambda a, b: False,
    ">": lambda a, b: False,
    "<=": lambda a, b: a == b,
    ">=": lambda a, b: a == b,
}


def plain_release(text: str) -> bool:
    """``text`` is a plain release: digits and dots ("1.2.3"), a valid PEP 440 version."""
    return "\n" not in text and _joined_releases(text)


def _joined_releases(joined: str) -> bool:
    """``joined`` is plain releases joined by newlines: ``[0-9]+(\\.[0-9]+)*`` each."""
    return separated_runs(joined, ".", str.isdigit)


def plain_releases(texts: list[str]) -> bool:
    """Every one of ``texts`` is a plain release: one regular expression for them all."""
    joined = "\n".join(texts)
    if joined.count("\n") != len(texts) - 1:
        return all(map(plain_release, texts))
    return not texts or _joined_releases(joined)


# A version in PEP 440's normalised form, as uv and wheel file names write it
# ("2.9.0.post0", "1.0rc1", "2!1.0.dev3+local.1"): always valid. Any other spelling
# (which may still be valid) is left to packaging.
_NORMALISED_VERSION = lazy(
    r"(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*(?:(?:a|b|rc)[0-9]+)?(?:\.post[0-9]+)?(?:\.dev[0-9]+)?"
    r"(?:\+[a-z0-9]+(?:\.[a-z0-9]+)*)?"
)


def normalised_version(text: str) -> bool:
    """``text`` is a version in PEP 440's normalised form ("1.2.3", "2.9.0.post0"),
    which is always valid; ``False`` says nothing about other spellings."""
    return plain_release(text) or bool(text.isascii() and _NORMALISED_VERSION().fullmatch(text))


def valid_version(text: str) -> bool:
    """PEP 440 validity; a version in normalised form ("1.2.3", "2.9.0.post0") is
    decided without importing packaging (``packaging.version`` imports ``typing``)."""
    if normalised_version(text):
        return True
    from packaging.version import InvalidVersion, Version

    try:
        Version(text)
    except InvalidVersion:
        return False
    return True


def releases_equal(a: str, b: str) -> bool | None:
    """PEP 440 equality of two plain releases ("1.0" == "1.0.0"); ``None`` otherwise."""
    left, right = _release(a), _release(b)
    if left is None or right is None:
        return None
    return _compare_releases(left, right) == 0


_CLAUSE = lazy(r"\s*(==|!=|<=|>=|<|>)\s*([0-9]+(?:\.[0-9]+)*)\s*")


def specifier_contains(specifier: str, version: str) -> bool | None:
    """``SpecifierSet(specifier).contains(version)`` where every part is a plain release.

    ``None`` when anything is outside that shape (``~=``, ``.*``, pre-releases...): the
    caller asks ``packaging``.
    """
    have = _release(version)
    if have is None:
        return None
    clauses = [_CLAUSE().fullmatch(clause) for clause in specifier.split(",")]
    if not all(clauses):  # every clause is checked before any is evaluated
        return None
    return all(
        _RELEASE_OPS[m.group(1)](_compare_releases(have, _release(m.group(2)) or ()))
        for m in clauses
        if m is not None
    )


def _version_atom(key: str, compare: Callable[[int], bool], bound: tuple[int, ...]) -> Predicate:
    def version_atom(env: Mapping[str, str], active: Set[str]) -> bool:
        value = _release(env[key])
        if value is None:
            raise _NotFast
        return compare(_compare_releases(value, bound))

    return version_atom


def _prefix_atom(key: str, equal: bool, prefix: tuple[int, ...]) -> Predicate:
    """``key == 'X.Y.*'``: the release, zero-padded to the prefix's length, starts with it."""
    width = len(prefix)

    def prefix_atom(env: Mapping[str, str], active: Set[str]) -> bool:
        value = _release(env[key])
        if value is None:
            raise _NotFast
        value += (0,) * (width - len(value))
        return (value[:width] == prefix) == equal

    return prefix_atom


def _atom(left: tuple[str, str], op: str, right: tuple[str, str]) -> Predicate:
    (lkind, lhs), (rkind, rhs) = left, right
    if lkind == "var" and rkind == "str":
        if lhs in _VERSION_KEYS:
            if op in ("==", "!=") and rhs.endswith(".*") and _release(rhs[:-2]) is not None:
                return _prefix_atom(lhs, op == "==", _release(rhs[:-2]) or ())
            bound, compare = _release(rhs), _RELEASE_OPS.get(op)
            if bound is None or compare is None:
                raise _NotFast
            return _version_atom(lhs, compare, bound)
        if lhs in _STRING_KEYS and op in _STRING_OPS:
            string_op = _STRING_OPS[op]
            return lambda env, active: string_op(env[lhs], rhs)
    elif lkind == "str" and rkind == "var":
        if rhs in _SET_KEYS and op in ("in", "not in"):
            name = canonicalize_name(lhs)
            if rhs == "dependency_groups":
                name = GROUP + name
            if op == "in":
                return lambda env, active: name in active
            return lambda env, active: name not in active
        if rhs in _STRING_KEYS and op in _STRING_OPS:
            string_op = _STRING_OPS[op]
            return lambda env, active: string_op(lhs, env[rhs])
    raise _NotFast


def _fast_compile(marker: str) -> Predicate:
    """Compile a marker in lockers' normalised shape, or raise :class:`_NotFast`."""
    tokens: list[tuple[str, str]] = []
    pos, end = 0, len(marker.rstrip())
    while pos < end:
        match = _TOKEN().match(marker, pos)
        if match is None:
            raise _NotFast
        kind = match.lastgroup or ""
        value = match.group(kind)
        tokens.append(("str" if kind in ("sq", "dq") else kind, value))
        pos = match.end()
    tokens.append(("end", ""))
    at = 0

    def expression() -> Predicate:
        nonlocal at
        alternatives = [conjunction()]
        while tokens[at] == ("bool", "or"):
            at += 1
            alternatives.append(conjunction())
        if len(alternatives) == 1:
            return alternatives[0]
        return lambda env, active: any(p(env, active) for p in alternatives)

    def conjunction() -> Predicate:
        nonlocal at
        parts = [item()]
        while tokens[at] == ("bool", "and"):
            at += 1
            parts.append(item())
        if len(parts) == 1:
            return parts[0]
        return lambda env, active: all(p(env, active) for p in parts)

    def item() -> Predicate:
        nonlocal at
        if tokens[at] == ("paren", "("):
            at += 1
            inner = expression()
            if tokens[at] != ("paren", ")"):
                raise _NotFast
            at += 1
            return inner
        if at + 3 >= len(tokens):
            raise _NotFast
        left, op, right = tokens[at : at + 3]
        if left[0] not in ("var", "str") or op[0] != "op" or right[0] not in ("var", "str"):
            raise _NotFast
        at += 3
        return _atom(left, " ".join(op[1].split()), right)

    compiled = expression()
    if tokens[at][0] != "end":
        raise _NotFast
    return compiled


# --- packaging, for everything else ---------------------------------------------------


class _Packaging:
    __slots__ = ("marker",)

    def __init__(self, marker: str) -> None:
        from packaging.markers import InvalidMarker, Marker

        try:
            self.marker = Marker(marker)
        except InvalidMarker as exc:
            raise ValueError(str(exc).splitlines()[0]) from None

    def __call__(self, env: Mapping[str, str], active: Set[str]) -> bool:
        full: dict[str, str | frozenset[str]] = dict(env)
        full["extras"] = frozenset(a for a in active if not a.startswith(GROUP))
        full["dependency_groups"] = frozenset(
            a[len(GROUP) :] for a in active if a.startswith(GROUP)
        )
        return self.marker.evaluate(full, context="lock_file")


@cache
def compile_marker(marker: str) -> tuple[Compiled, bool]:
    """Parse a lock marker once. Returns the marker and whether it mentions extras.

    :raises ValueError: when the marker is not valid PEP 508, or nests parentheses
        deeper than :data:`driftcheck.nesting.MAX_DEPTH` (both parsers recurse).
    """
    if marker.count("(") > _MAX_PARENS:
        _refuse_deep(marker)
    rewritten, uses_extra = _rewrite(marker)
    try:
        compiled: Compiled = _fast_compile(rewritten)
    except _NotFast:
        compiled = _Packaging(rewritten)
    return compiled, uses_extra or "extras" in rewritten or "dependency_groups" in rewritten


_MAX_PARENS = 100  # driftcheck.nesting.MAX_DEPTH (not imported: this is the hot path)


def _refuse_deep(marker: str) -> None:
    depth = deepest = 0
    for c in marker:
        if c == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif c == ")":
            depth -= 1
    if deepest > _MAX_PARENS:
        raise ValueError(f"parentheses nested more than {_MAX_PARENS} levels deep")


def parse_requirement(text: str) -> Any:
    """``packaging.requirements.Requirement(text)``; parentheses nested deeper than
    packaging's parser can recurse are an ``InvalidRequirement`` too."""
    from packaging.requirements import InvalidRequirement, Requirement

    if text.count("(") > _MAX_PARENS:
        try:
            _refuse_deep(text)
        except ValueError as exc:
            raise InvalidRequirement(str(exc)) from None
    return Requirement(text)


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
        """Evaluate ``marker`` with ``active`` as the set of activated (encoded) extras,
        and the dependency groups as :data:`GROUP` + name."""
        if marker is None:
            return True
        cached = self._plain.get(marker)
        if cached is not None:
            return cached
        compiled, uses_extra = compile_marker(marker)
        extras = frozenset(map(canonicalize_name, active)) if uses_extra else frozenset()
        try:
            result = compiled(self._environment, extras)
        except _NotFast:  # a target value outside the fast path (e.g. '3.14.0rc1')
            result = _Packaging(_rewrite(marker)[0])(self._environment, extras)
        if not uses_extra:
            self._plain[marker] = result
        return result
