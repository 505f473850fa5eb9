"""A targeted uv.lock parser for the fields driftcheck needs.

uv writes its lock in one fixed layout. This reads it line by line, skipping the
``sdist`` and ``wheels`` entries (most of the file) without building them, and returns
exactly what ``tomllib`` would return for the rest: the same dict, minus each
package's ``sdist``, ``wheels`` and ``metadata.requires-dist``. Lines in the common
shapes are read with a regular expression; any other statement goes to ``tomllib`` on
its own; anything outside uv's layout makes :func:`parse` return ``None``, and the
caller parses the whole file with ``tomllib``. ``tests/test_uv_fast.py`` holds the two
equal on every uv.lock the test suite produces.
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


def parse(text: str, name_lines: list[int] | None = None) -> dict[str, Any] | None:
    """Parse uv.lock text, or ``None`` when it is not in uv's own layout.

    :param name_lines: if given, receives the 1-based line of each package's ``name``.
    """
    start = text.find("\n[[package]]\n")
    if start == -1:
        return None
    data = _loads(text[: start + 1])
    first_line = text.count("\n", 0, start) + 2  # the line of lines[0] below
    packages: list[dict[str, Any]] = []
    data["package"] = packages
    lines = text[start + 1 :].split("\n")
    table: dict[str, Any] = {}
    package: dict[str, Any] = {}
    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        i += 1
        if not line or line.startswith("#"):
            continue
        if line[0] == "[":
            if line == "[[package]]":
                if name_lines is not None:  # the header's line, until a name is seen
                    name_lines.append(first_line + i - 1)
                package = {}
                packages.append(package)
                table = package
                continue
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
        if not sep or not re.fullmatch(r"[A-Za-z0-9_-]+", key):
            return None
        statement = [line]
        if rest in ("[", "[[") or (rest.startswith("[") and not rest.endswith("]")):
            closing = "]]" if rest == "[[" else "]"
            while i < n and lines[i] != closing:
                statement.append(lines[i])
                i += 1
            if i == n:
                return None
            statement.append(lines[i])
            i += 1
        if key == "name" and table is package and name_lines:
            name_lines[-1] = first_line + i - len(statement)
        if table is package and key in DROPPED:
            continue
        if key in DROPPED_METADATA and table is package.get("metadata"):
            continue
        if key in table:
            return None  # a duplicate key: tomllib's error message is the right one
        table[key] = _value(key, statement)
    return data
