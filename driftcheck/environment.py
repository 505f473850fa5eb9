"""Find the target environment and read it from files, without ever running anything.

Nothing here imports from the target, starts a process or writes anywhere. A venv is
read from its ``pyvenv.cfg`` and its layout; any other interpreter from its names and
its installation's files (:mod:`driftcheck.interpreter`). Where the files do not tell,
the error says what to pass instead.
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
    :param replace: why the environment cannot be synced as it is and uv would
        replace it (its interpreter is gone, or is another Python than the one it was
        made with), or ``None``.
    """

    prefix: str
    site_packages: tuple[str, ...]
    python_full_version: str
    implementation: str = "CPython"
    uv_created: bool = False
    seeded: bool = False
    replace: str | None = None

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


def _read_pyvenv_cfg(path: str) -> dict[str, str] | None:
    """``pyvenv.cfg``'s keys (lower-cased) and values; ``None`` when there is no
    readable regular file there (uv then asks the interpreter, which driftcheck does
    not run: the venv's layout and interpreter names stand in)."""
    from driftcheck.files import Unreadable, read_regular

    try:
        text = read_regular(path, 1 << 20).decode("utf-8", "replace")
    except Unreadable:
        return None
    values: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            values[key.strip().lower()] = value.strip()
    return values


def _is_own_environment(path: str) -> bool:
    try:
        return os.path.realpath(path) == os.path.realpath(sys.prefix)
    except (OSError, ValueError):
        return False


# How the environment was found, for the ones uv would find (and judge) itself.
PROJECT_ENVS = frozenset({".venv", "UV_PROJECT_ENVIRONMENT"})


def find_environment(
    project_root: StrPath,
    python: str | None,
    environ: Mapping[str, str] | None = None,
    tool_envs: Sequence[StrPath] = (),
    *,
    dot_venv_may_be_a_file: bool = False,
    active: bool = False,
) -> tuple[str, str]:
    """Pick the target environment, returning its path and how it was chosen.

    The order is ``--python``, ``UV_PROJECT_ENVIRONMENT``, ``<root>/.venv``, the
    lockfile's own tool's place, then ``VIRTUAL_ENV`` unless that is driftcheck's own
    environment (as it always is under pre-commit, which sets ``PRE_COMMIT=1``).

    :param tool_envs: where the lockfile's own tool keeps environments (poetry's cache
        directory, say), tried after ``.venv``.
    :param dot_venv_may_be_a_file: pipenv reads a ``.venv`` *file* as the name of the
        environment (in ``tool_envs``); to anything else it is an error, never run.
    :param active: ``--active``: the active environment (``VIRTUAL_ENV``) comes first,
        after ``--python``, as for ``uv sync --active``.
    """
    env = os.environ if environ is None else environ
    if python is not None:
        if not python:
            raise EnvironmentError_("--python was given an empty path")
        return python, "--python"
    if active:
        venv = env.get("VIRTUAL_ENV")
        if not venv:
            raise EnvironmentError_("--active: no environment is active (VIRTUAL_ENV is unset)")
        return venv, "VIRTUAL_ENV"
    uv_env = env.get("UV_PROJECT_ENVIRONMENT")
    if uv_env:
        return os.path.join(project_root, uv_env), "UV_PROJECT_ENVIRONMENT"
    dot_venv = os.path.join(project_root, ".venv")
    if os.path.lexists(dot_venv) and not (dot_venv_may_be_a_file and os.path.isfile(dot_venv)):
        return dot_venv, ".venv"
    for candidate in tool_envs:
        if os.path.lexists(candidate):
            return os.fspath(candidate), "tool"
    virtual_env = env.get("VIRTUAL_ENV")
    if virtual_env and env.get("PRE_COMMIT") != "1" and not _is_own_environment(virtual_env):
        return virtual_env, "VIRTUAL_ENV"
    message = (
        f"no environment found for {os.fspath(project_root)}: no .venv there and "
        "UV_PROJECT_ENVIRONMENT unset"
    )
    if virtual_env and env.get("PRE_COMMIT") == "1":
        message += (
            f"; VIRTUAL_ENV ({virtual_env}) was ignored: under pre-commit it is the hook's own "
            "venv, not the project's. Create the project's .venv (uv sync) or pass "
            "--python in the hook's args"
        )
    elif virtual_env:
        message += f"; VIRTUAL_ENV ({virtual_env}) was ignored: it is driftcheck's own venv"
    else:
        message += " and VIRTUAL_ENV unset; pass --python PATH"
    raise EnvironmentError_(message)


def _interpreter_in(prefix: str) -> str | None:
    """A venv's interpreter (``bin/python``…, ``Scripts/python.exe``), even a dangling
    link; ``None`` if it has none."""
    for rel in ("bin/python", "bin/python3", "Scripts/python.exe", "python.exe"):
        path = os.path.join(prefix, *rel.split("/"))
        if os.path.lexists(path):
            return path
    return None


def _interpreter_version(path: str, how: str) -> tuple[str | None, str, str | None]:
    """(version, implementation, why uv would replace the venv) of the interpreter at
    ``path``, from its names and its install's files; the version may be ``X.Y``.

    :raises EnvironmentError_: for a symlink loop (uv cannot query it either).
    """
    from driftcheck.interpreter import follow, full_version, minor_of, prefix_of

    names, final, problem = follow(path)
    shown_path = os.path.join(os.path.basename(os.path.dirname(path)), os.path.basename(path))
    if problem == "loop":
        raise EnvironmentError_(f"{path}: is a symlink loop; no Python interpreter to read")
    if problem == "dangling":
        target = final
        return (
            None,
            "CPython",
            f"its interpreter {shown_path} is a dangling symlink to {target} "
            "(was that Python removed or upgraded?)",
        )
    found = minor_of(names)
    if found is None:
        return None, "CPython", None
    impl, minor = found
    return full_version(prefix_of(final), minor) or minor, impl, None


def _same_python(a: str, b: str) -> bool:
    """Two versions, either of which may be only ``X.Y``, name the same Python."""
    if a.count(".") == b.count("."):
        return a == b
    return a.startswith(b + ".") or b.startswith(a + ".")


def load_environment(path: StrPath, how: str = "--python") -> TargetEnvironment:
    """Read the environment at ``path`` from its files: a venv directory, a prefix
    (conda, a system Python), or an interpreter. Nothing is ever run.

    :param how: how ``path`` was found (:func:`find_environment`). uv's own project
        environment (``.venv``) is judged as uv judges it: where uv would replace it,
        the result's ``replace`` says why.
    :raises EnvironmentError_: where the files do not tell which Python it is, or
        where it is no environment at all.
    """
    path = os.fspath(path)
    try:
        present = os.path.lexists(path)
    except ValueError:
        present = False
    if not present:
        raise EnvironmentError_(f"{path}: environment does not exist")
    if os.path.islink(path) and not os.path.exists(path):
        from driftcheck.files import missing_reason

        reason = missing_reason(path)
        if how in PROJECT_ENVS and reason.startswith("is a dangling symlink"):
            return _replaced(path, f"{os.path.basename(path)} {reason}")
        raise EnvironmentError_(f"{path}: {reason}")
    if os.path.isdir(path):
        return _from_directory(path, how)
    if how in PROJECT_ENVS or how == "VIRTUAL_ENV":
        what = "a file" if os.path.isfile(path) else "not a directory"
        raise EnvironmentError_(
            f"{path}: is {what}, not an environment directory (driftcheck never runs "
            "it); remove it, or pass --python with the environment's directory"
        )
    if not os.path.isfile(path):
        raise EnvironmentError_(f"{path}: is neither an environment directory nor a file")
    return _from_interpreter(path)


def _replaced(
    prefix: str, why: str, version: str = "3", impl: str = "CPython"
) -> TargetEnvironment:
    """A project environment uv would replace: nothing of it is read."""
    return TargetEnvironment(
        prefix=prefix,
        site_packages=(),
        python_full_version=version,
        implementation=impl,
        replace=why,
    )


def _from_directory(prefix: str, how: str) -> TargetEnvironment:
    from driftcheck.interpreter import layout_minor, release, site_dirs

    cfg = _read_pyvenv_cfg(os.path.join(prefix, "pyvenv.cfg"))
    interpreter = _interpreter_in(prefix)
    have_version: str | None = None
    impl, replace = "CPython", None
    if interpreter is not None:
        have_version, impl, replace = _interpreter_version(interpreter, how)
    if cfg is None and interpreter is not None and replace is None:
        # Without its pyvenv.cfg, the interpreter is no venv's: it runs as the
        # installation its link leads to, and that is the environment uv checks.
        from driftcheck.interpreter import follow, prefix_of

        _, final, problem = follow(interpreter)
        if problem is None:
            real = os.path.realpath(prefix_of(final))
            if real != os.path.realpath(prefix):
                return _from_interpreter(interpreter)
    if cfg is None and interpreter is None:
        if not _listdir(prefix) and how in PROJECT_ENVS:
            return _replaced(prefix, f"{os.path.basename(prefix)} is an empty directory")
        if how in PROJECT_ENVS:
            # uv cannot use it either (it finds no interpreter to ask).
            raise EnvironmentError_(
                f"{prefix}: not a Python environment (no pyvenv.cfg and no Python "
                "interpreter in it)"
            )
    if cfg is not None:
        written = cfg.get("version_info") or cfg.get("version") or cfg.get("version-info")
        version = release(written)
        impl = cfg.get("implementation") or impl
        if interpreter is None:
            replace = replace or "it has no Python interpreter (bin/python)"
        elif version and have_version and not _same_python(version, have_version):
            replace = (
                f"it was made with Python {version}, but its interpreter is now "
                f"Python {have_version}"
            )
    else:  # a conda environment, a system prefix, or a venv without its pyvenv.cfg
        version = None
    version = version or have_version or layout_minor(prefix)
    if version is None and cfg is None and interpreter is None:
        raise EnvironmentError_(
            f"{prefix}: not a Python environment (no pyvenv.cfg, no Python interpreter "
            "and no lib/pythonX.Y/site-packages in it)"
        )
    if version is None:
        if replace and how in PROJECT_ENVS:
            return _replaced(prefix, replace, impl=impl)
        raise EnvironmentError_(
            f"{prefix}: cannot tell its Python version from its files (pyvenv.cfg has no "
            "version_info, and no lib/pythonX.Y or versioned interpreter); pass --python "
            "with a venv that has its pyvenv.cfg"
        )
    if version.count(".") == 1:
        from driftcheck.interpreter import full_version

        version = full_version(prefix, version) or f"{version}.0"
    minor = ".".join(version.split(".")[:2])
    sites = site_dirs(prefix, minor)
    return TargetEnvironment(
        prefix=prefix,
        site_packages=tuple(sites),
        python_full_version=version,
        implementation=impl,
        uv_created=cfg is not None and "uv" in cfg,
        seeded=cfg is not None and cfg.get("seed", "").lower() == "true",
        replace=replace,
    )


_PYTHON_NAME = lazy(r"(?i)(python|pypy)[\d.]*t?(\.exe)?$")
_NOT_READABLE = (
    "not a Python interpreter driftcheck can read from its files (no lib/pythonX.Y beside "
    "it, and its name does not say its version); driftcheck never runs it: pass --python "
    "with the environment's directory (a venv, or a prefix holding "
    "lib/pythonX.Y/site-packages)"
)


def _from_interpreter(path: str) -> TargetEnvironment:
    """An interpreter file: its venv if it sits in one, else its own installation."""
    from driftcheck.interpreter import (
        follow,
        full_version,
        layout_minor,
        minor_of,
        prefix_of,
        site_dirs,
    )

    venv = prefix_of(path)
    if os.path.isfile(os.path.join(venv, "pyvenv.cfg")):
        return _from_directory(venv, "--python")
    names, final, problem = follow(path)
    if problem is not None:
        raise EnvironmentError_(
            f"{path}: is a {'symlink loop' if problem == 'loop' else 'dangling symlink'}"
        )
    if not any(_PYTHON_NAME().match(name) for name in names):
        raise EnvironmentError_(f"{path}: {_NOT_READABLE}")
    prefix = prefix_of(final)
    found = minor_of(names)
    impl, minor = found if found is not None else ("CPython", layout_minor(prefix))
    debian = prefix == "/usr"
    sites = site_dirs(prefix, minor, debian=debian) if minor else []
    if minor is None or not (sites or os.path.isdir(os.path.join(prefix, "lib", f"python{minor}"))):
        raise EnvironmentError_(f"{path}: {_NOT_READABLE}")
    version = full_version(prefix, minor) or f"{minor}.0"
    return TargetEnvironment(
        prefix=prefix, site_packages=tuple(sites), python_full_version=version, implementation=impl
    )


def _listdir(path: str) -> list[str]:
    try:
        return os.listdir(path)
    except (OSError, ValueError):  # ValueError: a NUL byte in a name read from a file
        return []


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
    """The Version field of its metadata file, read as a regular file (no code runs).

    Only needed for the rare metadata directory whose name carries no version.
    """
    from driftcheck.metadata import SafeDistribution

    try:
        version = SafeDistribution(dist).metadata["Version"]
    except (KeyError, ValueError, OSError):  # (OSError: importlib's MetadataNotFound)
        return None
    return str(version).strip() or None if version else None


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
    from driftcheck.files import Unreadable, read_regular

    try:
        lines = read_regular(entry.path, 1 << 16).decode("utf-8").splitlines()
    except Unreadable as exc:
        return dist._replace(problem=f"{entry.name}: {exc.reason}")
    except UnicodeDecodeError:
        return dist._replace(problem=f"{entry.name}: not valid UTF-8")
    target = lines[0].strip() if lines else ""
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
    roots = _Roots(env)
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
            if (
                entry_name[-10:] == ".dist-info"
                and entry_name.isascii()
                and entry.is_dir(follow_symlinks=False)  # (a link is looked at on its own)
            ):
                stem, sep, release = entry_name[:-10].rpartition("-")
                if sep:
                    common.append(entry)
                    stems.append(stem)
                    releases.append(release)
                    continue
            _add_entry(entry, found, roots)
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
                    _add_entry(entry, found, roots)
    # By name, then folder (of one name, several: a broken environment). Sorting by
    # name alone costs half as much, and whether any name repeats is one set away.
    found.sort(key=_NAME)
    if len(set(map(_NAME, found))) != len(found):
        found.sort(key=_NAME_AND_FOLDER)
    return found


_NAME, _NAME_AND_FOLDER = itemgetter(0), itemgetter(0, 3)


_LAYOUT = itertools.repeat("dist-info")
_NO_PROBLEM = itertools.repeat(None)


class _Roots:
    """The environment's directories with symlinks resolved, worked out only when a
    metadata entry that is a symlink asks (most environments have none)."""

    def __init__(self, env: TargetEnvironment) -> None:
        self._env = env
        self._resolved: list[str] | None = None

    def lead_into(self, path: str) -> bool:
        """``path`` resolves into the environment."""
        from driftcheck.files import inside

        if self._resolved is None:
            paths = (self._env.prefix, *self._env.site_packages)
            self._resolved = [os.path.realpath(p) for p in paths]
        real = os.path.realpath(path)
        return any(inside(real, root) for root in self._resolved)


def _add_entry(entry: os.DirEntry[str], found: list[InstalledDist], roots: _Roots) -> None:
    """Append the distribution of one metadata entry, whatever its shape.

    :param roots: the environment's directories: a metadata entry that is a symlink
        leading elsewhere is a problem, and is never read.
    """
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
    try:
        is_dir = entry.is_dir()
    except OSError:  # a symlink loop (is_dir() passes on only "not found")
        is_dir = False
    kind = layout if is_dir else "egg-info-file"
    if not is_dir and entry.is_symlink():
        kind, problem = layout, f"{_printable(entry.name)} is a broken symlink"
    elif entry.is_symlink() and not roots.lead_into(meta_dir):  # (never read)
        problem = f"{_printable(entry.name)} is a symlink that leads outside the environment"
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
