"""``--verify-files``: every installed file against its ``RECORD`` (read-only).

For each ``.dist-info`` this checks that ``METADATA`` exists and names the package its
folder names, that ``RECORD`` exists and parses, and that every file ``RECORD`` lists
with a hash still has that size and hash (files are streamed, never loaded whole).
Only regular files inside the environment are opened: a ``RECORD`` path that is
absolute or leads outside the environment's prefix is ``outside-environment``, and a
FIFO, a device or a directory is ``not-a-file``, each reported and never read.
Files ``RECORD`` lists without a hash (the ``RECORD`` itself, ``.pyc`` files some
installers compile) are only known, not checked. A file that no ``RECORD`` in the
environment lists, inside a directory that holds the package's files, is reported as
added; ``__pycache__`` directories are Python's own and skipped.

Legacy ``.egg-info`` installs have no hashes to check and are left out.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import os
from collections.abc import Iterable, Sequence

from driftcheck.models import Finding, InstalledDist
from driftcheck.names import canonicalize_name

__all__ = ["verify_files"]

_CHUNK = 1 << 20
_SHOWN = 3  # files named in a finding's one-line reason; the JSON lists all


class _Record:
    """One dist's RECORD: its files, and the problems found reading it."""

    def __init__(self, dist: InstalledDist) -> None:
        self.dist = dist
        self.site = os.path.dirname(dist.meta_dir)
        # (absolute path, "algo=digest", size, the path as RECORD writes it)
        self.rows: list[tuple[str, str, str, str]] = []
        self.problem: str | None = None
        self._read()

    def _read(self) -> None:
        from driftcheck.files import Unreadable

        try:
            text = self.dist.read_bytes("RECORD").decode("utf-8")
        except Unreadable as exc:
            self.problem = (
                "has no RECORD, so its files cannot be verified"
                if exc.code == "missing"
                else f"RECORD {exc.reason}"
            )
            return
        except UnicodeDecodeError:
            self.problem = "unreadable RECORD: not valid UTF-8"
            return
        try:
            rows = list(csv.reader(io.StringIO(text, newline="")))
        except csv.Error as exc:
            self.problem = f"unreadable RECORD: {exc}"
            return
        for number, row in enumerate(rows, 1):
            if not row:
                continue
            if len(row) != 3:
                self.problem = f"RECORD line {number}: expected 3 fields, found {len(row)}"
                return
            name, digest, size = row
            if digest and ("=" not in digest or (size and not size.isdigit())):
                self.problem = f"RECORD line {number}: invalid hash or size"
                return
            # An absolute name stays absolute (and is outside the environment).
            path = os.path.normpath(os.path.join(self.site, name))
            self.rows.append((path, digest, size, name))


def _metadata_problem(dist: InstalledDist) -> str | None:
    text = dist.read_text("METADATA")
    if text is None:
        return "has no readable METADATA"
    from email.parser import HeaderParser

    name = HeaderParser().parsestr(text.split("\n\n", 1)[0]).get("Name")
    if not name:
        return "METADATA has no Name"
    if canonicalize_name(name) != dist.name:
        return f"METADATA names {name!r}, but its folder is {os.path.basename(dist.meta_dir)}"
    return None


class _Jail:
    """The environment's prefix, which every file hashed must lie in, symlinks resolved.

    Each directory is resolved once (a package's files share a few); a file that is
    itself a symlink is resolved by :func:`driftcheck.files.open_regular`.
    """

    def __init__(self, prefix: str) -> None:
        self.prefix = os.path.normpath(os.path.abspath(prefix))
        self.real = os.path.realpath(self.prefix)
        self._dirs: dict[str, bool] = {}

    def holds(self, path: str) -> bool:
        """``path`` lies in the prefix, through directories that stay in it."""
        return self.holds_directory(os.path.dirname(path))

    def holds_directory(self, directory: str) -> bool:
        from driftcheck.files import inside

        held = self._dirs.get(directory)
        if held is None:
            held = self._dirs[directory] = inside(directory, self.prefix) and inside(
                os.path.realpath(directory), self.real
            )
        return held


def _file_problem(path: str, digest: str, size: str, jail: _Jail) -> str | None:
    """The status of one RECORD row with a hash (``missing``, ``changed``,
    ``unreadable``, ``outside-environment``, ``not-a-file``), else ``None``."""
    from driftcheck.files import Unreadable, open_regular

    if not jail.holds(path):
        return "outside-environment"
    try:
        fd, info = open_regular(path, within=jail.real)
    except Unreadable as exc:
        return {
            "missing": "missing",
            "not-a-file": "not-a-file",
            "outside": "outside-environment",
        }.get(exc.code, "unreadable")
    try:
        if size and info.st_size != int(size):
            return "changed"
        algorithm, _, expected = digest.partition("=")
        try:
            hasher = hashlib.new(algorithm)
        except ValueError:
            return "changed"  # a hash nothing can check is not a match
        while chunk := os.read(fd, _CHUNK):
            hasher.update(chunk)
    except OSError:
        return "unreadable"
    finally:
        os.close(fd)
    actual = base64.urlsafe_b64encode(hasher.digest()).rstrip(b"=").decode()
    return None if actual == expected.rstrip("=") else "changed"


def _added(records: Sequence[_Record], jail: _Jail) -> dict[int, list[str]]:
    """Files no RECORD lists, in directories that hold a package's files, per record."""
    known: set[str] = set()
    covered: set[str] = set()  # every directory on the way to a recorded file
    owner: dict[str, int] = {}  # directory holding recorded files -> first record's index
    for index, record in enumerate(records):
        meta = os.path.normpath(record.dist.meta_dir)
        for path, _, _, _ in record.rows:
            known.add(path)
            parent = os.path.dirname(path)
            if not parent.startswith(record.site + os.sep) or parent.startswith(meta):
                continue  # scripts, headers, data: outside the package's own directories
            owner.setdefault(parent, index)
            while parent.startswith(record.site + os.sep) and parent not in covered:
                covered.add(parent)
                parent = os.path.dirname(parent)
    added: dict[int, list[str]] = {}
    for directory, index in sorted(owner.items()):
        if not jail.holds_directory(directory):  # (never list a directory outside)
            continue
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if entry.name == "__pycache__":
                continue
            path = os.path.normpath(entry.path)
            is_dir = entry.is_dir(follow_symlinks=False)
            if (is_dir and path not in covered) or (not is_dir and path not in known):
                added.setdefault(index, []).append(path + ("/" if is_dir else ""))
    return added


def _relative(path: str, site: str) -> str:
    """``path`` relative to site-packages, with ``/`` separators; a directory keeps its ``/``."""
    tail = "/" if path.endswith("/") else ""
    return os.path.relpath(path, site).replace(os.sep, "/") + tail


def verify_files(installed: Iterable[InstalledDist], prefix: str) -> list[Finding]:
    """A ``modified`` finding for each dist whose files differ from its RECORD.

    :param prefix: the environment's root: no file outside it is opened.
    """
    jail = _Jail(prefix)
    installed = list(installed)
    records = [_Record(d) for d in installed if d.layout == "dist-info" and not d.problem]
    added = _added(records, jail)
    findings = [
        Finding(kind="modified", name=d.name, reason=d.problem, installed=d)
        for d in installed
        if d.problem
    ]
    for index, record in enumerate(records):
        dist = record.dist
        problems = [p for p in (_metadata_problem(dist), record.problem) if p]
        files: list[tuple[str, str]] = []
        for path, digest, size, name in record.rows:
            if digest:
                status = _file_problem(path, digest, size, jail)
                if status:
                    files.append((name, status))  # (as RECORD names it)
        files += [(_relative(p, record.site), "added") for p in added.get(index, [])]
        if not problems and not files:
            continue
        parts = list(problems)
        if files:
            named = ", ".join(f"{path} ({status})" for path, status in files[:_SHOWN])
            more = f" and {len(files) - _SHOWN} more" if len(files) > _SHOWN else ""
            parts.append(f"{len(files)} file(s) differ from RECORD: {named}{more}")
        findings.append(
            Finding(
                kind="modified",
                name=dist.name,
                reason="; ".join(parts),
                installed=dist,
                files=tuple(files),
            )
        )
    return findings
