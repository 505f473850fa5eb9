"""TOML loading with errors that name the file and line."""

from __future__ import annotations

import os
import re
import sys

from driftcheck.errors import LockfileError
from driftcheck.patterns import lazy
from driftcheck.records import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "array_table_lines",
    "decode_utf8",
    "load_toml",
    "loads",
    "read_bytes",
    "without_arrays",
]

_LINE = lazy(r"at line (\d+)")


def read_bytes(path: str | os.PathLike[str], shown: str) -> bytes:
    """Read a whole input file, turning OS errors into a LockfileError."""
    try:
        with open(path, "rb") as file:
            return file.read()
    except FileNotFoundError:
        raise LockfileError(shown, "file not found") from None
    except IsADirectoryError:
        raise LockfileError(shown, "is a directory, not a file") from None
    except OSError as exc:
        raise LockfileError(shown, f"cannot read: {exc.strerror}") from None
    except ValueError:  # a NUL byte in a name taken from a lockfile (-r includes)
        raise LockfileError(shown, "not a valid file name") from None


def decode_utf8(data: bytes, shown: str) -> str:
    """Decode an input file, reporting the first bad byte's line as ``FILE:LINE``."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise LockfileError(shown, "not valid UTF-8", line=line) from None


def without_arrays(text: str, keys: tuple[str, ...]) -> str:
    """``text`` with each multi-line array statement of ``keys`` emptied (``files = []``).

    Lockers write one such array per package, a line per file and hash: most of the
    file, and nothing driftcheck reads. Its lines stay as blank lines, so every line
    number is unchanged. A file with multi-line strings is returned as it is (such a line
    could be string content).
    """
    if '"""' in text or "'''" in text:
        return text
    pattern = _ARRAYS.get(keys)
    if pattern is None:
        names = "|".join(map(re.escape, keys))
        pattern = _ARRAYS[keys] = re.compile(
            rf"^({names}) = \[\n((?:[ \t][^\n]*\n)*?)\]$", re.MULTILINE
        )
    return pattern.sub(lambda m: f"{m.group(1)} = []" + "\n" * (m.group(2).count("\n") + 1), text)


_ARRAYS: dict[tuple[str, ...], re.Pattern[str]] = {}


def load_toml(data: bytes, shown: str, skip_arrays: tuple[str, ...] = ()) -> dict[str, Any]:
    """Parse TOML bytes, reporting syntax errors as ``FILE:LINE: invalid TOML: ...``.

    :param skip_arrays: keys whose multi-line arrays are read as empty (:func:`without_arrays`).
    """
    text = decode_utf8(data, shown)
    if skip_arrays:
        text = without_arrays(text, skip_arrays)
    return loads(text, shown)


def loads(text: str, shown: str) -> dict[str, Any]:
    """Parse TOML text: the plain subset without tomllib, anything else with it."""
    from driftcheck import toml_subset

    plain = toml_subset.loads(text)
    if plain is not None:
        return plain
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]
    try:
        parsed: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = _LINE().search(message)
        detail = message.split(" (at ")[0]
        raise LockfileError(
            shown, f"invalid TOML: {detail}", line=int(match.group(1)) if match else None
        ) from None
    return parsed


def array_table_lines(text: str, table: str) -> list[int]:
    """For each ``[[table]]`` in order, the 1-based line of its ``name = …`` key.

    Falls back to the header's own line for an entry without a name. Cheap: one scan
    of the text, no TOML parse.
    """
    header = re.compile(rf"^\[\[{re.escape(table)}\]\][ \t]*(?:#.*)?$", re.MULTILINE)
    name_key = re.compile(r"^name\s*=", re.MULTILINE)
    starts = [m.start() for m in header.finditer(text)]
    lines = []
    line, counted = 1, 0  # newlines are counted once, front to back
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(text)
        name_at = name_key.search(text, start, end)
        pos = name_at.start() if name_at else start
        line += text.count("\n", counted, pos)
        counted = pos
        lines.append(line)
    return lines
