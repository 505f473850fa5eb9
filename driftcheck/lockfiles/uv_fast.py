"""A targeted uv.lock parser for the fields driftcheck needs.

uv writes its lock in one fixed layout. This reads it package block by package block,
skipping the ``sdist`` and ``wheels`` entries (most of the file) without building them,
and returns exactly what ``tomllib`` would return for the rest: the same dict, minus
each package's ``sdist``, ``wheels`` and ``metadata.requires-dist``. A block in uv's
usual shape is one regular-expression match; any other block is read line by line,
with the common statements read by a regular expression and any other statement given
to ``tomllib`` on its own; anything outside uv's layout makes :func:`parse` return
``None``, and the caller parses the whole file with ``tomllib``.
``tests/test_uv_fast.py`` holds the two equal on every uv.lock the test suite produces.
"""

from __future__ import annotations

import re
import sys
from typing import Any

__all__ = ["DROPPED", "parse"]

# Keys the fast path never builds, per package (and in [package.metadata]).
DROPPED = ("sdist", "wheels")
DROPPED_METADATA = ("requires-dist",)

_STRING = re.compile(r'^([A-Za-z0-9_-]+) = "([^"\\]*)"$')
_SOURCE = re.compile(r'^source = \{ (registry|editable|directory|virtual|path) = "([^"\\]*)" \}$')
_DEP = re.compile(
    r'^\s*\{ name = "([^"\\]+)"'
    r'(?:, version = "([^"\\]+)")?'
    r'(?:, source = \{ (registry|editable|directory|virtual|path) = "([^"\\]+)" \})?'
    r'(?:, extra = \[((?:"[^"\\]+"(?:, )?)*)\])?'
    r'(?:, marker = "([^"\\]*)")?'
    r" \},?$"
)


_KEY = re.compile(r"[A-Za-z0-9_-]+").fullmatch


def _loads(text: str) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]
    result: dict[str, Any] = tomllib.loads(text)
    return result


def _dep(line: str) -> dict[str, Any]:
    match = _DEP.match(line)
    if match is None:
        return _loads("x = " + line.strip().rstrip(","))["x"]  # type: ignore[no-any-return]
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
    first = lines[0]
    if len(lines) == 1:
        match = _STRING.match(first)
        if match:
            return match.group(2)
        if key == "source":
            match = _SOURCE.match(first)
            if match:
                return {match.group(1): match.group(2)}
    elif first.endswith("= [") and lines[-1] == "]" and _all_deps(lines):
        return [_dep(line) for line in lines[1:-1]]
    return _loads("\n".join(lines))[key]


def _all_deps(lines: list[str]) -> bool:
    return all(line.lstrip().startswith("{ name = ") for line in lines[1:-1])


# A package block in uv's most common shape, matched whole (most packages of most locks):
# name, version, a one-line source, dependencies, sdist, wheels, nothing else. It is
# matched in place, at the start of each block, so the file is never cut into copies.
_BLOCK = re.compile(
    r'name = "([^"\\\n]*)"\n'
    r'(?:version = "([^"\\\n]*)"\n)?'
    r'source = \{ (registry|editable|directory|virtual|path) = "([^"\\\n]*)" \}\n'
    r"(?:dependencies = \[\n((?:    [^\n]*\n)*?)\]\n)?"
    r"(?:sdist = [^\n]*\n)?"
    r"(?:wheels = \[\n(?:    [^\n]*\n)*?\]\n)?"
)

_HEADER = "\n[[package]]\n"


def _block(match: re.Match[str]) -> dict[str, Any] | None:
    """The package of a :data:`_BLOCK` match; ``None`` if a dependency is in another shape."""
    name, version, kind, where, deps = match.groups()
    package: dict[str, Any] = {"name": name, "source": {kind: where}}
    if version is not None:
        package["version"] = version
    if deps is not None:
        dependencies = []
        for line in deps[:-1].split("\n"):
            dep = _DEP.match(line)
            if dep is None:
                return None
            dependencies.append(_dep_of(dep))
        package["dependencies"] = dependencies
    return package


def _chunk(
    lines: list[str], package: dict[str, Any], name_line: list[int] | None, first_line: int
) -> bool:
    """Read one package block line by line into ``package``; ``False`` if outside uv's layout.

    :param name_line: if given, its one item becomes the line of the ``name`` statement.
    :param first_line: the 1-based line of ``lines[0]``.
    """
    table = package
    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        i += 1
        if not line or line.startswith("#"):
            continue
        if line[0] == "[":
            if not line.startswith("[package.") or not line.endswith("]") or "[[" in line:
                return False  # a table uv does not write here: let tomllib decide
            table = package
            for part in line[len("[package.") : -1].split("."):
                if part.startswith('"'):
                    return False
                table = table.setdefault(part, {})
                if not isinstance(table, dict):
                    return False
            continue
        key, sep, rest = line.partition(" = ")
        if not sep or not _KEY(key):
            return False
        start_line = i - 1
        if rest in ("[", "[[") or (rest.startswith("[") and not rest.endswith("]")):
            try:  # the closing line, found in C: wheel lists are most of the file
                i = lines.index("]]" if rest == "[[" else "]", i) + 1
            except ValueError:
                return False
        if table is package:
            if key in DROPPED:
                continue
            if key == "name" and name_line:
                name_line[0] = first_line + start_line
        statement = lines[start_line:i]
        if key in DROPPED_METADATA and table is package.get("metadata"):
            continue
        if key in table:
            return False  # a duplicate key: tomllib's error message is the right one
        table[key] = _value(key, statement)
    return True


def parse(text: str, name_lines: list[int] | None = None) -> dict[str, Any] | None:
    """Parse uv.lock text, or ``None`` when it is not in uv's own layout.

    :param name_lines: if given, receives the 1-based line of each package's ``name``.
    """
    start = text.find(_HEADER)
    if start == -1:
        return None
    data = _loads(text[: start + 1])
    packages: list[dict[str, Any]] = []
    data["package"] = packages
    header_line = text.count("\n", 0, start) + 2  # of the first [[package]]
    pos, size = start + len(_HEADER), len(text)
    while True:  # one block per turn: it starts at pos and ends at nxt (-1: the end)
        package = None
        match = _BLOCK.match(text, pos)
        if match is not None:
            nxt = match.end()
            if nxt == size:
                nxt = -1
            elif not text.startswith(_HEADER, nxt):
                match = None
        if match is not None:
            package = _block(match)
        if package is not None:
            if name_lines is not None:
                name_lines.append(header_line + 1)
        else:
            nxt = text.find(_HEADER, pos)
            package = {}
            name_line = None if name_lines is None else [header_line]
            chunk = text[pos:] if nxt == -1 else text[pos:nxt]
            if not _chunk(chunk.split("\n"), package, name_line, header_line + 1):
                return None
            if name_lines is not None and name_line:
                name_lines.append(name_line[0])
        packages.append(package)
        if nxt == -1:
            return data
        header_line += text.count("\n", pos, nxt) + 2
        pos = nxt + len(_HEADER)
