"""What a Python interpreter's files say about it, without ever running it.

An interpreter is a name on disk: ``python3.11``, a symlink to one, or a copy
(``python.exe`` on Windows). Its version shows in the names along its symlinks
(``bin/python -> python3 -> python3.11``), and exactly in files beside it: a conda
prefix's ``conda-meta/python-3.11.7-….json``, CPython's
``include/python3.11/patchlevel.h``, or the install directory's own name (pyenv's
``versions/3.11.7``, uv's ``cpython-3.11.7-linux-x86_64-gnu``). Its prefix holds
``lib/pythonX.Y/site-packages`` (``Lib/site-packages`` on Windows; Debian's Python
keeps distributions in ``dist-packages``).
"""

from __future__ import annotations

import os

from driftcheck.patterns import lazy
from driftcheck.records import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    Chain = tuple[tuple[str, ...], str, str | None]

__all__ = [
    "follow",
    "full_version",
    "layout_minor",
    "minor_of",
    "prefix_of",
    "release",
    "replacement",
    "site_dirs",
]

_HOPS = 40  # as the kernel's own bound on symlinks in one path
# python3.11, python3.13t, pypy3.10, python3.11.exe, python311.exe
_PIN = lazy(r"\d+\.\d+(?:\.\d+)?")
_DIR_VERSION = lazy(r"(?:^|[-_@])(3\.\d{1,2}\.\d{1,3})(?:[-_+]|$)")


def follow(path: str) -> Chain:
    """Follow ``path`` through its symlinks, reading links only (nothing is opened).

    :returns: the file names along the way (the given one first); where the chain ends
        (a file, or the missing target of a dangling link); and ``"dangling"`` (it ends
        at nothing) or ``"loop"``, or ``None`` if it ends at an existing file. (A plain
        tuple: one is made on every run, and a record class costs more to create than
        the walk itself.)
    """
    names = []
    current = path
    for _ in range(_HOPS):
        names.append(os.path.basename(current))
        try:
            target = os.readlink(current)
        except OSError:  # not a link (or nothing there)
            if os.path.lexists(current):
                # A directory on the way may itself be a link: realpath settles it.
                real = os.path.realpath(current)
                return tuple(names), real, None if os.path.exists(real) else "dangling"
            return tuple(names), current, "dangling"
        except ValueError:  # a NUL byte in a name read from a file
            return tuple(names), current, "dangling"
        current = os.path.join(os.path.dirname(current), target)
    return tuple(names), current, "loop"


def release(text: str | None) -> str | None:
    """``3.11.7`` from ``3.11.7``, ``3.11.7.final.0`` or ``3.11.7rc1``, ``3.11`` from
    ``3.11``; ``None`` for anything that does not start with a version."""
    if not text:
        return None
    parts = text.strip().split(".", 3)
    numbers = []
    for i, part in enumerate(parts[:3]):
        digits = part if part.isdigit() else part[: len(part) - len(part.lstrip("0123456789"))]
        if not digits or not digits.isascii() or len(digits) > 4:
            break
        numbers.append(str(int(digits)))
        if digits != part:  # (3.13.0rc1: the release ends here)
            if i < 2:
                return None
            break
    if len(numbers) < 2:
        return None
    if len(parts) == 4 and len(numbers) == 3 and parts[3][:1].isdigit():
        return None  # four numbers: not a Python version
    return ".".join(numbers)


def minor_of(names: Iterable[str]) -> tuple[str, str] | None:
    """(implementation, ``3.11``) from the first versioned name, e.g. ``python3.11``."""
    for name in names:
        lower = name.lower().removesuffix(".exe")
        for stem, impl in (("python3", "CPython"), ("pypy3", "PyPy")):
            if lower.startswith(stem):
                rest = lower[len(stem) :].removeprefix(".").removesuffix("t")
                if rest.isdigit() and rest.isascii() and len(rest) <= 2:
                    return impl, f"3.{int(rest)}"
    return None


def prefix_of(executable: str) -> str:
    """The installation prefix of an interpreter file: above ``bin/`` or ``Scripts/``,
    else its own directory (Windows keeps ``python.exe`` at the prefix's top)."""
    directory = os.path.dirname(executable)
    if os.path.basename(directory) in ("bin", "Scripts"):
        return os.path.dirname(directory)
    return directory


def _read_small(path: str) -> bytes | None:
    from driftcheck.files import Unreadable, read_regular

    try:
        return read_regular(path, 1 << 20)
    except Unreadable:
        return None


def full_version(prefix: str, minor: str) -> str | None:
    """The exact version of the Python ``minor`` installed at ``prefix``, where a file
    there records it; ``None`` if none does."""
    header = _read_small(os.path.join(prefix, "include", f"python{minor}", "patchlevel.h"))
    at = header.find(b"#define PY_VERSION") if header is not None else -1
    if header is not None and at != -1:  # #define PY_VERSION "3.11.7"
        line = header[at : header.find(b"\n", at) % (len(header) + 1)].decode("latin-1")
        found = release(line.partition('"')[2].partition('"')[0])
        if found and found.startswith(minor + "."):
            return found
    try:
        records = sorted(os.listdir(os.path.join(prefix, "conda-meta")))
    except (OSError, ValueError):
        records = []
    for record in records:
        parts = record.split("-")
        if record.endswith(".json") and len(parts) >= 3 and parts[0] == "python":
            found = release(parts[1])
            if found and found.startswith(minor + "."):
                return found
    # The install's own directory: pyenv's versions/3.11.7, uv's cpython-3.11.7-…,
    # Homebrew's Cellar/python@3.11/3.11.7_1.
    for directory in (prefix, os.path.dirname(prefix)):
        match = _DIR_VERSION().search(os.path.basename(directory))
        if match is not None and match.group(1).startswith(minor + "."):
            return match.group(1)
    return None


def _layout_minors(prefix: str) -> list[str]:
    """``3.11`` for each ``lib/python3.11`` (or ``pypy3.10``) directory at ``prefix``."""
    found = set()
    for lib in ("lib", "lib64"):
        try:
            names = os.listdir(os.path.join(prefix, lib))
        except (OSError, ValueError):
            continue
        for name in names:
            version = minor_of([name])
            if version is not None and os.path.isdir(os.path.join(prefix, lib, name)):
                found.add(version[1])
    return sorted(found, key=lambda v: tuple(map(int, v.split("."))))


def layout_minor(prefix: str) -> str | None:
    """The one Python version a prefix's ``lib/`` holds, or ``None`` (none, or several)."""
    minors = _layout_minors(prefix)
    return minors[0] if len(minors) == 1 else None


def site_dirs(prefix: str, minor: str | None, *, debian: bool = False) -> list[str]:
    """The directories of ``prefix`` that hold distributions, for Python ``minor``.

    :param debian: also Debian's ``dist-packages`` (a system interpreter under ``/usr``).
    """
    join, isdir = os.path.join, os.path.isdir
    candidates = [join(prefix, "Lib", "site-packages")]
    if minor is not None:
        for lib in ("lib", "lib64"):
            for name in (f"python{minor}", f"python{minor}t", f"pypy{minor}"):
                candidates.append(join(prefix, lib, name, "site-packages"))
        if debian:
            candidates.append(join(prefix, "local", "lib", f"python{minor}", "dist-packages"))
            candidates.append(join(prefix, "lib", "python3", "dist-packages"))
    unique: dict[str, str] = {}
    for path in candidates:
        if isdir(path):
            unique.setdefault(os.path.realpath(path), path)
    return list(unique.values())


def _pinned(directory: str) -> str | None:
    """The version a ``.python-version`` file in ``directory`` pins (``3.12``, or
    ``3.12.1``, from ``3.12``, ``cpython@3.12.1``, ``3.12t``...); ``None`` without one."""
    data = _read_small(os.path.join(directory, ".python-version"))
    if data is None:
        return None
    for line in data.decode("utf-8", "replace").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            match = _PIN().search(line)
            return release(match.group()) if match is not None else None
    return None


def replacement(
    directories: Iterable[str], allowed: Callable[[str], bool], environ: Mapping[str, str]
) -> str | None:
    """The Python uv would make a replacement project environment with, as far as files
    tell: a ``.python-version`` pin in ``directories`` (the project's, then its
    workspace's), else the first interpreter on ``PATH`` (``python3``, then
    ``python``) that ``allowed`` accepts, when its names or its install say its
    version. ``None`` when the files do not tell (a pyenv shim, say, is a script).

    :param allowed: whether a version (``3.12`` or ``3.12.1``) satisfies the project's
        ``requires-python``.
    """
    for directory in directories:
        pinned = _pinned(directory)
        if pinned is not None:
            return pinned
    for directory in environ.get("PATH", "").split(os.pathsep):
        for name in ("python3", "python", "python.exe"):
            path = os.path.join(directory or ".", name)
            if not os.path.isfile(path):
                continue
            names, final, problem = follow(path)
            found = minor_of(names)
            if problem is not None:
                continue
            if found is None:
                return None  # uv would ask it its version; driftcheck cannot
            version = full_version(prefix_of(final), found[1]) or found[1]
            if allowed(version):
                return version
    return None
