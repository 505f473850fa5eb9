"""TOML loading with errors that name the file and line."""

from __future__ import annotations

import os
import re
import sys

from driftcheck.errors import LockfileError
from driftcheck.patterns import lazy
from driftcheck.records import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

__all__ = [
    "TableLines",
    "array_table_lines",
    "decode_utf8",
    "entry_offsets",
    "load_toml",
    "loads",
    "read_bytes",
]

_LINE = lazy(r"at line (\d+)")


def read_bytes(path: str | os.PathLike[str], shown: str, limit: int | None = None) -> bytes:
    """Read a whole input file (a regular file, at most ``limit`` bytes: by default
    :data:`driftcheck.files.LOCKFILE_LIMIT`), turning every failure into a LockfileError.

    A leading UTF-8 byte-order mark is dropped, as uv, pip and the lockers' own readers
    do (it changes no line number).
    """
    from driftcheck.files import LOCKFILE_LIMIT, Unreadable, read_regular

    try:
        data = read_regular(os.fspath(path), LOCKFILE_LIMIT if limit is None else limit)
    except Unreadable as exc:
        raise LockfileError(shown, exc.reason) from None
    return data[3:] if data[:3] == b"\xef\xbb\xbf" else data


_BOM = "\ufeff"


def decode_utf8(data: bytes, shown: str) -> str:
    """Decode an input file, reporting the first bad byte's line as ``FILE:LINE``.

    A leading byte-order mark is dropped, as uv, pip and the lockers' own readers do.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise LockfileError(shown, "not valid UTF-8", line=line) from None
    return text[1:] if text[:1] == _BOM else text


def load_toml(
    data: bytes, shown: str, skip_arrays: tuple[str, ...] = (), package: Any = None
) -> dict[str, Any]:
    """Parse TOML bytes, reporting syntax errors as ``FILE:LINE: invalid TOML: ...``.

    :param skip_arrays: keys whose multi-line arrays are read as empty, unparsed, where
        the reader of the plain subset answers (see :func:`driftcheck.toml_subset.loads`).
    :param package: the format's reader of one ``[[package]]`` table in its locker's
        layout (see :func:`driftcheck.toml_subset.loads`).
    """
    return loads(decode_utf8(data, shown), shown, skip_arrays, package)


def tomllib_module() -> Any:
    """``tomllib``, or ``tomli`` where the standard library has none (Python 3.10)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]
    return tomllib


def loads(
    text: str, shown: str, skip_arrays: tuple[str, ...] = (), package: Any = None
) -> dict[str, Any]:
    """Parse TOML text: the plain subset without tomllib, anything else with it.

    Input nested deeper than :data:`driftcheck.nesting.MAX_DEPTH` is refused before
    ``tomllib`` (which recurses once per level) sees it.
    """
    from driftcheck import toml_subset

    plain = toml_subset.loads(text, skip_arrays, package)
    if plain is not None:
        return plain
    from driftcheck.nesting import TooDeep, check_depth

    try:
        check_depth(text, "toml")
    except TooDeep as exc:
        raise LockfileError(shown, str(exc), line=exc.line) from None
    tomllib = tomllib_module()
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
    lines = []
    line, counted = 1, 0  # newlines are counted once, front to back
    for pos in entry_offsets(text, table):
        line += text.count("\n", counted, pos)
        counted = pos
        lines.append(line)
    return lines


def entry_offsets(text: str, table: str) -> list[int]:
    """Where each ``[[table]]``'s ``name = …`` key starts (or its header, without one).

    The headers are found by ``str.find`` (a multi-line regular expression tries every
    position of the text, several times slower on a large lock).
    """
    starts = _entry_starts(text, table)
    return [_name_offset(text, starts, i) for i in range(len(starts))]


def _entry_starts(text: str, table: str) -> list[int]:
    """Where each ``[[table]]`` header starts."""
    needle = f"[[{table}]]"
    rest = _HEADER_REST()
    starts = []
    pos = text.find(needle)
    while pos != -1:
        if (pos == 0 or text[pos - 1] == "\n") and rest.match(text, pos + len(needle)):
            starts.append(pos)
        pos = text.find(needle, pos + len(needle))
    return starts


def _name_offset(text: str, starts: list[int], i: int) -> int:
    """Where entry ``i``'s ``name = …`` key starts, or its header's start."""
    start = starts[i]
    end = starts[i + 1] if i + 1 < len(starts) else len(text)
    name_at = _NAME_KEY().search(text, start, end)
    return name_at.start() if name_at else start


_HEADER_REST = lazy(r"[ \t]*(?:#[^\n]*)?(?=\n|\Z)")
_NAME_KEY = lazy(r"^name\s*=", re.MULTILINE)


class TableLines:
    """The line of each ``[[table]]`` entry's name, counted only when asked for (most
    runs never need one, and counting the lines of a large lock is not free).

    :param offsets: where each entry's name statement starts in ``text``, if known;
        without them, the entries are found by a scan of the whole text on first use.
    """

    __slots__ = ("_counted", "_offsets", "_starts", "_table", "_text")

    def __init__(self, text: str, offsets: list[int] | None = None, table: str = "package"):
        self._text = text
        self._offsets = offsets
        self._starts: list[int] = []
        self._table = table
        self._counted: list[tuple[int, int]] = []  # (offset, line there)

    def of(self, index: int) -> int | None:
        if self._offsets is None:
            # (only the headers: the name key is searched for in the entries asked for)
            self._starts = _entry_starts(self._text, self._table)
            self._offsets = [-1] * len(self._starts)
        if index >= len(self._offsets):
            return None
        offset = self._offsets[index]
        if offset == -1:
            offset = self._offsets[index] = _name_offset(self._text, self._starts, index)
        # Count on from the nearest offset counted before (a few findings ask).
        at, line = max((p for p in self._counted if p[0] <= offset), default=(0, 1))
        line += self._text.count("\n", at, offset)
        self._counted.append((offset, line))
        return line

    def checked(self, entries: list[Any], check: Callable[[Any, int], Any]) -> list[Any]:
        """``check(entry, index)`` of each entry; an error it raises gets the entry's line."""
        out = []
        for i, entry in enumerate(entries):
            try:
                out.append(check(entry, i))
            except LockfileError as exc:
                raise self.place(exc, i) from None
        return out

    def place(self, error: LockfileError, index: int) -> LockfileError:
        """``error``, raised while checking entry ``index``, with that entry's line."""
        if error.line is None:
            error.line = self.of(index)
            error.args = (error._render(),)
        return error
