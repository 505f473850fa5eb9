"""A reader for conda-lock.yml files laid out as conda-lock writes them.

``yaml.safe_load`` builds every node of the file in Python, even through libyaml (a
5,000-package lock takes several times as long as the whole uv.lock check), and
importing ``yaml`` alone costs more than most checks. conda-lock writes one layout:
``version: 1``, an indented ``metadata:`` block, then ``package:`` and its entries as
``- name: …`` with one ``  key: value`` line per field and deeper lines for nested
fields. :func:`packages` reads the fields driftcheck uses from that layout:

- a value is taken only when YAML would certainly read it as the same string (or as
  ``true``/``false``): a single-quoted string without quotes inside, or a plain scalar
  of ordinary characters that none of YAML 1.1's implicit types (bool, null, int,
  float, timestamp) can match;
- nested blocks (``hash:``, ``dependencies:``) are not read, but each of their lines
  must be a ``    key: value`` of ordinary strings;
- anything else, anywhere (a comment after the header's, a tab, a flow collection
  where a field is read, a duplicate field, another top-level key, an unknown shape)
  returns ``None``, and the caller parses with yaml, which also words any error.

``tests/test_conda.py`` holds the two equal on every conda-lock.yml the tests write,
and on generated ones.
"""

from __future__ import annotations

import re

from driftcheck.records import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

__all__ = ["FIELDS", "packages"]

FIELDS = ("name", "version", "manager", "platform", "category", "optional", "url")
_WANTED = frozenset(FIELDS)
# "  key: value", "  key:" (nested lines follow), or the same after "- " (a new entry).
_FIELD = re.compile(r"(- |  )([A-Za-z_][A-Za-z0-9_-]*):(?: (.*)|)")
# A value not read: quoted, empty, or plain of ordinary characters (no timestamp, which
# yaml would turn into a date, or fail on; no merge key, no alias, no tag).
_SCALAR = r"(?:'[^'\n]*'|\[\]|\{\}|[A-Za-z][A-Za-z0-9._+=<>!*,/-]*|[0-9][0-9a-z.]*)"
_UNREAD = re.compile(_SCALAR)
# A line of a nested block, "    key: value".
_NESTED_LINE = rf"    [A-Za-z0-9_.-]+:(?: {_SCALAR}|)"
_NESTED = re.compile(_NESTED_LINE)
_QUOTED = re.compile(r"'([^'\n]*)'")
# An entry with conda-lock's fields in its order, each value read by _value; its nested
# blocks' lines as _NESTED allows them (after "dependencies:" or "hash:" alone).
_ENTRY_FIELDS = ("name", "version", "manager", "platform", "url", "category", "optional")
_NESTED_LINES = rf"(?:{_NESTED_LINE}\n)*"
_ENTRY = re.compile(
    r"- name: ([^\n]+)\n  version: ([^\n]+)\n  manager: ([^\n]+)\n  platform: ([^\n]+)\n"
    rf"  dependencies:(?: \{{\}}\n|\n{_NESTED_LINES})  url: ([^\n]+)\n  hash:\n{_NESTED_LINES}"
    r"  category: ([^\n]+)\n  optional: ([^\n]+)\n"
)
# Plain scalars of these characters, in the shapes checked in _plain, are strings.
_WORDY = re.compile(r"[A-Za-z][A-Za-z0-9._:/@%+=~!-]*")
_VERSIONY = re.compile(r"[0-9][0-9a-z.!+]*")
# What YAML 1.1 does not allow anywhere in a stream (yaml refuses it with an error).
_UNPRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_YAML_WORDS = frozenset(
    {
        "yes",
        "Yes",
        "YES",
        "no",
        "No",
        "NO",
        "true",
        "True",
        "TRUE",
        "false",
        "False",
        "FALSE",
        "on",
        "On",
        "ON",
        "off",
        "Off",
        "OFF",
        "y",
        "Y",
        "n",
        "N",
        "null",
        "Null",
        "NULL",
    }
)


def _plain(value: str) -> str | bool | None:
    """What YAML reads a plain scalar as, where that is certainly a string or a
    ``true``/``false``; ``None`` for anything that YAML should decide."""
    if value == "true" or value == "false":
        return value == "true"
    if value in _YAML_WORDS or ": " in value or value.endswith(":"):
        return None
    if _WORDY.fullmatch(value):
        return value  # a letter first: only the words above resolve to another type
    if _VERSIONY.fullmatch(value):
        # No "-", "_" or ":": no timestamp, sexagesimal or exponent. Two dots rule out
        # a float and an int; otherwise a letter (not a 0x / 0b prefix, no "+") does.
        if value.count(".") >= 2:
            return value
        if any(c.isalpha() for c in value) and "+" not in value and value[:2] not in ("0x", "0b"):
            return value
    return None


def _value(raw: str | None) -> str | bool | None:
    if raw is None:
        return None
    if raw.startswith("'"):
        quoted = _QUOTED.fullmatch(raw)
        return quoted.group(1) if quoted is not None else None
    return _plain(raw)


def packages(text: str) -> list[dict[str, Any]] | None:
    """The ``package`` entries with the fields in :data:`FIELDS` that each has, as
    ``yaml.safe_load`` reads them, or ``None`` where the text is not in the layout."""
    start = 0
    while text.startswith("#", start):  # the header conda-lock writes
        start = text.find("\n", start) + 1
        if start == 0:
            return None
    body = text[start:]
    if (
        not body.startswith("version: 1\n")
        or "\t" in body
        or "\r" in body
        or "#" in body
        or _UNPRINTABLE.search(text) is not None
    ):
        return None
    # The lines up to "package:" (the metadata's are indented: the first such line ends it).
    cut = body.find("\npackage:\n")
    if cut == -1:
        return None
    lines = body[: cut + 1].split("\n")
    lines[-1] = "package:"
    end: int | None = 1
    if len(lines) > 1 and lines[1] == "metadata:":
        end = _metadata_end(lines, 2)
    if end != len(lines) - 1:
        return None  # (the metadata block must end at the "package:" line)
    seen: dict[str | None, str | bool | None] = {}  # values read before ("pip", "main"...)
    # Entries in conda-lock's own order of fields: one match each. From the first that
    # is not, line by line.
    pos = cut + len("\npackage:\n")
    out: list[dict[str, Any]] = []
    entry_match = _ENTRY.match
    while True:
        fields = entry_match(body, pos)
        if fields is None:
            break
        values = [seen[raw] if raw in seen else _remember(seen, raw) for raw in fields.groups()]
        if None in values:
            return None
        out.append(dict(zip(_ENTRY_FIELDS, values, strict=True)))
        pos = fields.end()
    entry: dict[str, Any] | None = None
    opened = False  # the field above has no value on its line: a nested block follows
    field_match, nested_match = _FIELD.match, _NESTED.fullmatch
    rest = body[pos:].split("\n")
    if rest[-1] == "":
        rest.pop()
    for line in rest:
        if line == "":
            continue
        if line.startswith("  ", 2):  # a nested field's line (hash:, dependencies:)
            if not opened or nested_match(line) is None:
                return None
            continue
        field = field_match(line)
        if field is None or field.end() != len(line):
            return None
        lead, key, raw = field.groups()
        if lead == "- ":
            entry = {}
            out.append(entry)
        elif entry is None:
            return None
        opened = raw is None
        if key in _WANTED:
            value = seen.get(raw)
            if value is None:
                value = seen[raw] = _value(raw)
            if value is None or key in entry:
                return None  # (YAML keeps the last of a duplicate: let it decide)
            entry[key] = value
        elif raw is not None and _UNREAD.fullmatch(raw) is None:
            return None  # may run on over the lines below, or is not plain YAML
    return out or None


def _remember(seen: dict[str | None, str | bool | None], raw: str) -> str | bool | None:
    value = seen[raw] = _value(raw)
    return value


def _metadata_end(lines: list[str], i: int) -> int | None:
    """The index of the line after the ``metadata:`` block that starts at ``i``, if it is
    laid out as conda-lock writes it: fields, each a value, a nested mapping or a
    sequence (of values, or of mappings as ``  - key: value`` and ``    key: value``)."""
    # What the line before allows next: None (a field with its value), "nested" (a field
    # opened), "map" (in its nested mapping), "item" / "item-map" (in its list, after an
    # item that is a value / a mapping).
    below = None
    while i < len(lines) and (lines[i].startswith("  ") or lines[i] == ""):
        line = lines[i]
        i += 1
        if line == "":
            continue
        if line.startswith("  - "):
            if below not in ("nested", "item", "item-map"):
                return None
            item = _META_ITEM.fullmatch(line)
            if item is None:
                return None
            below = "item-map" if item.group(1) else "item"
        elif line.startswith("    "):
            if below == "nested":
                below = "map"
            elif below not in ("map", "item-map"):
                return None
            if _META_NESTED.fullmatch(line) is None:
                return None
        else:
            field = _META_FIELD.fullmatch(line)
            if field is None:
                return None
            below = "nested" if field.group(1) is None else None
    return i


_META_FIELD = re.compile(rf"  [A-Za-z0-9_.-]+:( {_SCALAR})?")
_META_ITEM = re.compile(rf"  - (?:([A-Za-z0-9_.-]+): )?{_SCALAR}")
_META_NESTED = re.compile(rf"    [A-Za-z0-9_.-]+: {_SCALAR}")
