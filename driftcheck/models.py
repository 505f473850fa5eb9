"""The common model every lockfile reader produces and every reporter consumes."""

from __future__ import annotations

import os

from driftcheck.records import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from typing import Any, Literal

    from driftcheck.replacement import Replacement

    SourceKind = Literal["registry", "editable", "directory", "virtual", "path", "url", "git"]
    FindingKind = Literal["missing", "extraneous", "mismatched", "modified"]

__all__ = [
    "FINDING_KINDS",
    "REGISTRY",
    "Finding",
    "InstalledDist",
    "LockedPackage",
    "Report",
    "Source",
]

# "modified" comes only from --verify-files.
FINDING_KINDS: tuple[FindingKind, ...] = ("missing", "extraneous", "mismatched", "modified")


class Source(NamedTuple):
    """Where a locked package comes from.

    :param url: the index URL (registry), archive URL (url) or repository URL (git).
    :param path: the absolute local path for editable, directory, virtual and path sources.
    :param commit: the full commit id of a git source.
    """

    kind: SourceKind
    url: str | None = None
    path: str | None = None
    commit: str | None = None
    subdirectory: str | None = None

    @property
    def is_local(self) -> bool:
        return self.kind in ("editable", "directory", "virtual", "path")

    def describe(self) -> str:
        if self.kind == "registry":
            return "registry"
        if self.kind == "git":
            return f"git {self.url}@{self.commit}"
        return f"{self.kind} {self.path or self.url}"

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind}
        for key in ("url", "path", "commit", "subdirectory"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        return data


# The source of most locked packages (the default index, no URL recorded): one record
# that the readers share rather than one per package.
REGISTRY = Source(kind="registry")


class LockedPackage(NamedTuple):
    """One package entry of a lockfile.

    :param version: ``None`` for sources whose version the lock does not record.
    :param line: the 1-based line of the package's ``name = ...`` in the lockfile.
    """

    name: str
    version: str | None
    source: Source
    line: int | None = None


class InstalledDist(NamedTuple):
    """One installed distribution, as found on disk.

    :param meta_dir: the path of the ``.dist-info`` / ``.egg-info`` directory (or file),
        a plain string: thousands are listed per run, and most are never opened.
    :param raw_name: the name as spelled on disk, before normalisation.
    """

    name: str
    raw_name: str
    version: str
    meta_dir: str
    layout: Literal["dist-info", "egg-info", "egg-info-file", "egg-link"]
    problem: str | None = None
    """What is wrong with the metadata entry itself (a broken link, an undecodable name)."""

    def read_bytes(self, filename: str, limit: int | None = None) -> bytes:
        """A file of the metadata directory (a regular file inside site-packages, at
        most ``limit`` bytes).

        :raises driftcheck.files.Unreadable: absent, not a regular file, too large, or
            a symlink that leads out of site-packages.
        """
        from driftcheck.files import SMALL_LIMIT, Unreadable, read_regular

        if self.layout == "egg-info-file":
            if filename != "PKG-INFO":
                raise Unreadable("file not found")
            path = self.meta_dir
        else:
            path = os.path.join(self.meta_dir, filename)
        site = os.path.dirname(self.meta_dir)
        return read_regular(path, SMALL_LIMIT if limit is None else limit, within=site)

    def read_text(self, filename: str) -> str | None:
        """A file of the metadata directory as text, or ``None`` when it is absent,
        unreadable, not a regular file, too large or not UTF-8."""
        from driftcheck.files import Unreadable

        try:
            return self.read_bytes(filename).decode("utf-8")
        except (Unreadable, UnicodeDecodeError):
            return None

    @property
    def installer(self) -> str | None:
        """The stripped text of ``INSTALLER``, or ``None`` (absent, unreadable, empty)."""
        if self.layout == "egg-info-file":
            return None
        from driftcheck.files import Unreadable

        try:
            text = self.read_bytes("INSTALLER", 4096).decode("utf-8")
        except (Unreadable, UnicodeDecodeError):
            return None
        return text.strip() or None


class Finding(NamedTuple):
    """One difference between the lock's selection and the environment."""

    kind: FindingKind
    name: str
    reason: str
    expected: LockedPackage | None = None
    installed: InstalledDist | None = None
    required_by: tuple[str, ...] = ()
    installed_source: Source | None = None
    allowed: bool = False
    allow_reason: str | None = None
    files: tuple[tuple[str, str], ...] = ()
    """For ``modified``: (path relative to site-packages, and its status: changed,
    missing, added, unreadable, outside-environment or not-a-file)."""
    replacement: Replacement | None = None
    """For the ``python`` finding of an environment the tool would replace."""


class Report(NamedTuple):
    """Everything a reporter needs. Reporters render it; they never compute drift."""

    lockfile: str
    lock_format: str
    environment: str
    python: str
    selection: dict[str, Any]
    findings: tuple[Finding, ...]
    fix_command: str | None = None
    checked: int = 0
    verified_files: bool = False
    allow_snippet: str | None = None
    """``[tool.driftcheck]`` TOML that would declare the suspect build dependencies."""
    warnings: tuple[str, ...] = ()
    """What was read its own way, as the tool reads it (one line each, naming the file)."""

    @property
    def drift(self) -> bool:
        return any(not f.allowed for f in self.findings)

    def count(self, kind: FindingKind) -> int:
        return sum(1 for f in self.findings if f.kind == kind and not f.allowed)
