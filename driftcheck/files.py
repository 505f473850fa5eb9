"""Reading files that strangers wrote: regular files only, with a size limit.

driftcheck runs on pull-request checkouts, so a lockfile, a ``pyproject.toml`` or a
dist-info file may be a FIFO (an ``open`` would wait for a writer forever), a device
(``/dev/zero`` never ends), a symlink loop, or a multi-gigabyte file. Every file
driftcheck reads goes through :func:`read_regular`: it opens with ``O_NONBLOCK`` (a
FIFO opens at once), checks the opened descriptor with ``os.fstat`` (so what is read
is what was checked), refuses anything but a regular file, and never reads more than
the limit. :class:`Unreadable` carries a short phrase for the caller's message.
"""

from __future__ import annotations

import os

__all__ = [
    "LOCKFILE_LIMIT",
    "SMALL_LIMIT",
    "Unreadable",
    "describe_size",
    "inside",
    "missing_reason",
    "open_regular",
    "read_regular",
]

MiB = 1 << 20
# A real lockfile is a few MiB at most (a 5,000-package uv.lock is about 7 MiB).
LOCKFILE_LIMIT = 256 * MiB
# pyproject.toml, pyvenv.cfg, config files and dist-info files (RECORD included).
SMALL_LIMIT = 64 * MiB

_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_BINARY", 0)
)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


class Unreadable(Exception):
    """A file that cannot be read.

    :param reason: why, in a few words (``"file not found"``, ``"is a FIFO, not a
        regular file"``...).
    :param code: the kind of failure: ``missing``, ``not-a-file``, ``outside`` (a
        symlink that leads out of the directory it must stay in), ``too-large`` or
        ``unreadable``.
    """

    def __init__(self, reason: str, code: str = "unreadable") -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


def describe_size(size: int) -> str:
    """``256 MiB``, ``1.5 GiB``, ``12 bytes``."""
    if size < 1024:
        return f"{size} bytes"
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        size_f = size / 1024
        if size_f < 1024 or unit == "TiB":
            text = f"{size_f:.1f}".removesuffix(".0")
            return f"{text} {unit}"
        size = int(size_f)
    raise AssertionError  # pragma: no cover


_S_IFMT, _S_IFREG = 0o170000, 0o100000  # (stat's, without importing it on every run)


def _kind(mode: int) -> str:
    import stat

    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


def missing_reason(path: str) -> str:
    """Why ``path`` does not open as a file: not found, a dangling symlink, a loop."""
    try:
        os.lstat(path)
    except (OSError, ValueError):
        return "file not found"
    try:
        os.stat(path)
    except OSError as exc:
        import errno

        if exc.errno == errno.ELOOP:
            return "is a symlink loop"
        if exc.errno == errno.ENOTDIR:
            return "file not found (a part of its path is not a directory)"
        try:
            target = os.readlink(path)
        except OSError:
            return "file not found"
        return f"is a dangling symlink (to {target})"
    return "file not found"


class _Symlink(Exception):
    """The file opened without following symlinks is one."""


def _open(path: str, no_follow: bool) -> int:
    try:
        return os.open(path, _FLAGS | (_NOFOLLOW if no_follow else 0))
    except FileNotFoundError:
        raise Unreadable(missing_reason(path), "missing") from None
    except IsADirectoryError:
        raise Unreadable("is a directory, not a regular file", "not-a-file") from None
    except ValueError:  # a NUL byte in a name taken from a file
        raise Unreadable("is not a valid file name", "missing") from None
    except OSError as exc:
        import errno

        if exc.errno == errno.ELOOP:
            if no_follow and os.path.islink(path):
                raise _Symlink from None
            raise Unreadable("is a symlink loop", "not-a-file") from None
        if exc.errno == errno.ENOTDIR:
            reason = "file not found (a part of its path is not a directory)"
            raise Unreadable(reason, "missing") from None
        if exc.errno == errno.ENXIO:  # a socket, or a FIFO opened for writing
            raise Unreadable("is not a regular file", "not-a-file") from None
        raise Unreadable(f"cannot be read: {exc.strerror}") from None


def open_regular(
    path: str, limit: int | None = None, *, within: str | None = None
) -> tuple[int, os.stat_result]:
    """Open the regular file at ``path`` for reading: its descriptor (the caller closes
    it) and its ``fstat``.

    :param limit: refuse a file larger than this many bytes.
    :param within: a directory the file must lie in once symlinks are resolved (a
        file of an environment must not lead out of it). Only a file that is itself a
        symlink is resolved: the common case costs no extra system call. (The
        directories on its way are the caller's to check.)
    :raises Unreadable: not found, not a regular file, too large, unreadable, or
        (with ``within``) a symlink that leads outside it.
    """
    try:
        fd = _open(path, no_follow=within is not None)
    except _Symlink:  # (only with ``within``): where does it lead?
        assert within is not None
        if not inside(os.path.realpath(path), os.path.realpath(within)):
            raise Unreadable("is a symlink that leads outside the environment", "outside") from None
        fd = _open(path, no_follow=False)
    try:
        info = os.fstat(fd)
        if info.st_mode & _S_IFMT != _S_IFREG:
            raise Unreadable(f"is {_kind(info.st_mode)}, not a regular file", "not-a-file")
        if limit is not None and info.st_size > limit:
            size, most = describe_size(info.st_size), describe_size(limit)
            raise Unreadable(f"is {size}, over the limit of {most}", "too-large")
    except BaseException:
        os.close(fd)
        raise
    return fd, info


def read_regular(path: str, limit: int = SMALL_LIMIT, *, within: str | None = None) -> bytes:
    """The whole content of the regular file at ``path``, at most ``limit`` bytes
    (:func:`open_regular` says what is refused)."""
    fd, info = open_regular(path, limit, within=within)
    try:
        # One read of the size fstat gives, plus one byte: a short read of a regular
        # file is its end. A file that grew (or a pseudo-file that says 0) reads on.
        want = min(info.st_size, limit) + 1
        data = os.read(fd, want)
        if len(data) < want:
            return data
        chunks, total = [data], len(data)
        while total <= limit:
            chunk = os.read(fd, min(MiB, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:
            raise Unreadable(f"is larger than the limit of {describe_size(limit)}", "too-large")
        return b"".join(chunks)
    except OSError as exc:
        raise Unreadable(f"cannot be read: {exc.strerror}") from None
    finally:
        os.close(fd)


def inside(path: str, directory: str) -> bool:
    """``path`` is ``directory`` or below it (both absolute and normalised)."""
    if path == directory:
        return True
    prefix = directory if directory.endswith(os.sep) else directory + os.sep
    return path.startswith(prefix)
