"""Find the target environment and read it from files, without ever running its code.

Nothing here imports from the target or writes anywhere. The only process ever
started is ``python -I -S`` for an interpreter that is not inside a venv, so that
sysconfig can say where its site-packages is; with ``-S`` no ``.pth`` file and no
``sitecustomize`` runs.
"""

from __future__ import annotations

import itertools
import os
import sys
from operator import itemgetter

from driftcheck.errors import EnvironmentError_
from driftcheck.markers import plain_releases, valid_version
from driftcheck.models import InstalledDist
from driftcheck.names import canonicalize_name, canonicalize_names, separated_runs
from driftcheck.patterns import lazy
from driftcheck.records import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Any

    StrPath = str | os.PathLike[str]

__all__ = [
    "TargetEnvironment",
    "find_environment",
    "load_environment",
    "scan_distributions",
]


class TargetEnvironment(NamedTuple):
    """A Python environment read from its files.

    :param prefix: the environment's root directory.
    :param site_packages: the directories that hold its distributions, deduplicated.
    :param python_full_version: e.g. ``3.11.7``.
    :param implementation: ``CPython``, ``PyPy``...
    :param uv_created: pyvenv.cfg carries a ``uv`` key (the venv was made by uv).
    :param seeded: pyvenv.cfg says ``seed = true``.
    """

    prefix: str
    site_packages: tuple[str, ...]
    python_full_version: str
    implementation: str = "CPython"
    uv_created: bool = False
    seeded: bool = False

    @property
    def python_tuple(self) -> tuple[int, int]:
        major, minor = self.python_full_version.split(".")[:2]
        return int(major), int(minor)

    def marker_environment(self) -> dict[str, str]:
        """The PEP 508 marker environment of the target.

        Python values come from the target's files; platform values from this host,
        which is the machine the environment lives on.
        """
        full = self.python_full_version
        impl = self.implementation
        system, release, version, machine = _host_uname()
        return {
            "implementation_name": impl.lower(),
            "implementation_version": full,
            "os_name": os.name,
            "platform_machine": machine,
            "platform_release": release,
            "platform_system": system,
            "platform_version": version,
            "python_full_version": full,
            "platform_python_implementation": impl,
            "python_version": ".".join(full.split(".")[:2]),
            "sys_platform": sys.platform,
        }


def _host_uname() -> tuple[str, str, str, str]:
    """``platform``'s system, release, version and machine of this host.

    On Linux and macOS these are ``os.uname()``'s fields, which is where ``platform``
    takes them from; importing ``platform`` costs more than a small check's walk.
    """
    if sys.platform in ("linux", "darwin"):
        u = os.uname()
        return u.sysname, u.release, u.version, u.machine
    import platform

    return platform.system(), platform.release(), platform.version(), platform.machine()


def _read_pyvenv_cfg(path: str) -> dict[str, str]:
    values: dict[str, str] = {}
    try:
        with open(path, encoding="utf-8", errors="replace") as file:
            text = file.read()
    except OSError as exc:
        raise EnvironmentError_(f"{path}: cannot read pyvenv.cfg: {exc.strerror}") from None
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            values[key.strip().lower()] = value.strip()
    return values


def _is_own_environment(path: str) -> bool:
    try:
        return os.path.realpath(path) == os.path.realpath(sys.prefix)
    except OSError:
        return False


def find_environment(
    project_root: StrPath,
    python: str | None,
    environ: Mapping[str, str] | None = None,
    tool_envs: Sequence[StrPath] = (),
) -> tuple[str, str]:
    """Pick the target environment, returning its path and how it was chosen.

    The order is ``--python``, ``UV_PROJECT_ENVIRONMENT``, ``<root>/.venv``, then
    ``VIRTUAL_ENV`` unless that is driftcheck's own environment (as it always is
    under pre-commit, which sets ``PRE_COMMIT=1``).

    :param tool_envs: where the lockfile's own tool keeps environments (poetry's cache
        directory, say), tried after ``.venv``.
    """
    env = os.environ if environ is None else environ
    if python:
        return python, "--python"
    uv_env = env.get("UV_PROJECT_ENVIRONMENT")
    if uv_env:
        return os.path.join(project_root, uv_env), "UV_PROJECT_ENVIRONMENT"
    dot_venv = os.path.join(project_root, ".venv")
    if os.path.exists(dot_venv):
        return dot_venv, ".venv"
    for candidate in tool_envs:
        if os.path.exists(candidate):
            return os.fspath(candidate), "tool"
    active = env.get("VIRTUAL_ENV")
    if active and env.get("PRE_COMMIT") != "1" and not _is_own_environment(active):
        return active, "VIRTUAL_ENV"
    raise EnvironmentError_(
        f"no environment found for {os.fspath(project_root)}: no .venv there, "
        "UV_PROJECT_ENVIRONMENT and VIRTUAL_ENV unset; pass --python PATH"
    )


def _venv_site_packages(prefix: str, version: str | None) -> list[str]:
    found: list[str] = []
    join, isdir = os.path.join, os.path.isdir
    windows = join(prefix, "Lib", "site-packages")
    if isdir(windows):
        found.append(windows)
    for lib in ("lib", "lib64"):
        lib_dir = join(prefix, lib)
        if not isdir(lib_dir):
            continue
        if version:
            major_minor = ".".join(version.split(".")[:2])
            names = [f"python{major_minor}", f"python{major_minor}t", f"pypy{major_minor}"]
        else:
            names = sorted(n for n in _listdir(lib_dir) if n.startswith("python3"))
        found.extend(c for c in (join(lib_dir, n, "site-packages") for n in names) if isdir(c))
    unique: dict[str, str] = {}
    for path in found:
        unique.setdefault(os.path.realpath(path), path)
    return list(unique.values())


def _listdir(path: str) -> list[str]:
    try:
        return os.listdir(path)
    except (OSError, ValueError):  # ValueError: a NUL byte in a name read from a file
        return []


def _layout_version(site: str) -> str:
    """``3.12.0`` for ``…/lib/python3.12/site-packages`` (a venv without a version)."""
    return os.path.basename(os.path.dirname(site)).removeprefix("python").rstrip("t") + ".0"


_SYSCONFIG_PROBE = (
    "import sys, sysconfig, platform;"
    "p = sysconfig.get_paths();"
    "print(sys.prefix); print(p['purelib']); print(p['platlib']);"
    "print(platform.python_version()); print(platform.python_implementation())"
)


def _probe_interpreter(interpreter: str) -> TargetEnvironment:
    import subprocess

    try:
        out = subprocess.run(
            [interpreter, "-I", "-S", "-c", _SYSCONFIG_PROBE],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
            env={"PATH": os.environ.get("PATH", "")},
        ).stdout.splitlines()
    except (OSError, subprocess.SubprocessError) as exc:
        raise EnvironmentError_(f"{interpreter}: cannot query this interpreter: {exc}") from None
    prefix, purelib, platlib, version, impl = out[:5]
    dirs: dict[str, str] = {}
    for d in (purelib, platlib):
        if os.path.isdir(d):
            dirs.setdefault(os.path.realpath(d), d)
    return TargetEnvironment(
        prefix=prefix,
        site_packages=tuple(dirs.values()),
        python_full_version=version,
        implementation=impl,
    )


def load_environment(path: StrPath) -> TargetEnvironment:
    """Read the environment at ``path``: a venv directory, or an interpreter.

    An interpreter inside a venv is mapped to that venv and read from files. An
    interpreter outside any venv is asked for its paths with ``-I -S``.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise EnvironmentError_(f"{path}: environment does not exist")
    prefix = path
    if os.path.isfile(path):
        parent = os.path.dirname(os.path.dirname(path))
        if os.path.isfile(os.path.join(parent, "pyvenv.cfg")):
            prefix = parent
        else:
            return _probe_interpreter(path)
    cfg_path = os.path.join(prefix, "pyvenv.cfg")
    if not os.path.isfile(cfg_path):
        # A conda env or a bare prefix: read the layout, and take the version from it.
        sites = _venv_site_packages(prefix, None)
        if not sites:
            raise EnvironmentError_(
                f"{prefix}: not a Python environment (no pyvenv.cfg and no site-packages)"
            )
        layout_version = _layout_version(sites[0])
        # A conda environment records its exact Python in conda-meta.
        records = _listdir(os.path.join(prefix, "conda-meta"))
        for record in sorted(
            r for r in records if r.startswith("python-3.") and r.endswith(".json")
        ):
            parts = record.split("-")
            if len(parts) >= 3 and parts[1].startswith(layout_version[:-2]):
                layout_version = parts[1]
        return TargetEnvironment(
            prefix=prefix, site_packages=tuple(sites), python_full_version=layout_version
        )
    cfg = _read_pyvenv_cfg(cfg_path)
    version = cfg.get("version_info") or cfg.get("version") or cfg.get("version-info")
    if version:
        # virtualenv writes ``3.11.7.final.0``: keep the release part.
        version = ".".join(version.split(".")[:3])
    sites = _venv_site_packages(prefix, version)
    if not sites:
        raise EnvironmentError_(f"{prefix}: no site-packages directory found in this venv")
    if not version:
        version = _layout_version(sites[0])
    return TargetEnvironment(
        prefix=prefix,
        site_packages=tuple(sites),
        python_full_version=version,
        implementation=cfg.get("implementation", "CPython"),
        uv_created="uv" in cfg,
        seeded=cfg.get("seed", "").lower() == "true",
    )


def _split_dist_dir(entry: str) -> tuple[str, str | None, str] | None:
    """Split a metadata entry name into (name, version, layout); ``None`` if it is not one."""
    if entry.endswith(".dist-info"):
        stem = entry[: -len(".dist-info")]
        name, sep, version = stem.rpartition("-")
        return (name, version, "dist-info") if sep else (stem, None, "dist-info")
    if entry.endswith(".egg-info"):
        parts = entry[: -len(".egg-info")].split("-")
        return parts[0], (parts[1] if len(parts) > 1 else None), "egg-info"
    return None


def _version_from_metadata(dist: InstalledDist) -> str | None:
    """The Version field of a metadata file, read with importlib-metadata (no code runs).

    Only needed for the rare metadata directory whose name carries no version.
    """
    if dist.layout == "egg-info-file":
        from email.parser import HeaderParser

        text = dist.read_text("PKG-INFO")
        return HeaderParser().parsestr(text).get("Version") if text else None
    from pathlib import Path

    import importlib_metadata

    try:
        version = importlib_metadata.PathDistribution(Path(dist.meta_dir)).metadata["Version"]
    except (OSError, KeyError, ValueError):
        return None
    return str(version) if version else None


def _valid_names(joined: str) -> bool:
    """``joined`` is canonical names joined by newlines, each ``[a-z0-9]+(-[a-z0-9]+)*``
    (canonical names are lowercase already)."""
    return separated_runs(joined, "-", str.isalnum)


_METADATA = (".dist-info", ".egg-info", ".egg-link")
_METADATA_ENDS = frozenset(suffix[-5:] for suffix in _METADATA)  # (-info, -link)
_NAME_PARTS = lazy(r"[a-z0-9]+")


def _undecodable(name: str) -> bool:
    """A name os.scandir decoded with surrogate escapes (its bytes are not UTF-8)."""
    return any("\udc80" <= c <= "\udcff" for c in name)


def _printable(name: str) -> str:
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def _egg_link(entry: os.DirEntry[str]) -> InstalledDist:
    """A legacy ``setup.py develop`` install: the link names the project's directory."""
    raw_name = entry.name[: -len(".egg-link")]
    dist = InstalledDist(
        name=canonicalize_name(raw_name),
        raw_name=raw_name,
        version="",
        meta_dir=entry.path,
        layout="egg-link",
    )
    try:
        with open(entry.path, encoding="utf-8") as file:
            target = file.readline().strip()
    except (OSError, UnicodeDecodeError) as exc:
        return dist._replace(problem=f"{entry.name}: unreadable ({exc})")
    infos = sorted(n for n in _listdir(target) if n.endswith(".egg-info")) if target else []
    for candidate in (os.path.join(target, n) for n in infos):
        info = InstalledDist(
            name=dist.name,
            raw_name=raw_name,
            version="",
            meta_dir=candidate,
            layout="egg-info",
        )
        return dist._replace(version=_version_from_metadata(info) or "")
    return dist._replace(
        problem=f"{entry.name} points to {target or 'nothing'}, which has no egg-info"
    )


def scan_distributions(env: TargetEnvironment) -> list[InstalledDist]:
    """List the distributions in the environment's site-packages, from names on disk.

    Only directory names are read, except for an egg-info without a version in its
    name, whose PKG-INFO is read.
    """
    found: list[InstalledDist] = []
    for site in env.site_packages:
        try:
            entries = list(os.scandir(site))
        except OSError as exc:
            raise EnvironmentError_(f"{site}: cannot list site-packages: {exc.strerror}") from None
        # The common case first: directories named NAME-VERSION.dist-info, their names
        # and versions checked all at once; any that fails is looked at on its own.
        common: list[os.DirEntry[str]] = []
        stems: list[str] = []
        releases: list[str] = []
        # (Suffixes are compared as slices: str.endswith parses its arguments the slow
        # way, which made it most of this loop.)
        for entry in entries:
            entry_name = entry.name
            if entry_name[-5:] not in _METADATA_ENDS:  # package and module files, most
                continue
            if entry_name[-10:] == ".dist-info" and entry_name.isascii() and entry.is_dir():
                stem, sep, release = entry_name[:-10].rpartition("-")
                if sep:
                    common.append(entry)
                    stems.append(stem)
                    releases.append(release)
                    continue
            _add_entry(entry, found)
        names = canonicalize_names(stems)
        joined = "\n".join(names)
        if (not names or (_valid_names(joined) and joined.count("\n") == len(names) - 1)) and (
            plain_releases(releases)
        ):
            paths = [e.path for e in common]
            # (records with every field given, built as the tuples they are)
            rows = zip(names, stems, releases, paths, _LAYOUT, _NO_PROBLEM, strict=False)
            found += map(tuple.__new__, itertools.repeat(InstalledDist), rows)
        else:  # one by one: a version in another normal form, or an odd name
            for entry, name, stem, release in zip(common, names, stems, releases, strict=True):
                if "\n" not in name and _valid_names(name) and valid_version(release):
                    found.append(InstalledDist(name, stem, release, entry.path, "dist-info"))
                else:
                    _add_entry(entry, found)
    # By name, then folder (of one name, several: a broken environment). Sorting by
    # name alone costs half as much, and whether any name repeats is one set away.
    found.sort(key=_NAME)
    if len(set(map(_NAME, found))) != len(found):
        found.sort(key=_NAME_AND_FOLDER)
    return found


_NAME, _NAME_AND_FOLDER = itemgetter(0), itemgetter(0, 3)


_LAYOUT = itertools.repeat("dist-info")
_NO_PROBLEM = itertools.repeat(None)


def _add_entry(entry: os.DirEntry[str], found: list[InstalledDist]) -> None:
    """Append the distribution of one metadata entry, whatever its shape."""
    if entry.name.endswith(".egg-link"):
        found.append(_egg_link(entry))
        return
    parsed = _split_dist_dir(entry.name)
    if parsed is None:
        return
    raw_name, version, layout = parsed
    problem = None
    if not entry.name.isascii() and _undecodable(entry.name):
        raw_name = _printable(raw_name)
        version = _printable(version) if version else version
        problem = f"{_printable(entry.name)}: its name is not valid UTF-8"
    meta_dir = entry.path
    is_dir = entry.is_dir()
    kind = layout if is_dir else "egg-info-file"
    if not is_dir and entry.is_symlink():
        kind, problem = layout, f"{_printable(entry.name)} is a broken symlink"
    elif kind == "egg-info-file" and layout != "egg-info":
        kind, problem = layout, f"{_printable(entry.name)} is a file, not a directory"
    name = canonicalize_name(raw_name)
    if "\n" in name or not _valid_names(name):  # e.g. escaped bytes: keep reports tidy
        name = "-".join(_NAME_PARTS().findall(name)) or "unnamed"
    dist = InstalledDist(
        name=name,
        raw_name=raw_name,
        version=version or "",
        meta_dir=meta_dir,
        layout=kind,  # type: ignore[arg-type]
        problem=problem,
    )
    if not version and not problem:
        dist = dist._replace(version=_version_from_metadata(dist) or "")
    elif version and kind == "dist-info" and not problem and not valid_version(version):
        raise EnvironmentError_(
            f"{meta_dir}: invalid version {version!r} in the folder name "
            "(uv cannot read this environment either); remove or reinstall it"
        )
    found.append(dist)


def target_tags(env: TargetEnvironment) -> list[Any]:
    """The wheel tags the target accepts, computed for its Python, not driftcheck's own.

    Platform tags are the host's (the environment lives on this machine).
    """
    from packaging import tags

    version = env.python_tuple
    impl = env.implementation.lower()
    platforms = list(tags.platform_tags())
    interpreter = f"{'cp' if impl == 'cpython' else 'pp'}{version[0]}{version[1]}"
    out: list[Any] = []
    if impl == "cpython":
        out += list(tags.cpython_tags(version, platforms=platforms))
    else:
        out += list(tags.generic_tags(interpreter, platforms=platforms))
    out += list(tags.compatible_tags(version, interpreter, platforms))
    return out
