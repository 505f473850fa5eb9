"""Compare what is expected with what is installed, by uv's satisfaction rules.

These follow uv's ``RequirementSatisfaction::check`` for a stateless ``uv sync``: a
registry package must be a plain registry install of the locked version; local and
direct-URL sources must match the recorded ``direct_url.json``; local sources must
also be fresh by uv's ``uv_cache.json`` record.
"""

from __future__ import annotations

import os

from driftcheck.models import Finding, InstalledDist, LockedPackage, Source
from driftcheck.records import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from typing import Any

__all__ = ["Expected", "Rules", "diff", "installed_source", "seed_packages"]


class Expected(NamedTuple):
    package: LockedPackage
    required_by: tuple[str, ...]


class Rules(NamedTuple):
    """How strictly to compare.

    :param exact: report extraneous packages (``False`` is ``--inexact``).
    :param keep: names never reported as extraneous (seed packages).
    :param check_freshness: apply uv's ``uv_cache.json`` freshness rule to local sources.
    :param strict_registry: a registry package must not be a direct-URL install (uv sync's
        "strict" strategy); ``False`` is the permissive ``uv pip sync``.
    """

    exact: bool = True
    keep: frozenset[str] = frozenset()
    check_freshness: bool = True
    strict_registry: bool = True


def seed_packages(python: tuple[int, int], uv_created: bool, seeded: bool) -> frozenset[str]:
    """The packages uv keeps in place: only in a venv not made by uv, or seeded by it."""
    if uv_created and not seeded:
        return frozenset()
    if python >= (3, 12):
        return frozenset({"pip", "uv"})
    return frozenset({"pip", "setuptools", "wheel", "uv"})


def _versions_equal(a: str, b: str) -> bool:
    if a == b:
        return True
    from driftcheck.markers import releases_equal

    plain = releases_equal(a, b)
    if plain is not None:
        return plain
    from packaging.version import InvalidVersion, Version

    try:
        return Version(a) == Version(b)
    except InvalidVersion:
        return a == b


_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
_DIRECT_URL = os.sep + "direct_url.json"


def _read_direct_url(dist: InstalledDist) -> tuple[Any, str | None]:
    """Parse direct_url.json: (DirectUrl or None, problem or None)."""
    if dist.layout != "dist-info":
        return None, None
    path = dist.meta_dir + _DIRECT_URL
    # Most dists have none, and this runs once per installed package: os.access()
    # answers without raising (a FileNotFoundError raised and caught costs more than
    # the rest of the comparison). Where the directory cannot be searched (never for
    # root), reading the file says why.
    if not os.access(path, os.F_OK) and (_ROOT or os.access(dist.meta_dir, os.X_OK)):
        return None, None
    from driftcheck.direct_url import read_direct_url

    return read_direct_url(path)


def _file_url_path(url: str) -> str | None:
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    if parts.scheme != "file":
        return None
    return os.path.normpath(unquote(parts.path))


def _same_path(a: str, b: str) -> bool:
    if os.path.normpath(a) == os.path.normpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return False


def _repository(url: str) -> str:
    """uv's RepositoryUrl: no ``git+``, credentials, query, fragment, ``.git`` or trailing /."""
    from urllib.parse import urlsplit

    url = url.removeprefix("git+")
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.port:
        host = f"{host}:{parts.port}"
    path = parts.path.rstrip("/").removesuffix(".git")
    return f"{parts.scheme.lower()}://{host}{path}"


def _canonical_archive(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{(parts.netloc or '').lower()}{parts.path}"


def installed_source(dist: InstalledDist) -> Source:
    """Describe how a distribution was installed, from its direct_url.json."""
    direct, _ = _read_direct_url(dist)
    if direct is None:
        return Source(kind="registry")
    if direct.dir_info is not None:
        editable = bool(direct.dir_info.editable)
        return Source(kind="editable" if editable else "directory", path=_file_url_path(direct.url))
    if direct.vcs_info is not None:
        return Source(
            kind="git",
            url=direct.url,
            commit=direct.vcs_info.commit_id,
            subdirectory=direct.subdirectory,
        )
    path = _file_url_path(direct.url)
    if path is not None:
        return Source(kind="path", path=path)
    return Source(kind="url", url=direct.url, subdirectory=direct.subdirectory)


# --- uv's freshness record (uv_cache.json) ------------------------------------------

_DEFAULT_CACHE_KEYS: tuple[Any, ...] = (
    "pyproject.toml",
    "setup.py",
    "setup.cfg",
    {"dir": "src"},
)


def _cache_keys(directory: str) -> tuple[Any, ...]:
    from driftcheck.errors import LockfileError
    from driftcheck.files import Unreadable, read_regular
    from driftcheck.toml import load_toml

    try:
        data = load_toml(read_regular(os.path.join(directory, "pyproject.toml")), "pyproject.toml")
    except (Unreadable, LockfileError):  # uv falls back to the defaults too
        return _DEFAULT_CACHE_KEYS
    tool = data.get("tool")
    uv = tool.get("uv") if isinstance(tool, dict) else None
    keys = uv.get("cache-keys") if isinstance(uv, dict) else None
    return tuple(keys) if isinstance(keys, list) else _DEFAULT_CACHE_KEYS


def _stamp(ns: int) -> tuple[int, int]:
    return ns // 1_000_000_000, ns % 1_000_000_000


def _freshness_problem(dist: InstalledDist, source_path: str) -> str | None:
    """Why uv would consider a local install stale, or ``None`` if it is fresh.

    Compares the file timestamps and directory presence that uv records in
    ``uv_cache.json`` with the source as it is now. Git- and glob-based cache keys
    are not re-computed (see docs/uv-semantics.md).
    """
    raw = dist.read_text("uv_cache.json")
    if raw is None:
        return "installed without uv's cache record (not by uv sync?); uv would reinstall it"
    import json

    try:
        recorded = json.loads(raw)
    except ValueError:
        return "unreadable uv_cache.json; uv would reinstall it"
    path = source_path
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None  # uv reports an invalid cache and reinstalls only when it can read nothing
    newest: int | None = None
    directories: dict[str, bool] = {}
    env: dict[str, str | None] = {}
    if os.path.isfile(path):
        newest = st.st_ctime_ns
    else:
        for key in _cache_keys(path):
            if isinstance(key, str):
                key = {"file": key}
            if not isinstance(key, dict):
                continue
            if "file" in key and isinstance(key["file"], str):
                if any(c in key["file"] for c in "*?[{"):
                    continue
                try:
                    fst = os.stat(os.path.join(path, key["file"]))
                except (OSError, ValueError):
                    continue
                if newest is None or fst.st_ctime_ns > newest:
                    newest = fst.st_ctime_ns
            elif "dir" in key and isinstance(key["dir"], str):
                directories[key["dir"]] = os.path.isdir(os.path.join(path, key["dir"]))
            elif "env" in key and isinstance(key["env"], str):
                env[key["env"]] = os.environ.get(key["env"])
    stamp = recorded.get("timestamp")
    now = None if newest is None else _stamp(newest)
    was = (
        (stamp.get("secs_since_epoch"), stamp.get("nanos_since_epoch"))
        if isinstance(stamp, dict)
        else None
    )
    if now != was:
        return "source changed since it was installed; uv would rebuild it"
    rec_dirs = recorded.get("directories") or {}
    for name, present in directories.items():
        if (rec_dirs.get(name) is not None) != present:
            return f"source directory '{name}' changed since install; uv would rebuild it"
    rec_env = recorded.get("env") or {}
    for name, value in env.items():
        if rec_env.get(name) != value:
            return f"environment variable {name} changed since install; uv would rebuild it"
    return None


# --- satisfaction ----------------------------------------------------------------------


def _mismatch(locked: LockedPackage, dist: InstalledDist, rules: Rules) -> str | None:
    """Why ``dist`` does not satisfy ``locked`` for uv, or ``None`` when it does."""
    src = locked.source
    if dist.layout != "dist-info":
        entry = os.path.basename(dist.meta_dir)
        return f"installed as a legacy {dist.layout} ({entry}); uv would reinstall it"
    direct, problem = _read_direct_url(dist)
    if problem:
        return problem
    if src.kind == "registry":
        if direct is not None and rules.strict_registry:
            return f"installed from {installed_source(dist).describe()}, locked from the registry"
    elif src.kind in ("editable", "directory"):
        if direct is None or direct.dir_info is None:
            have = "the registry" if direct is None else installed_source(dist).describe()
            return f"installed from {have}, locked as {src.kind} {src.path}"
        want_editable = src.kind == "editable"
        if bool(direct.dir_info.editable) != want_editable:
            have = "editable" if direct.dir_info.editable else "non-editable"
            want = "editable" if want_editable else "non-editable"
            return f"{have} install, locked as {want}"
        have_path = _file_url_path(direct.url)
        if have_path is None or src.path is None or not _same_path(have_path, src.path):
            return f"installed from {have_path}, locked at {src.path}"
        if rules.check_freshness:
            stale = _freshness_problem(dist, src.path)
            if stale:
                return stale
    elif src.kind == "path":
        if direct is None or direct.archive_info is None or direct.subdirectory:
            return f"not installed from the locked file {src.path}"
        have_path = _file_url_path(direct.url)
        if have_path is None or src.path is None or not _same_path(have_path, src.path):
            return f"installed from {direct.url}, locked at {src.path}"
        if rules.check_freshness:
            stale = _freshness_problem(dist, src.path)
            if stale:
                return stale
    elif src.kind == "url":
        if direct is None or direct.archive_info is None:
            return f"not installed from the locked URL {src.url}"
        if (direct.subdirectory or None) != src.subdirectory:
            return "installed from another subdirectory of the locked URL"
        if src.url is None or _canonical_archive(direct.url) != _canonical_archive(src.url):
            return f"installed from {direct.url}, locked at {src.url}"
    elif src.kind == "git":
        if direct is None or direct.vcs_info is None or direct.vcs_info.vcs != "git":
            return f"not installed from the locked git repository {src.url}"
        if (direct.subdirectory or None) != src.subdirectory:
            return "installed from another subdirectory of the locked repository"
        if src.url is None or _repository(direct.url) != _repository(src.url):
            return f"installed from {direct.url}, locked at {src.url}"
        if direct.vcs_info.commit_id != src.commit:
            return (
                f"commit {direct.vcs_info.commit_id[:12]} installed, {str(src.commit)[:12]} locked"
            )
    if locked.version is not None and not _versions_equal(dist.version, locked.version):
        return f"version {dist.version} installed, {locked.version} locked"
    return None


def diff(
    expected: Iterable[Expected],
    installed: Iterable[InstalledDist],
    rules: Rules,
    locked_names: Mapping[str, str] | None = None,
) -> list[Finding]:
    """Compare ``expected`` with ``installed``. Pure: reads only the dists' own files.

    :param locked_names: for names that are locked but not selected, a hint of why.
    """
    by_name: dict[str, list[InstalledDist]] = {}
    unusable: dict[str, str] = {}  # uv skips these entries: the package is not installed
    for dist in installed:
        if dist.problem:
            unusable.setdefault(dist.name, dist.problem)
        elif dist.name in by_name:
            by_name[dist.name].append(dist)
        else:
            by_name[dist.name] = [dist]
    findings: list[Finding] = []
    pop = by_name.pop
    for exp in expected:
        locked = exp.package
        dists = pop(locked.name, None)
        if not dists:
            version = f" {locked.version}" if locked.version else ""
            findings.append(
                Finding(
                    kind="missing",
                    name=locked.name,
                    reason=f"locked{version} ({locked.source.describe()}) but not installed"
                    + (f" ({unusable[locked.name]})" if locked.name in unusable else ""),
                    expected=locked,
                    required_by=exp.required_by,
                )
            )
            continue
        if len(dists) > 1:
            where = ", ".join(os.path.basename(d.meta_dir) for d in dists)
            findings.append(
                Finding(
                    kind="mismatched",
                    name=locked.name,
                    reason=f"{len(dists)} installations of one package: {where}",
                    expected=locked,
                    installed=dists[0],
                    installed_source=installed_source(dists[0]),
                    required_by=exp.required_by,
                )
            )
            continue
        dist = dists[0]
        if (
            dist.version == locked.version
            and locked.source.kind == "registry"
            and dist.layout == "dist-info"
            and not os.access(dist.meta_dir + _DIRECT_URL, os.F_OK)
            and (_ROOT or os.access(dist.meta_dir, os.X_OK))
        ):
            continue  # most packages: a plain registry install of the locked version
        why = _mismatch(locked, dist, rules)
        if why:
            findings.append(
                Finding(
                    kind="mismatched",
                    name=locked.name,
                    reason=why,
                    expected=locked,
                    installed=dist,
                    installed_source=installed_source(dist),
                    required_by=exp.required_by,
                )
            )
    if rules.exact:
        for name, dists in sorted(by_name.items()):
            if name in rules.keep:
                continue
            hint = (locked_names or {}).get(name)
            reason = hint or "installed, but not in the lockfile"
            for dist in dists:
                findings.append(
                    Finding(
                        kind="extraneous",
                        name=name,
                        reason=reason,
                        installed=dist,
                        installed_source=installed_source(dist),
                    )
                )
    findings.sort(key=lambda f: (f.name, f.kind))
    return findings
