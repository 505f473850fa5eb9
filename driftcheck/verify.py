"""``--verify-files``: every installed file against its ``RECORD`` (read-only).

For each ``.dist-info`` this checks that ``METADATA`` exists and names the package its
folder names, that ``RECORD`` exists and parses, and that every file ``RECORD`` lists
with a hash still has that size and hash (files are streamed, never loaded whole).
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
        self.rows: list[tuple[str, str, str]] = []  # (absolute path, "algo=digest", size)
        self.problem: str | None = None
        self._read()

    def _read(self) -> None:
        path = os.path.join(self.dist.meta_dir, "RECORD")
        try:
            with open(path, encoding="utf-8", newline="") as file:
                rows = list(csv.reader(file))
        except FileNotFoundError:
            self.problem = "has no RECORD, so its files cannot be verified"
            return
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            self.problem = f"unreadable RECORD: {getattr(exc, 'strerror', None) or exc}"
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
            self.rows.append((os.path.normpath(os.path.join(self.site, name)), digest, size))


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


def _file_problem(path: str, digest: str, size: str) -> str | None:
    """``"missing"`` or ``"changed"`` for one RECORD row with a hash, else ``None``."""
    try:
        with open(path, "rb") as file:
            if size and os.fstat(file.fileno()).st_size != int(size):
                return "changed"
            algorithm, _, expected = digest.partition("=")
            try:
                hasher = hashlib.new(algorithm)
            except ValueError:
                return "changed"  # a hash nothing can check is not a match
            while chunk := file.read(_CHUNK):
                hasher.update(chunk)
    except FileNotFoundError:
        return "missing"
    except IsADirectoryError:
        return "changed"
    except OSError:
        return "unreadable"
    actual = base64.urlsafe_b64encode(hasher.digest()).rstrip(b"=").decode()
    return None if actual == expected.rstrip("=") else "changed"


def _added(records: Sequence[_Record]) -> dict[int, list[str]]:
    """Files no RECORD lists, in directories that hold a package's files, per record."""
    known: set[str] = set()
    covered: set[str] = set()  # every directory on the way to a recorded file
    owner: dict[str, int] = {}  # directory holding recorded files -> first record's index
    for index, record in enumerate(records):
        meta = os.path.normpath(record.dist.meta_dir)
        for path, _, _ in record.rows:
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


def verify_files(installed: Iterable[InstalledDist]) -> list[Finding]:
    """A ``modified`` finding for each dist whose files differ from its RECORD."""
    installed = list(installed)
    records = [_Record(d) for d in installed if d.layout == "dist-info" and not d.problem]
    added = _added(records)
    findings = [
        Finding(kind="modified", name=d.name, reason=d.problem, installed=d)
        for d in installed
        if d.problem
    ]
    for index, record in enumerate(records):
        dist = record.dist
        problems = [p for p in (_metadata_problem(dist), record.problem) if p]
        files: list[tuple[str, str]] = []
        for path, digest, size in record.rows:
            if digest:
                status = _file_problem(path, digest, size)
                if status:
                    files.append((_relative(path, record.site), status))
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
