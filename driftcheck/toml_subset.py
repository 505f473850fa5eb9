"""A reader for the plain subset of TOML that lockers and most pyproject.toml files use.

Importing ``tomllib`` costs more than a small check's whole walk (it imports ``typing``,
``datetime`` and ``string``), and it is pure Python on every interpreter. This reads the
subset that covers nearly every real ``pyproject.toml`` and lock header: comments; bare,
quoted and dotted keys; table and array-of-tables headers; basic strings (with the usual
escapes), literal strings, decimal integers, booleans, arrays and inline tables.

:func:`loads` returns exactly what ``tomllib.loads`` returns, or ``None`` whenever the
text holds anything else, or anything ``tomllib`` might reject (a duplicate key, a
redefined table, a control character, a multi-line string, a float or a date...). On
``None`` the caller parses with ``tomllib``, which also words any error.
``tests/test_toml_subset.py`` holds the two equal on generated documents.
"""

from __future__ import annotations

import re

from driftcheck.patterns import lazy
from driftcheck.records import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["ARRAY_STRING_CHARS", "STRING_CHARS", "loads", "quoted", "skipped_end"]

_KEY = re.compile(r"[A-Za-z0-9_-]+")
_BASIC = re.compile(r'"([^"\\\x00-\x08\x0a-\x1f\x7f]*)"')
_BASIC_PART = lazy(r'[^"\\\x00-\x08\x0a-\x1f\x7f]*')
_LITERAL = lazy(r"'([^'\x00-\x08\x0a-\x1f\x7f]*)'")
_INT = re.compile(r"[+-]?(?:0|[1-9][0-9]{0,17})(?=[ \t,\]}#\n]|$)")
_BOOL = re.compile(r"(?:true|false)(?=[ \t,\]}#\n]|$)")
_LINE_END = re.compile(r"[ \t]*(?:#[^\x00-\x08\x0a-\x1f\x7f]*|)(?:\n|$)")
FAST_FROM = 32768  # characters; tests set it to 0
# The commonest lines of a lock, read by one match each: ``key = "plain string"``,
# ``key = true`` and ``key = ["plain", "strings"]`` (on one line or several, without
# comments), and table headers.
_SIMPLE_LINE = lazy(
    r'([A-Za-z0-9_-]+)[ \t]*=[ \t]*(?:"([^"\\\x00-\x08\x0a-\x1f\x7f]*)"|(true|false)'
    r'|(\[[ \t\n]*(?:"[^"\\\x00-\x1f\x7f]*"[ \t\n]*,[ \t\n]*)*'
    r'(?:"[^"\\\x00-\x1f\x7f]*"[ \t\n]*|)\]))'
    r"[ \t]*(?:#[^\x00-\x08\x0a-\x1f\x7f]*|)(?:\n|$)"
)
# A run of lines in the layout lockers write, ``key = "plain string"``, ``key = true`` or
# ``key = ["plain", "strings"]`` with single spaces and nothing after, matched whole; its
# statements are then read by one ``findall``. Two calls for a package's run of lines
# rather than a few per line (anything else on a line ends the run).
# A basic string's characters without escapes (TOML forbids control characters but
# tabs), and the same in an array (where tabs are left to the general path); also for
# the lock formats' readers of one table.
STRING_CHARS = r'[^"\\\x00-\x08\x0a-\x1f\x7f]*'
ARRAY_STRING_CHARS = r'[^"\\\x00-\x1f\x7f]*'
_ONE_VALUE = (
    rf'"{STRING_CHARS}"|\[(?:"{ARRAY_STRING_CHARS}", )*(?:"{ARRAY_STRING_CHARS}"|)\]|true|false'
)
_RUN = lazy(rf"(?:[A-Za-z0-9_-]+ = (?:{_ONE_VALUE})\n)+")
_RUN_ITEM = lazy(rf"([A-Za-z0-9_-]+) = ({_ONE_VALUE})\n")
_SIMPLE_HEADER = lazy(r"(\[?)\[([A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*)\](\]?)[ \t]*(?:\n|$)")
_UNINDENTED = lazy(r"\n[^ \t]")  # a line that does not start with a space or a tab
_GAP = lazy(r"(?:[ \t\n]+|#[^\x00-\x08\x0a-\x1f\x7f]*)*")  # in arrays
# An array of plain strings (dependency lists), matched whole; its strings found after.
_STRING_ARRAY = re.compile(
    r'\[(?:[ \t\n]*"[^"\\\x00-\x08\x0a-\x1f\x7f]*"[ \t\n]*,)*'
    r'(?:[ \t\n]*"[^"\\\x00-\x08\x0a-\x1f\x7f]*"|)[ \t\n]*\]'
)
_IN_QUOTES = re.compile(r'"([^"]*)"')
_MAX_DEPTH = 100  # driftcheck.nesting.MAX_DEPTH (that module is not needed on this path)
_HEX = frozenset("0123456789abcdefABCDEF")
_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}


def _skip_ws(text: str, pos: int) -> int:
    """The position after the spaces and tabs at ``pos``."""
    while text[pos : pos + 1] in _BLANKS:
        pos += 1
    return pos


_BLANKS = frozenset(" \t")  # ("" is not in it: the loop stops at the end of the text)


class _Outside(Exception):
    """The text is outside the subset: the caller asks tomllib."""


def loads(
    text: str,
    skip: tuple[str, ...] = (),
    package: Callable[[str], dict[str, object] | None] | None = None,
) -> dict[str, object] | None:
    """``tomllib.loads(text)``, or ``None`` when ``text`` is outside the subset.

    :param skip: keys whose multi-line arrays are read as empty without being parsed:
        each statement ``KEY = [`` that fills its line, its items on indented lines,
        and its ``]`` alone at the start of the last (in a text without multi-line
        strings). Lockers write one such array of file hashes per package: most of the
        file, and nothing driftcheck reads.
    :param package: the lock format's reader of one ``[[package]]`` table in its
        locker's layout: the text after the header, to the next one. It returns the
        table (with the ``skip`` arrays empty), or ``None`` for anything else, which
        is then read here. Used with ``skip``, on large texts.
    """
    if "\r" in text:
        # Outside multi-line strings (which are not read here), a CR is only valid as
        # part of a CRLF newline.
        text = text.replace("\r\n", "\n")
        if "\r" in text:
            return None
    try:
        if skip and ('"""' in text or "'''" in text):
            skip = ()  # (a line of a multi-line string could look like an array's end)
        if package is not None and skip and len(text) >= FAST_FROM:
            found = _by_packages(text, skip, package)
            if found is not None:
                return found
        return _Document(text, skip).parse()
    except _Outside:
        return None


_PACKAGE = "\n[[package]]\n"
_AFTER_PACKAGES = lazy(r"\n\[(?!package\.)")  # (the first table after the packages')


def _by_packages(
    text: str, skip: tuple[str, ...], package: Callable[[str], dict[str, object] | None]
) -> dict[str, object] | None:
    """The document, its ``[[package]]`` tables read one by one by ``package`` (see
    :func:`loads`), or ``None`` when they cannot be read apart from the rest."""
    first = text.find(_PACKAGE)
    if first == -1:
        return None
    parts = text[first + len(_PACKAGE) :].split(_PACKAGE)
    trailer = ""
    cut = _AFTER_PACKAGES().search(parts[-1])
    if cut is not None:
        parts[-1], trailer = parts[-1][: cut.start() + 1], parts[-1][cut.start() + 1 :]
    try:
        head = _Document(text[: first + 1], skip).parse()
        tail = _Document(trailer, skip).parse()
    except _Outside:
        return None
    if "package" in head or "package" in tail or not head.keys().isdisjoint(tail):
        return None  # (one table defined in two places: the whole text decides)
    tables = []
    for part in parts:
        table = package(part)
        if table is None:
            try:
                whole = _Document("[[package]]\n" + part, skip).parse()
            except _Outside:
                return None
            found = whole.get("package")
            if len(whole) != 1 or type(found) is not list or len(found) != 1:
                return None
            table = found[0]
        tables.append(table)
    return {**head, "package": tables, **tail}


def skipped_end(text: str, start: int) -> int | None:
    """For an array to skip whose first item's line starts at ``start``: the position
    after its ``]``, or ``None`` when it is not laid out as :func:`loads` describes."""
    close = text.find("\n]", start - 1)
    after = close + 2
    if (
        close == -1
        or _UNINDENTED().search(text, start - 1, close + 1) is not None
        or (after != len(text) and text[after] != "\n")
    ):
        return None
    return after


def quoted(items: str) -> list[str]:
    """The strings of an array's items, for a text of plain strings (no escapes)."""
    return _IN_QUOTES.findall(items)


class _Document:
    __slots__ = ("aot", "defined", "depth", "dotted", "implicit", "skip", "text")

    def __init__(self, text: str, skip: tuple[str, ...] = ()) -> None:
        self.text = text
        self.skip = tuple(f"{key} = [\n" for key in skip)  # openings of arrays read as empty
        self.implicit: set[int] = set()  # tables a header created on its way
        self.defined: set[int] = set()  # tables a header named
        self.aot: set[int] = set()  # arrays of tables
        self.dotted: set[int] = set()  # tables dotted keys created in this section
        self.depth = 0  # arrays and inline tables open around the value being read

    def parse(self) -> dict[str, object]:
        text, size = self.text, len(self.text)
        # The one-match forms of common lines pay for their compiling on a lock, not on
        # a pyproject.toml.
        fast = size >= FAST_FROM
        header_match = _SIMPLE_HEADER().match if fast else None
        line_match = _SIMPLE_LINE().match if fast else None
        run_match = _RUN().match if fast else None
        run_items = _RUN_ITEM().findall if fast else None
        root: dict[str, object] = {}
        table = root
        pos = 0
        while True:
            if pos >= size:
                return root
            c = text[pos]
            if c == " " or c == "\t":  # (most lines start with their key: no call)
                pos = _skip_ws(text, pos)
                if pos >= size:
                    return root
                c = text[pos]
            if c == "\n":  # a blank line
                pos += 1
                continue
            if c == "[":
                header = header_match(text, pos) if header_match is not None else None
                if header is not None and len(header.group(1)) == len(header.group(3)):
                    path = header.group(2).split(".")
                    if header.group(1):
                        table = self._array_table(root, path)
                    else:
                        table = self._table(root, path)
                    self.dotted = set()
                    pos = header.end()
                    continue
                if text.startswith("[[", pos):
                    path, pos = self._header(pos + 2, "]]")
                    table = self._array_table(root, path)
                else:
                    path, pos = self._header(pos + 1, "]")
                    table = self._table(root, path)
                self.dotted = set()
            elif c != "#":
                run = run_match(text, pos) if run_match is not None else None
                if run is not None:
                    run_end = run.end()
                    for key, value in run_items(text, pos, run_end):  # type: ignore[misc]
                        if key in table:
                            raise _Outside  # a duplicate key
                        first = value[0]
                        if first == '"':
                            table[key] = value[1:-1]
                        elif first == "[":
                            table[key] = _IN_QUOTES.findall(value)
                        else:
                            table[key] = value == "true"
                    pos = run_end
                    # What follows a run is most often an array to skip (a package's
                    # files): read it here, with no failed match first.
                    if self.skip and text.startswith(self.skip, pos):
                        after = self._skip_end(pos)
                        if after is not None:
                            self._set_empty(table, text[pos : text.index(" ", pos)])
                            pos = after
                    continue
                simple = line_match(text, pos) if line_match is not None else None
                if (
                    simple is not None
                    and simple.group(4) is not None
                    and self.skip
                    and text.startswith(self.skip, pos)
                    and (pos == 0 or text[pos - 1] == "\n")
                ):
                    simple = None  # an array to skip: read as below, not parsed
                if simple is not None:
                    key, string, boolean, array = simple.groups()
                    if key in table:
                        raise _Outside  # a duplicate key
                    if string is not None:
                        table[key] = string
                    elif boolean is not None:
                        table[key] = boolean == "true"
                    else:
                        table[key] = _IN_QUOTES.findall(array)
                    pos = simple.end()
                    continue
                if (
                    self.skip
                    and text.startswith(self.skip, pos)
                    and (pos == 0 or text[pos - 1] == "\n")
                ):
                    pos = self._skipped_array(pos, table)
                else:
                    pos = self._key_value(pos, table, self.dotted)
            end = _LINE_END.match(text, pos)
            if end is None:
                raise _Outside
            pos = end.end()

    def _skipped_array(self, pos: int, table: dict[str, object]) -> int:
        """Read ``KEY = [`` ... ``]`` at ``pos`` as ``KEY = []``, or parse it as usual when
        it is not laid out as :func:`loads` describes."""
        after = self._skip_end(pos)
        if after is None:
            return self._key_value(pos, table, self.dotted)
        self._set_empty(table, self.text[pos : self.text.index(" ", pos)])
        return after

    def _skip_end(self, pos: int) -> int | None:
        """The end of the array to skip opened at ``pos`` (one of ``self.skip``, at the
        start of a line), or ``None`` when it is not laid out as :func:`loads` describes."""
        return skipped_end(self.text, self.text.index("\n", pos) + 1)

    @staticmethod
    def _set_empty(table: dict[str, object], key: str) -> None:
        if key in table:
            raise _Outside  # a duplicate key
        table[key] = []

    # --- keys and tables ---------------------------------------------------------------

    def _key(self, pos: int) -> tuple[list[str], int]:
        text = self.text
        parts = []
        while True:
            match = _KEY.match(text, pos)
            if match is not None:
                parts.append(match.group())
                pos = match.end()
            elif text.startswith(('"', "'"), pos):  # a quoted key: "tests/*" = [...]
                key, pos = self._value(pos)
                parts.append(key)  # type: ignore[arg-type]
            else:
                raise _Outside  # no key
            if not text.startswith(".", pos):
                return parts, pos
            pos += 1

    def _header(self, pos: int, close: str) -> tuple[list[str], int]:
        pos = _skip_ws(self.text, pos)
        path, pos = self._key(pos)
        pos = _skip_ws(self.text, pos)
        if not self.text.startswith(close, pos):
            raise _Outside
        return path, pos + len(close)

    def _descend(self, root: dict[str, object], path: list[str]) -> dict[str, object]:
        """The table that holds ``path[-1]``, creating the tables on the way."""
        table = root
        for key in path[:-1]:
            child = table.get(key)
            if child is None:
                child = table[key] = {}
                self.implicit.add(id(child))
            elif type(child) is list and id(child) in self.aot:
                child = child[-1]
            elif type(child) is not dict or (
                id(child) not in self.implicit and id(child) not in self.defined
            ):
                raise _Outside
            table = child
        return table

    def _table(self, root: dict[str, object], path: list[str]) -> dict[str, object]:
        parent = self._descend(root, path)
        existing = parent.get(path[-1])
        if existing is None:
            table: dict[str, object] = {}
            parent[path[-1]] = table
        elif type(existing) is dict and id(existing) in self.implicit:
            table = existing
            self.implicit.discard(id(table))
        else:
            raise _Outside  # a table defined twice, or over a value
        self.defined.add(id(table))
        return table

    def _array_table(self, root: dict[str, object], path: list[str]) -> dict[str, object]:
        parent = self._descend(root, path)
        existing = parent.get(path[-1])
        table: dict[str, object] = {}
        if existing is None:
            array = [table]
            parent[path[-1]] = array
            self.aot.add(id(array))
        elif type(existing) is list and id(existing) in self.aot:
            existing.append(table)
        else:
            raise _Outside
        self.defined.add(id(table))
        return table

    def _key_value(self, pos: int, table: dict[str, object], dotted: set[int]) -> int:
        """Read ``key = value`` into ``table``; ``dotted``: tables dotted keys made here."""
        text = self.text
        path, pos = self._key(pos)
        pos = _skip_ws(text, pos)
        if not text.startswith("=", pos):
            raise _Outside
        pos = _skip_ws(text, pos + 1)
        value, pos = self._value(pos)
        for key in path[:-1]:
            child = table.get(key)
            if child is None:
                child = table[key] = {}
                dotted.add(id(child))
            elif type(child) is not dict or id(child) not in dotted:
                raise _Outside
            table = child
        if path[-1] in table:
            raise _Outside  # a duplicate key
        table[path[-1]] = value
        return pos

    # --- values ------------------------------------------------------------------------

    def _value(self, pos: int) -> tuple[object, int]:
        text = self.text
        c = text[pos : pos + 1]
        if c == '"':
            if text.startswith('"""', pos):
                raise _Outside
            match = _BASIC.match(text, pos)
            if match is not None:
                return match.group(1), match.end()
            return self._escaped(pos)
        if c == "'":
            if text.startswith("'''", pos):
                raise _Outside
            match = _LITERAL().match(text, pos)
            if match is None:
                raise _Outside
            return match.group(1), match.end()
        if c == "[" or c == "{":
            # (deep nesting is tomllib's to refuse, with driftcheck's bound and message)
            self.depth += 1
            if self.depth > _MAX_DEPTH:
                raise _Outside
            value, pos = self._array(pos + 1) if c == "[" else self._inline_table(pos + 1)
            self.depth -= 1
            return value, pos
        match = _BOOL.match(text, pos)
        if match is not None:
            return match.group() == "true", match.end()
        match = _INT.match(text, pos)
        if match is not None:
            return int(match.group()), match.end()
        raise _Outside  # a float, a date, inf, nan, a hex integer, or no value

    def _escaped(self, pos: int) -> tuple[str, int]:
        """A basic string with backslash escapes (``pos`` at its opening quote)."""
        text = self.text
        pos += 1
        out = []
        while True:
            match = _BASIC_PART().match(text, pos)
            out.append(match.group())  # type: ignore[union-attr]
            pos = match.end()  # type: ignore[union-attr]
            c = text[pos : pos + 1]
            if c == '"':
                return "".join(out), pos + 1
            if c != "\\":
                raise _Outside  # a control character, or the end of the text
            kind = text[pos + 1 : pos + 2]
            if kind in _ESCAPES:
                out.append(_ESCAPES[kind])
                pos += 2
            elif kind in ("u", "U"):
                width = 4 if kind == "u" else 8
                digits = text[pos + 2 : pos + 2 + width]
                if len(digits) != width or not _HEX.issuperset(digits):
                    raise _Outside
                point = int(digits, 16)
                if 0xD800 <= point <= 0xDFFF or point > 0x10FFFF:
                    raise _Outside
                out.append(chr(point))
                pos += 2 + width
            else:
                raise _Outside

    def _array(self, pos: int) -> tuple[list[object], int]:
        text = self.text
        plain = _STRING_ARRAY.match(text, pos - 1)
        if plain is not None:
            return _IN_QUOTES.findall(plain.group()), plain.end()
        items: list[object] = []
        while True:
            pos = _GAP().match(text, pos).end()  # type: ignore[union-attr]
            if text.startswith("]", pos):
                return items, pos + 1
            value, pos = self._value(pos)
            items.append(value)
            pos = _GAP().match(text, pos).end()  # type: ignore[union-attr]
            c = text[pos : pos + 1]
            if c == "]":
                return items, pos + 1
            if c != ",":
                raise _Outside
            pos += 1

    def _inline_table(self, pos: int) -> tuple[dict[str, object], int]:
        text = self.text
        table: dict[str, object] = {}
        dotted: set[int] = set()
        pos = _skip_ws(text, pos)
        if text.startswith("}", pos):
            return table, pos + 1
        while True:
            pos = self._key_value(pos, table, dotted)
            pos = _skip_ws(text, pos)
            c = text[pos : pos + 1]
            if c == "}":
                return table, pos + 1
            if c != ",":
                raise _Outside
            pos = _skip_ws(text, pos + 1)
