"""A targeted uv.lock parser for the fields driftcheck needs.

uv writes its lock in one fixed layout. This reads it package block by package block,
skipping the ``sdist`` and ``wheels`` entries (most of the file) without building them,
and returns exactly what ``tomllib`` would return for the rest: the same dict, minus
each package's ``sdist``, ``wheels`` and ``metadata.requires-dist``.

A block in uv's usual shape (name, version, a one-line source, resolution markers,
dependencies, sdist, wheels, and nothing else: most packages of most locks) is read by
a few ``str.find`` calls and two regular expressions, and returned as a :data:`Block`
tuple rather than a table (:func:`as_table` turns it into the table ``tomllib`` gives).
Any other block is read line by line, with the common statements read by a regular
expression and any other statement given to the TOML reader on its own; anything
outside uv's layout makes :func:`parse` return ``None``, and the caller parses the whole
file. ``tests/test_uv_fast.py`` holds the two equal on every uv.lock the tests produce.
"""

from __future__ import annotations

import re

from driftcheck import toml_subset
from driftcheck.patterns import lazy
from driftcheck.records import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

__all__ = ["DROPPED", "as_table", "parse"]

# Keys the fast path never builds, per package (and in [package.metadata]).
DROPPED = ("sdist", "wheels")
DROPPED_METADATA = ("requires-dist",)

# The characters of a basic string without escapes (TOML forbids control characters).
_S = r'[^"\\\x00-\x08\x0a-\x1f\x7f]'
_DEP = lazy(
    rf'^[ \t]*\{{ name = "({_S}+)"'
    rf'(?:, version = "({_S}+)"|)'
    rf'(?:, source = \{{ (registry|editable|directory|virtual|path) = "({_S}+)" \}}|)'
    rf'(?:, extra = \[((?:"{_S}+"(?:, "{_S}+")*|))\]|)'
    rf'(?:, marker = "({_S}*)"|)'
    r" \},?$"
)


def _loads(text: str) -> dict[str, Any]:
    """``tomllib.loads``: without tomllib for the plain subset; raises ValueError (the
    caller then parses the whole file, which words the error)."""
    plain = toml_subset.loads(text)
    if plain is not None:
        return plain
    from driftcheck.errors import LockfileError
    from driftcheck.toml import loads

    try:
        return loads(text, "")
    except LockfileError as exc:
        raise ValueError(str(exc)) from None


def _dep(line: str) -> dict[str, Any]:
    """The table of one dependency line."""
    plain = _PLAIN_DEP.match(line + ",\n" if line.endswith("}") else line + "\n")
    if plain is not None:  # { name = "..." }
        return {"name": plain.group(1)}
    match = _DEP().match(line)
    if match is None:
        return _loads("x = " + line.strip(" \t").removesuffix(","))["x"]  # type: ignore[no-any-return]
    return _dep_of(match)


def _dep_of(match: re.Match[str]) -> dict[str, Any]:
    name, version, kind, where, extra, marker = match.groups()
    dep: dict[str, Any] = {"name": name}
    if version is not None:
        dep["version"] = version
    if kind is not None:
        dep["source"] = {kind: where}
    if extra is not None:
        dep["extra"] = re.findall(r'"([^"]+)"', extra)
    if marker is not None:
        dep["marker"] = marker
    return dep


def _value(key: str, lines: list[str]) -> Any:
    """The value of one statement (``key = ...`` over one or more lines)."""
    if len(lines) > 1 and lines[0].endswith("= [") and lines[-1] == "]" and _all_deps(lines[1:-1]):
        return [_dep(line) for line in lines[1:-1]]
    return _loads("\n".join(lines))[key]


def _bare_key(key: str) -> bool:
    """A TOML bare key (``[A-Za-z0-9_-]+``)."""
    return key.isascii() and key.replace("-", "").replace("_", "").isalnum()


def _all_deps(lines: list[str]) -> bool:
    """Each line one inline table, and all but the last followed by a comma."""
    return all(line.lstrip(" \t").startswith("{ name = ") for line in lines) and all(
        line.endswith(",") for line in lines[:-1]
    )


# A package block in uv's most common shape, matched by one regular expression up to its
# wheel list. Its dependencies are read with a second one (most are a bare name: those
# lines come first in the match, any others after). The wheel list, most of the file, is
# skipped by one search for "]" (far faster than a pattern reads text): that must close
# it, and end the block. Few calls per block matter more than anything else here.
_COMMON = re.compile(
    rf'name = "({_S}*)"\n'
    rf'(?:version = "({_S}*)"\n|)'
    rf'source = \{{ (registry|editable|directory|virtual|path) = "({_S}*)" \}}\n'
    rf'(?:resolution-markers = \[\n((?:    "{_S}*",\n)*)\]\n|)'
    rf'(?:dependencies = \[\n((?:    \{{ name = "{_S}+" \}},\n)*)((?:    \{{[^\n]*\n)*)\]\n|)'
    r"(?:sdist = \{[^\n]*\}\n|)"
    r"(?:(wheels = \[\n)|)"
)
_PLAIN_DEP = re.compile(rf'^    \{{ name = "({_S}+)" \}},\n', re.MULTILINE)
_QUOTED = lazy(r'"([^"]*)"')

_HEADER = "\n[[package]]\n"
_WHEELS_END = "\n]\n"
_WHEELS_THEN_NEXT = _WHEELS_END + _HEADER

if TYPE_CHECKING:
    # A common block, read: (name, version or None, source kind, source value,
    # resolution markers or None, dependencies or None), each dependency a bare name or
    # the table of a dependency with more keys.
    Block = tuple[str, str | None, str, str, list[str] | None, list[Any] | None]


def _common_block(text: str, pos: int) -> tuple[Block, int] | None:
    """The block at ``pos`` if it is in the common shape, and where it ends (at the
    blank line before the next block's header, or at the end of the text); ``None`` for
    any other shape: the block is then read line by line."""
    match = _COMMON.match(text, pos)
    if match is None:
        return None
    name, version, kind, where, markers_body, plain_deps, other_deps, wheels = match.groups()
    at = match.end()
    if wheels is not None:
        close = text.find("]", at - 1)  # (from the opening's newline: the list may be empty)
        if text[close - 1 : close + 15] != _WHEELS_THEN_NEXT and (
            close == -1 or text[close - 1 :] != _WHEELS_END
        ):
            return None  # a "]" in a wheel's line, or more keys or tables after the list
        at = close + 2
    elif at != len(text) and text[at : at + len(_HEADER)] != _HEADER:
        # More keys or tables: uv writes its [package.optional-dependencies] and
        # [package.metadata] after the dependencies of a package without wheels.
        return None
    markers = None if markers_body is None else _QUOTED().findall(markers_body)
    deps: list[Any] | None = None
    if plain_deps is not None:
        deps = _PLAIN_DEP.findall(plain_deps)
        if other_deps:  # some carry a version, marker or extra
            lines = (plain_deps + other_deps)[:-1].split("\n")
            if not _all_deps(lines):
                return None
            deps = [_dep(line) for line in lines]
    return (name, version, kind, where, markers, deps), at


def as_table(package: Block | dict[str, Any]) -> dict[str, Any]:
    """A package as ``tomllib`` gives it (minus the dropped keys)."""
    if isinstance(package, dict):
        return package
    name, version, kind, where, markers, deps = package
    table: dict[str, Any] = {"name": name}
    if version is not None:
        table["version"] = version
    table["source"] = {kind: where}
    if markers is not None:
        table["resolution-markers"] = markers
    if deps is not None:
        table["dependencies"] = [{"name": d} if type(d) is str else d for d in deps]
    return table


def _chunk(lines: list[str], package: dict[str, Any]) -> int | None:
    """Read one package block line by line into ``package``; ``None`` if outside uv's
    layout, else the index of the line of its ``name`` (-1 without one)."""
    name_at = -1
    table = package
    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        i += 1
        if not line or line.startswith("#"):
            continue
        if line[0] == "[":
            if not line.startswith("[package.") or not line.endswith("]") or "[[" in line:
                return None  # a table uv does not write here: let tomllib decide
            table = package
            for part in line[len("[package.") : -1].split("."):
                if part.startswith('"'):
                    return None
                table = table.setdefault(part, {})
                if not isinstance(table, dict):
                    return None
            continue
        key, sep, rest = line.partition(" = ")
        if not sep or not _bare_key(key):
            return None
        start_line = i - 1
        if rest in ("[", "[[") or (rest.startswith("[") and not rest.endswith("]")):
            try:  # the closing line, found in C: wheel lists are most of the file
                i = lines.index("]]" if rest == "[[" else "]", i) + 1
            except ValueError:
                return None
        if table is package:
            if key in DROPPED:
                continue
            if key == "name":
                name_at = start_line
        statement = lines[start_line:i]
        if key in DROPPED_METADATA and table is package.get("metadata"):
            continue
        if key in table:
            return None  # a duplicate key: tomllib's error message is the right one
        table[key] = _value(key, statement)
    return name_at


def parse(text: str, name_offsets: list[int] | None = None) -> dict[str, Any] | None:
    """Parse uv.lock text, or ``None`` when it is not in uv's own layout.

    Each of ``data["package"]`` is a :data:`Block` (a common block) or a table.

    :param name_offsets: if given, receives where each package's ``name`` statement
        starts in ``text`` (its ``[[package]]`` line's end, for a package without one):
        lines are counted only if a finding or an error needs one.
    """
    start = text.find(_HEADER)
    if start == -1:
        return None
    data = _loads(text[: start + 1])
    packages: list[Block | dict[str, Any]] = []
    data["package"] = packages
    offsets = [] if name_offsets is None else name_offsets
    pos, size = start + len(_HEADER), len(text)
    find, common = text.find, _common_block
    while True:  # one block per turn: it starts at pos and ends at end
        found = common(text, pos)
        package: Block | dict[str, Any]
        if found is not None:
            package, end = found
            offsets.append(pos)
        else:
            end = find(_HEADER, pos)
            if end == -1:
                end = size
            table: dict[str, Any] = {}
            package = table
            lines = text[pos:end].split("\n")
            name_at = _chunk(lines, table)
            if name_at is None:
                return None
            if name_at < 0:
                offsets.append(pos - 1)  # the header line
            else:
                offsets.append(pos + sum(len(line) + 1 for line in lines[:name_at]))
        packages.append(package)
        if end == size:
            return data
        pos = end + len(_HEADER)
