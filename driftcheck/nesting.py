"""A bound on the nesting of TOML and JSON input, checked before any parser runs.

``tomllib``, ``json`` and driftcheck's own TOML readers recurse once per level of
nested arrays and tables: a file nested a few thousand levels deep would end in a
``RecursionError``. No real lockfile nests more than a handful of levels, so anything
deeper than :data:`MAX_DEPTH` is refused with the file and the line.

The check must cost nothing on real files. :func:`deepest` keeps only the bracket
bytes of the raw text (one ``bytes.translate``) and removes innermost pairs, a level a
pass, with ``bytes.replace``: a lockfile takes as many passes as it nests deep (about
five). Brackets inside strings and comments are counted too, so the count can only be
too high; only then does :func:`_exact_line` read the text token by token, which
knows strings and comments, to decide and to find the line.
"""

from __future__ import annotations

import re

from driftcheck.patterns import lazy
from driftcheck.records import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any, Literal

__all__ = ["MAX_DEPTH", "TooDeep", "check_depth", "load_json", "too_deep", "yaml_depth_bound"]

MAX_DEPTH = 100

_BRACKETS = b"[]{}"
_NOT_BRACKETS = bytes(range(256)).translate(None, _BRACKETS)
_PAIRS = (b"[]", b"{}", b"[}", b"{]")


def deepest(data: bytes, limit: int = MAX_DEPTH) -> int:
    """An upper bound on the bracket nesting of ``data``, exact when no string or
    comment holds a bracket; counting stops just above ``limit``."""
    brackets = data.translate(None, _NOT_BRACKETS)
    depth = 0
    while brackets and depth <= limit:
        before = len(brackets)
        for pair in _PAIRS:
            brackets = brackets.replace(pair, b"")
        if len(brackets) == before:
            break
        depth += 1
    # What is left has no pair: closers, then openers never closed (in a string, or
    # a syntax error); each opener may still nest what follows it.
    return depth + brackets.count(b"[") + brackets.count(b"{")


_TOML_TOKEN = lazy(
    r'"""(?:[^\\]|\\.)*?"""|\'\'\'.*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|#[^\n]*'
    r"|[\[\]{}\n]",
    re.DOTALL,
)
_JSON_TOKEN = lazy(r'"(?:[^"\\]|\\.)*"|[\[\]{}\n]', re.DOTALL)


def _exact_line(text: str, syntax: Literal["toml", "json"], limit: int) -> int | None:
    """The 1-based line where nesting first goes deeper than ``limit``, or ``None``."""
    pattern = _TOML_TOKEN() if syntax == "toml" else _JSON_TOKEN()
    depth, line = 0, 1
    for match in pattern.finditer(text):
        token = match.group()
        if token == "\n":
            line += 1
        elif token in "[{":
            depth += 1
            if depth > limit:
                return line
        elif token in "]}":
            depth = max(0, depth - 1)
        else:  # a string or a comment (which may span lines)
            line += token.count("\n")
    return None


def too_deep(
    data: bytes | str, syntax: Literal["toml", "json"], limit: int = MAX_DEPTH
) -> int | None:
    """The line where ``data`` nests deeper than ``limit``, or ``None`` if it does not.

    :param data: the raw file (or its text, which is encoded for the first count).
    """
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if deepest(raw, limit) <= limit:
        return None
    text = data if isinstance(data, str) else data.decode("utf-8", "replace")
    return _exact_line(text, syntax, limit)


class TooDeep(ValueError):
    """Input nested deeper than the bound, at ``line``."""

    def __init__(self, line: int) -> None:
        super().__init__(f"nested more than {MAX_DEPTH} levels deep")
        self.line = line


def load_json(text: str) -> Any:
    """``json.loads(text)``, refusing input nested deeper than :data:`MAX_DEPTH`.

    :raises TooDeep: (a ``ValueError``) for deep input;
    :raises json.JSONDecodeError: (also a ``ValueError``) for invalid JSON.
    """
    import json

    check_depth(text, "json")
    return json.loads(text)


def check_depth(data: bytes | str, syntax: Literal["toml", "json"]) -> None:
    """Raise :class:`TooDeep` where ``data`` nests deeper than :data:`MAX_DEPTH`."""
    line = too_deep(data, syntax)
    if line is not None:
        raise TooDeep(line)


def yaml_depth_bound(data: bytes) -> int:
    """An upper bound on the nesting of a YAML text.

    A block collection nests one level deeper only by more indentation or by one more
    ``- `` or ``? `` in front of it on its line; flow collections by brackets. So the
    longest run of those at the start of a line, plus one, plus the bracket bound,
    is never below the real depth.
    """
    leads = re.findall(rb"^[ \t?-]*", data, re.MULTILINE)  # (compiled on the YAML path only)
    lead = max(map(len, leads), default=0)
    return lead + 1 + deepest(data)
