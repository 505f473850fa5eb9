"""Reader for pinned requirements files (uv pip compile, uv export, pip-compile).

A requirements file is a lock only when every requirement is pinned: ``name==version``
(or ``===``), an editable or local path, or a direct URL (a git URL with a full commit).
Anything else is an input error that names the line. Options such as ``--index-url`` and
``--hash`` are accepted and ignored; ``-r`` includes are followed; ``-c`` constraint
files are not requirements and are not read.

Comparison follows ``uv pip sync``: exact, with uv's permissive strategy (a registry pin
is satisfied by any install of that version).
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import unquote, urlsplit

from driftcheck import shell
from driftcheck.diff import Expected, Rules
from driftcheck.errors import LockfileError
from driftcheck.markers import normalised_version
from driftcheck.models import REGISTRY, LockedPackage, Source
from driftcheck.patterns import lazy
from driftcheck.records import TYPE_CHECKING

if TYPE_CHECKING:
    from driftcheck.models import SourceKind
from driftcheck.names import canonicalize_name

__all__ = ["RequirementLine", "parse_requirements", "plan"]

_PATH_START = (".", "/", "~")
_FULL_SHA = re.compile(r"^[0-9a-f]{40}$")
# Options that take a value and are ignored (they say where to download from).
_VALUE_OPTIONS = frozenset(
    (
        "-i",
        "--index-url",
        "--extra-index-url",
        "-f",
        "--find-links",
        "--trusted-host",
        "--no-binary",
        "--only-binary",
        "--config-settings",
        "--global-option",
        "--hash",
    )
)
_FLAG_OPTIONS = frozenset(
    ("--no-index", "--pre", "--prefer-binary", "--require-hashes", "--use-feature")
)


class RequirementLine(NamedTuple):
    """One requirement of the file, with where it came from."""

    package: LockedPackage
    marker: str | None
    file: str
    line: int


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """Join continuations and strip comments; keep the first physical line's number."""
    out: list[tuple[int, str]] = []
    buffer: list[str] = []
    start = 0
    comment = _COMMENT()
    for number, line in enumerate(text.splitlines(), 1):
        if not buffer:
            start = number
        stripped = line.lstrip()
        if stripped.startswith("#") or (not stripped and not buffer):
            continue
        if "#" in line:
            line = comment.sub("", line)
        if line.rstrip().endswith("\\"):
            buffer.append(line.rstrip()[:-1])
            continue
        buffer.append(line)
        joined = " ".join(part.strip() for part in buffer).strip()
        buffer = []
        if joined:
            out.append((start, joined))
    if buffer:
        joined = " ".join(part.strip() for part in buffer).strip()
        if joined:
            out.append((start, joined))
    return out


def _local_name(path: Path, shown: str, line: int) -> tuple[str, str | None]:
    """Name (and version, for wheels) of a local path requirement."""
    if path.suffix == ".whl":
        from packaging.utils import InvalidWheelFilename, parse_wheel_filename

        try:
            name, version, _, _ = parse_wheel_filename(path.name)
        except InvalidWheelFilename as exc:
            raise LockfileError(shown, f"invalid wheel file name: {exc}", line=line) from None
        return name, str(version)
    from driftcheck.project import read_pyproject

    project_name = read_pyproject(path).name if path.is_dir() else None
    if project_name is None:
        raise LockfileError(
            shown,
            f"cannot tell the package name of {path}; write it as 'NAME @ file://…'",
            line=line,
        )
    return project_name, None


def _split_options(line: str, shown: str, number: int) -> tuple[str | None, list[str]]:
    """Return (option, words) for an option line, or (None, []) for a requirement."""
    if not line.startswith("-"):
        return None, []
    try:
        words = shlex.split(line)
    except ValueError as exc:
        raise LockfileError(shown, f"cannot parse option line: {exc}", line=number) from None
    head, _, value = words[0].partition("=")
    return head, ([value] if value else []) + words[1:]


_COMMENT = lazy(r"(^|\s)#.*$")
# The commonest requirement, ``name==version`` (a version in normalised form is checked
# without packaging); anything else is parsed by packaging.
_PINNED = re.compile(r"([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)==([0-9][0-9a-z.!+]*)")
_TRAILING_OPTIONS = re.compile(r"\s--?[a-z].*$")
_ARCHIVE_SUFFIXES = (".whl", ".zip", ".tar.gz", ".tgz", ".tar.bz2")


def parse_requirements(
    path: Path, shown: str, *, limit: int | None = None, _seen: frozenset[Path] = frozenset()
) -> list[RequirementLine]:
    """Parse a pinned requirements file and its ``-r`` includes.

    :param limit: the largest file read (default: driftcheck.files.LOCKFILE_LIMIT).
    """
    from driftcheck.toml import decode_utf8, read_bytes

    text = decode_utf8(read_bytes(path, shown, limit), shown)
    base = path.parent
    result: list[RequirementLine] = []
    for number, line in _logical_lines(text):
        option, words = _split_options(line, shown, number)
        editable = option in ("-e", "--editable")
        if option in ("-r", "--requirement"):
            if not words:
                raise LockfileError(shown, f"{option} needs a file name", line=number)
            try:
                include = (base / words[0]).resolve()
            except (OSError, ValueError, RuntimeError):
                raise LockfileError(shown, f"invalid path {words[0]!r}", line=number) from None
            if include in _seen or include == path.resolve():
                raise LockfileError(shown, f"recursive include of {words[0]}", line=number)
            result += parse_requirements(
                include, words[0], limit=limit, _seen=_seen | {path.resolve()}
            )
            continue
        if option in ("-c", "--constraint") or option in _VALUE_OPTIONS | _FLAG_OPTIONS:
            continue
        if editable:
            if not words:
                raise LockfileError(shown, f"{option} needs a path", line=number)
            line = " ".join(words)
        elif option is not None:
            raise LockfileError(shown, f"unknown option {option}", line=number)
        line = _TRAILING_OPTIONS.sub("", line).strip()  # --hash=... and friends
        package, marker = _requirement(line, editable, base, shown, number)
        result.append(RequirementLine(package=package, marker=marker, file=shown, line=number))
    return result


def _local_source(
    target: str, editable: bool, base: Path, shown: str, number: int
) -> LockedPackage:
    try:
        if target.startswith("file:"):
            local = Path(unquote(urlsplit(target).path))
        else:
            local = Path(target).expanduser()
        local = local if local.is_absolute() else base / local
        local = local.resolve() if local.exists() else local
    except (RuntimeError, ValueError, OSError) as exc:  # '~nobody/x', a NUL byte...
        raise LockfileError(shown, f"invalid path {target!r}: {exc}", line=number) from None
    name, version = _local_name(local, shown, number)
    kind: SourceKind
    if editable:
        kind = "editable"
    elif local.name.endswith(_ARCHIVE_SUFFIXES):
        kind = "path"
    else:
        kind = "directory"
    source = Source(kind=kind, path=str(local))
    return LockedPackage(name=canonicalize_name(name), version=version, source=source, line=number)


def _requirement(
    line: str, editable: bool, base: Path, shown: str, number: int
) -> tuple[LockedPackage, str | None]:
    pinned = _PINNED.fullmatch(line)
    if pinned is not None and normalised_version(pinned.group(2)):
        name = canonicalize_name(pinned.group(1))
        return tuple.__new__(LockedPackage, (name, pinned.group(2), REGISTRY, number)), None
    from packaging.requirements import InvalidRequirement

    from driftcheck.markers import parse_requirement

    if line.startswith(_PATH_START) or (line.startswith("file:") and " @ " not in line):
        target, _, marker_text = line.partition(";")
        package = _local_source(target.strip(), editable, base, shown, number)
        marker = marker_text.strip() or None
        if marker is not None:
            from driftcheck.markers import compile_marker

            try:
                compile_marker(marker)
            except (ValueError, TypeError) as exc:
                raise LockfileError(
                    shown, f"invalid marker {marker!r}: {exc}", line=number
                ) from None
        return package, marker
    try:
        req = parse_requirement(line)
    except InvalidRequirement as exc:
        first = str(exc).splitlines()[0]
        raise LockfileError(shown, f"invalid requirement {line!r}: {first}", line=number) from None
    marker = str(req.marker) if req.marker else None
    name = canonicalize_name(req.name)
    if req.url:
        source = _url_source(req.url, editable, shown, number)
        return LockedPackage(name=name, version=None, source=source, line=number), marker
    specs = list(req.specifier)
    if len(specs) != 1 or specs[0].operator not in ("==", "===") or "*" in specs[0].version:
        raise LockfileError(
            shown,
            f"'{line}' is not pinned: a requirements file is a lock only when every "
            "requirement is pinned with == (or is a path or URL)",
            line=number,
        )
    locked = LockedPackage(name=name, version=specs[0].version, source=REGISTRY, line=number)
    return locked, marker


def _url_source(url: str, editable: bool, shown: str, number: int) -> Source:
    parts = urlsplit(url)
    if url.startswith("git+"):
        repo, _, rev = parts.path.rpartition("@")
        if not _FULL_SHA.match(rev):
            raise LockfileError(
                shown, f"git URL {url!r} is not pinned to a full commit", line=number
            )
        fragment = dict(p.split("=", 1) for p in parts.fragment.split("&") if "=" in p)
        return Source(
            kind="git",
            url=f"{parts.scheme}://{parts.netloc}{repo}",
            commit=rev,
            subdirectory=fragment.get("subdirectory"),
        )
    if parts.scheme == "file":
        local = Path(unquote(parts.path))
        if editable:
            return Source(kind="editable", path=str(local))
        return Source(kind="directory" if local.is_dir() else "path", path=str(local))
    return Source(kind="url", url=url.split("#", 1)[0])


def plan(ctx: Any) -> Any:
    """The reader interface: `uv pip sync` semantics."""
    from driftcheck.lockfiles import Plan, refuse_other_flags

    refuse_other_flags(ctx, "requirements file", {"inexact"})
    lines = parse_requirements(Path(ctx.lockfile), ctx.shown, limit=ctx.lockfile_limit)
    expected: dict[str, Expected] = {}
    for req in lines:
        if req.marker is not None and not ctx.evaluate(req.marker):
            continue
        previous = expected.get(req.package.name)
        if previous is not None and previous.package != req.package:
            raise LockfileError(
                req.file,
                f"'{req.package.name}' is pinned twice, differently (also at line "
                f"{previous.package.line})",
                line=req.line,
            )
        expected[req.package.name] = Expected(package=req.package, required_by=(req.package.name,))
    inexact = bool(ctx.flags.get("inexact"))
    fix = ["uv", "pip", "install" if inexact else "sync", str(ctx.shown)]
    if inexact:
        fix.insert(3, "-r")
    return Plan(
        format="requirements.txt",
        expected=list(expected.values()),
        rules=Rules(exact=not inexact, strict_registry=False),
        selection={"inexact": inexact},
        fix=shell.join(fix),
    )
