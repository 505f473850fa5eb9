"""A targeted pylock.toml reader for the layout ``uv export --format pylock.toml`` writes.

A 5,000-package pylock.toml is mostly inline tables of wheels. The full read (a TOML
parse, then :meth:`packaging.pylock.Pylock.from_dict`, which checks every wheel's file
name, then :meth:`~packaging.pylock.Pylock.select`) spends nearly all its time on them,
and importing ``packaging.pylock`` alone costs more than a small check (it imports
``packaging.markers``, ``tags``, ``dataclasses`` and ``logging``).

Here each package block in uv's layout is read by one regular expression, which also
checks the TOML shape of each file table; each wheel's file name is checked against the
package's name and version as ``from_dict`` checks it; and :func:`select` picks the
packages as ``Pylock.select`` does, with driftcheck's marker evaluator and without
``packaging`` where the lock is in the plain shape lockers write. The target's wheel
tags are computed only where they decide something: a package with an index and an
sdist installs from that index whatever its wheels. In a text of printable ASCII
without backslashes (most locks), strings are matched by a simpler class than TOML's
(see :func:`_plain`): ``re`` checks a character set one call per character.

Anything outside that layout, or that the checks here are not sure of, makes
:func:`read` or :func:`select` return ``None``: the caller reads the file the full way,
which also words any error. ``tests/test_pylock_fast.py`` holds the two equal.
"""

from __future__ import annotations

import re

from driftcheck import toml_subset
from driftcheck.lockfiles.uv_fast import _S
from driftcheck.markers import (
    GROUP,
    compile_marker,
    normalised_version,
    plain_releases,
    specifier_contains,
)
from driftcheck.names import canonicalize_name, separated_runs
from driftcheck.patterns import lazy
from driftcheck.records import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Any

__all__ = ["Read", "read", "select"]

_HEADER = "\n[[packages]]\n"
# A TOML offset or local date-time as tomllib reads it (days past the 28th are checked
# against the calendar separately, over the whole text at once).
_DT = (
    r"[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
    r"T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]+|)"
    r"(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9]|)"
)
# The characters of a basic string in a *plain* text (see :func:`_plain`), where no
# character but ``"`` can end one: within one line, and in a wheel line, whose matches
# are counted against its lines, any character but ``"``.
_PLAIN_S, _PLAIN_LINE_S = r'[^"\n]', r'[^"]'
_PRINTABLE = bytes(range(0x20, 0x7F)) + b"\t\n"


def _plain(raw: bytes) -> bool:
    """Whether ``raw`` has only printable ASCII, tabs and newlines, and no backslash:
    then a basic string holds no escape and no character TOML forbids, and the patterns
    can take ``_PLAIN_S`` for ``_S`` (a simpler class, which ``re`` matches faster)."""
    return b"\\" not in raw and not raw.translate(None, _PRINTABLE)


def _file(s: str) -> str:
    """A file (sdist, wheel or archive) as uv writes it inline, each key at most once (a
    duplicate is a TOML error): its name, URL and path read by the three groups; one
    hash. ``s`` is the pattern of a string's characters."""
    return (
        rf'\{{ (?:name = "({s}+)", |)(?:url = "({s}+)", |)(?:path = "({s}+)", |)'
        rf"(?:upload-time = {_DT}, |)(?:size = (?:0|[1-9][0-9]*), |)"
        rf'hashes = \{{ [A-Za-z0-9_-]+ = "{s}+" \}} \}}'
    )


def _block_pattern(s: str) -> str:
    """A package block in uv's layout, ``s`` being the pattern of a string's
    characters. Its wheel list is taken whole here, and its lines checked (and read) by
    one more pattern."""
    string, file = rf'"({s}+)"', _file(s)
    return (
        rf"name = {string}\n"
        rf"(?:version = {string}\n|)"
        rf"(?:marker = {string}\n|)"
        rf"(?:requires-python = {string}\n|)"
        rf"(?:index = {string}\n|)"
        rf'(?:dependencies = \[((?:\{{ name = "{s}+" \}}(?:, \{{ name = "{s}+" \}})*|))\]\n|)'
        rf"(?:sdist = (){file}\n"
        rf"|directory = \{{ path = {string}(?:, editable = (true|false)|) \}}\n"
        rf'|vcs = \{{ type = "git", url = {string}(?:, requested-revision = "{s}+"|)'
        rf", commit-id = {string}(?:, subdirectory = {string}|) \}}\n"
        rf"|archive = \{{ url = {string}, (?:upload-time = {_DT}, |)(?:size = (?:0|[1-9][0-9]*), |)"
        rf'hashes = \{{ [A-Za-z0-9_-]+ = "{s}+" \}}(?:, subdirectory = {string}|) \}}\n|)'
        r"(?:wheels = \[(?:\n((?:    \{[^\n]*\n)+)|(\{[^\n]*\}))\]\n|)"
        rf"(?:marker = {string}\n|)"
        r"\n*\Z"
    )


_BLOCK, _PLAIN_BLOCK = lazy(_block_pattern(_S)), lazy(_block_pattern(_PLAIN_S))
_WHEEL_LINE = lazy(rf"^    {_file(_S)},$", re.MULTILINE)
_PLAIN_WHEEL_LINE = lazy(rf"^    {_file(_PLAIN_LINE_S)},$", re.MULTILINE)
_WHEEL = lazy(rf"{_file(_S)}(?:, |\Z)")
# URLs whose last path segment urllib's parse and unquote give unchanged: ASCII, a
# netloc without brackets, no percent-escapes, parameters, query or fragment.
_PLAIN_URLS = re.compile(
    r"(?:(?:https?|file)://[-A-Za-z0-9._~!$&'()*+,=:@]*/[-A-Za-z0-9._~!$&'()*+,=:@/]*\n)+"
)
_EXTRA_WORD = lazy(r"\bextra\b")


class _Outside(Exception):
    """Not something this reader is sure of: the full read decides."""


if TYPE_CHECKING:
    # How a package is installed: ("directory", path, editable), ("git", url, commit,
    # subdirectory), ("url", archive URL, subdirectory), or ("files", index, sdist's URL
    # or path or None, [(wheel's URL or path, its tags)] or None).
    Choice = tuple[Any, ...]
    # A package: (name, version or None, marker or None, requires-python or None, choice)
    Entry = tuple[str, str | None, str | None, str | None, Choice]


class Read(NamedTuple):
    """A pylock.toml read by :func:`read`."""

    extras: list[str]
    dependency_groups: list[str]
    default_groups: list[str] | None
    requires_python: str | None
    packages: list[Entry]
    offsets: list[int]  # where each package's block starts


def _filename(name: str | None, url: str | None, path: str | None) -> str:
    """``PackageWheel.filename`` / ``PackageSdist.filename`` for plain values."""
    if name:
        return name
    if path:
        return path.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    return _url_names([url or ""])[0]


def _url_names(urls: Sequence[str]) -> list[str]:
    """The file name at the end of each URL (one match for all of them)."""
    if _PLAIN_URLS.fullmatch("\n".join(urls) + "\n") is None:
        raise _Outside  # urllib decides
    return [url.rsplit("/", 1)[-1] for url in urls]


_TAGS: dict[str, str | None] = {}


def _tags(tags: str) -> str | None:
    """``tags`` lowercased, if ``parse_tag`` accepts it: three components, none empty,
    each interpreter an identifier."""
    parts = tags.split("-")
    if len(parts) != 3 or any("" in part.split(".") for part in parts):
        return None
    if not all(i.isidentifier() for i in parts[0].split(".")):
        return None
    return tags.lower()


def _name_part(name_part: str) -> str | None:
    """The canonical name in a wheel's name part, if ``parse_wheel_filename`` accepts it
    (ASCII only here)."""
    if (
        "__" in name_part
        or not name_part.isascii()
        or not name_part.replace(".", "").replace("_", "").isalnum()
    ):
        return None
    return canonicalize_name(name_part)


def _wheel_tags(filenames: Sequence[str], name: str, version: str) -> list[str]:
    """Each wheel's tags, lowercased, if ``parse_wheel_filename`` accepts each file name
    and finds the package's name and version in it."""
    out = []
    tags_of, known_part = _TAGS, None  # (the name part last found to be the package's)
    for filename in filenames:
        stem = filename[:-4] if filename[-4:] == ".whl" else ""
        try:
            name_part, wheel_version, tags = stem.split("-", 2)
        except ValueError:
            raise _Outside from None
        lowered = tags_of.get(tags, "")
        if lowered == "":
            lowered = tags_of[tags] = _tags(tags)  # (None with a build tag: packaging's)
        if name_part != known_part:
            if _name_part(name_part) != name:
                raise _Outside
            known_part = name_part
        if wheel_version != version or lowered is None:
            raise _Outside
        out.append(lowered)
    return out


def _wheels(lines: str | None, one_line: str | None, plain: bool) -> list[tuple[str, str, str]]:
    """The (name, URL, path) of each wheel, each ``""`` where absent; raises
    :class:`_Outside` unless every one is a file table in uv's form."""
    if lines is not None:
        files = (_PLAIN_WHEEL_LINE if plain else _WHEEL_LINE)().findall(lines)
        if len(files) != lines.count("\n"):  # (each match is one whole line)
            raise _Outside
        return files
    line = one_line or ""
    files, pos = [], 0
    for match in _WHEEL().finditer(line):
        if match.start() != pos:
            raise _Outside
        files.append(match.groups(""))
        pos = match.end()
    if pos != len(line) or line.endswith(", "):
        raise _Outside
    return files


def _marker_ok(marker: str) -> bool:
    """A valid marker for the lock-file context, in a form the evaluator reads as
    ``packaging`` does (``extra`` alone is not a lock-file variable)."""
    if _EXTRA_WORD().search(marker):
        return False
    try:
        compile_marker(marker)
    except ValueError:
        return False
    return True


def _block(block: str, pattern: re.Pattern[str], plain: bool) -> Entry:
    """The package of one block in uv's layout (``pattern``: :data:`_BLOCK`'s, or
    :data:`_PLAIN_BLOCK`'s in a plain text); raises :class:`_Outside` otherwise."""
    match = pattern.match(block)
    if match is None:
        raise _Outside
    (name, version, marker, requires, index, _deps, sdist, sdist_name, sdist_url, sdist_path,
     directory, editable, git, commit, git_subdirectory, archive, archive_subdirectory,
     wheel_lines, wheel_line, marker_after) = match.groups()  # fmt: skip
    if marker_after is not None:
        if marker is not None:
            raise _Outside  # a duplicate key
        marker = marker_after
    if marker is not None and not _marker_ok(marker):
        raise _Outside
    if requires is not None and specifier_contains(requires, "0") is None:
        raise _Outside  # (packaging reads it; from_dict checks it for every package)
    has_wheels = wheel_lines is not None or wheel_line is not None
    if directory is not None:
        choice: Choice = ("directory", directory, editable == "true")
    elif git is not None:
        choice = ("git", git, commit, git_subdirectory)
    elif archive is not None:
        choice = ("url", archive, archive_subdirectory)
    else:
        choice = ()
    has_files = sdist is not None or has_wheels
    if (choice and has_files) or not (choice or has_files):
        raise _Outside  # (from_dict raises)
    if choice:
        return (name, version, marker, requires, choice)
    if version is None:
        raise _Outside  # (packaging checks the version in each file name)
    sdist_at = None
    if sdist is not None:
        if not (sdist_url or sdist_path):
            raise _Outside  # (from_dict raises: a file needs a path or a URL)
        filename = _filename(sdist_name, sdist_url, sdist_path)
        stem = filename.removesuffix(".tar.gz") if filename.endswith(".tar.gz") else None
        if stem is None and filename.endswith(".zip"):
            stem = filename[:-4]
        name_part, _, version_part = (stem or "").rpartition("-")
        if not name_part or canonicalize_name(name_part) != name or version_part != version:
            raise _Outside
        sdist_at = sdist_url or sdist_path
    wheels = None
    if has_wheels:
        files = _wheels(wheel_lines, wheel_line, plain)
        names, urls, paths = zip(*files, strict=True) if files else ((), (), ())
        located = urls if all(urls) else [u or p for _, u, p in files]
        if not all(located):
            raise _Outside  # (from_dict raises: a file needs a path or a URL)
        filenames: Sequence[str]
        if all(names):
            filenames = names
        elif not any(names) and all(urls) and not any(paths):  # (as uv writes them)
            filenames = _url_names(urls)
        else:
            filenames = [_filename(n, u, p) for n, u, p in files]
        tags = _wheel_tags(filenames, name, version)
        wheels = list(zip(located, tags, strict=True))
    return (name, version, marker, requires, ("files", index, sdist_at, wheels))


def _late_days_valid(text: str) -> bool:
    """Every date-time's day past the 28th is in its month (tomllib rejects 02-30).

    The days are found by ``str.find`` (rare, and a pattern would try every digit)."""
    for day in (29, 30, 31):
        needle = f"-{day}T"
        at = text.find(needle)
        while at != -1:
            year, month = text[at - 7 : at - 3], text[at - 2 : at]
            if year.isdigit() and month.isdigit() and text[at - 3] == "-":
                y, m = int(year), int(month)
                leap = y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)
                if (m == 2 and (day > 29 or not leap)) or (day == 31 and m in (4, 6, 9, 11)):
                    return False
            at = text.find(needle, at + 4)
    return True


def _strings(value: object) -> list[str] | None:
    """``value`` if it is a list of strings (``None`` if absent); raises otherwise."""
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _Outside
    return value


def _normalized(names: list[str]) -> bool:
    """``packaging.utils.is_normalized_name`` of each name."""
    joined = "\n".join(names)
    return not names or (joined == joined.lower() and separated_runs(joined, "-", str.isalnum))


def read(text: str, raw: bytes | None = None) -> Read | None:
    """The lock in uv's layout, or ``None`` (read it the full way).

    :param raw: ``text`` encoded as read (``text`` is encoded again if not given)."""
    start = text.find(_HEADER)
    if start == -1 or "\r" in text or ("T" in text and not _late_days_valid(text)):
        return None
    header = toml_subset.loads(text[: start + 1])
    if (
        header is None
        or "packages" in header
        or "environments" in header
        or header.get("lock-version") != "1.0"
        or not isinstance(header.get("created-by"), str)
        or not isinstance(header.get("requires-python", ""), str)
        or not isinstance(header.get("tool", {}), dict)
    ):
        return None
    try:
        extras = _strings(header.get("extras")) or []
        groups = _strings(header.get("dependency-groups")) or []
        default_groups = _strings(header.get("default-groups"))
        packages = []
        offsets = []
        pos = start + len(_HEADER)
        plain = text.isascii() and _plain(text.encode() if raw is None else raw)
        pattern = (_PLAIN_BLOCK if plain else _BLOCK)()
        for block in text[pos:].split(_HEADER):
            whole = block if block.endswith("\n") else block + "\n"
            packages.append(_block(whole, pattern, plain))
            offsets.append(pos)
            pos += len(block) + len(_HEADER)
    except _Outside:
        return None
    if not _normalized([p[0] for p in packages] + extras) or not _normalized(default_groups or []):
        return None  # (a default group as written is matched against normalised names)
    versions = [p[1] for p in packages if p[1] is not None]
    if not plain_releases(versions) and not all(normalised_version(v) for v in versions):
        return None  # (packaging reads them, and gives their normal form)
    requires = header.get("requires-python")
    return Read(extras, groups, default_groups, requires, packages, offsets)  # type: ignore[arg-type]


def _best(wheels: list[tuple[str, str]], ranks: dict[str, int]) -> str | None:
    """The URL or path of the wheel the target ranks best (the first of equals), as
    ``create_compatible_tags_selector`` picks it; ``None`` if it accepts none."""
    best, best_rank = None, len(ranks)
    for where, tags in wheels:
        interpreters, abis, platforms = tags.split("-")
        for i in interpreters.split("."):
            for a in abis.split("."):
                for p in platforms.split("."):
                    rank = ranks.get(f"{i}-{a}-{p}", best_rank)
                    if rank < best_rank:
                        best, best_rank = where, rank
    return best


def select(
    lock: Read,
    evaluate: Callable[..., bool],
    python_full_version: str,
    tags: Callable[[], list[Any]],
    extras: set[str],
    groups: set[str] | None,
) -> list[tuple[int, str, str | None, Choice]] | None:
    """``Pylock.select``: each selected package as (its index, name, version, and how
    it installs, a wheel or sdist as ``("files", index or the file's URL or path)``);
    ``None`` where ``select`` would raise, or where the reader is not sure."""
    in_groups = (lock.default_groups or []) if groups is None else groups
    active = set(extras) | {GROUP + g for g in in_groups}
    if lock.requires_python is not None and (
        specifier_contains(lock.requires_python, python_full_version) is not True
    ):
        return None
    chosen: dict[str, int] = {}
    for i, (name, _, marker, requires, _) in enumerate(lock.packages):
        if marker is not None and not evaluate(marker, active):
            continue
        if requires is not None and specifier_contains(requires, python_full_version) is not True:
            return None
        if name in chosen:
            return None  # (select raises: two entries of one name)
        chosen[name] = i
    ranks: dict[str, int] | None = None
    out = []
    for i in chosen.values():
        name, version, _, _, choice = lock.packages[i]
        if choice[0] == "files":
            _, index, sdist, wheels = choice
            if wheels and not (index and sdist):
                if ranks is None:
                    ranks = {}
                    for rank, tag in enumerate(tags()):
                        ranks.setdefault(str(tag), rank)
                best = _best(wheels, ranks)
                if best is not None:
                    sdist = best
                elif sdist is None:
                    return None  # (select raises: no wheel for the target, no sdist)
            choice = ("files", index or sdist)
        out.append((i, name, version, choice))
    return out
