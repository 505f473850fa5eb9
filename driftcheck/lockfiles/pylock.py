"""Reader for PEP 751 lock files (``pylock.toml``, ``pylock.<name>.toml``).

Parsing and selection are :mod:`packaging.pylock`'s: ``Pylock.from_dict`` validates,
``Pylock.select`` picks the packages for the target's marker environment, wheel tags,
extras and dependency groups. A lock in the layout uv writes is read and selected by
:mod:`driftcheck.lockfiles.pylock_fast` instead, held equal to packaging's by tests; any
lock it is not sure of, and every error, goes packaging's way. driftcheck only maps each
selected source to its model. Comparison follows ``uv pip sync``.
"""

from __future__ import annotations

import os

from driftcheck import shell
from driftcheck.diff import Expected, Rules
from driftcheck.errors import LockfileError, SelectionError
from driftcheck.models import LockedPackage, Source
from driftcheck.records import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

__all__ = ["plan"]

_ALLOWED_FLAGS = {"extras", "all_extras", "groups", "no_default_groups", "all_groups", "inexact"}


def _local(root: str, path: str) -> str:
    return path if os.path.isabs(path) else os.path.normpath(os.path.join(root, path))


def _source(choice: tuple[Any, ...], root: str) -> Source:
    """The source of a selected package, from how it installs (see ``pylock_fast``)."""
    kind = choice[0]
    if kind == "directory":
        path = _local(root, choice[1])
        return Source(kind="editable" if choice[2] else "directory", path=path)
    if kind == "git":
        return Source(kind="git", url=choice[1], commit=choice[2], subdirectory=choice[3])
    if kind == "path":
        return Source(kind="path", path=_local(root, choice[1]))
    if kind == "url":
        return Source(kind="url", url=choice[1], subdirectory=choice[2])
    # A wheel or sdist is an ordinary install of that file, with or without an index: uv
    # installs them without direct_url.json (as `pip lock` files list them by URL).
    return Source(kind="registry", url=choice[1])


def _choice(package: Any, picked: Any) -> tuple[Any, ...]:
    """How a package ``Pylock.select`` picked installs, in ``_source``'s terms."""
    from packaging.pylock import PackageArchive, PackageDirectory, PackageVcs

    if isinstance(picked, PackageVcs):
        if picked.path and not picked.url:
            return ("directory", picked.path, False)
        return ("git", picked.url, picked.commit_id, picked.subdirectory)
    if isinstance(picked, PackageDirectory):
        return ("directory", picked.path, bool(picked.editable))
    if isinstance(picked, PackageArchive):
        if picked.path:
            return ("path", picked.path)
        return ("url", picked.url, picked.subdirectory)
    return ("files", package.index or picked.url or picked.path)


def _full(raw: bytes, text: str, ctx: Any) -> Any:
    """The lock read the full way: a TOML parse, then ``Pylock.from_dict``.

    :param text: ``raw`` decoded (``""`` if it is not UTF-8: the TOML read reports that
        before any entry's line is needed)."""
    from packaging.pylock import Pylock, PylockValidationError

    from driftcheck.toml import TableLines, load_toml

    data = load_toml(raw, ctx.shown)
    try:
        return Pylock.from_dict(data)
    except RecursionError:  # a marker's parentheses, nested past packaging's parser
        raise LockfileError(ctx.shown, "a marker is nested too deep to read") from None
    except PylockValidationError as exc:
        context = getattr(exc, "context", None)
        if context is None and "version" in str(exc) and "not supported" in str(exc):
            context = "lock-version"
        message = str(getattr(exc, "message", exc)).strip().splitlines()[0]
        line = None
        if context and context.startswith("packages["):
            index = int(context[len("packages[") : context.index("]")])
            line = TableLines(text, table="packages").of(index)
        raise LockfileError(ctx.shown, message, line=line, where=context) from None


def _select_full(
    lock: Any, ctx: Any, extras: set[str], groups: set[str] | None
) -> list[tuple[int, str, str | None, tuple[Any, ...]]]:
    """``Pylock.select``, as (index, name, version, how it installs) per package."""
    from packaging.pylock import PylockSelectError

    from driftcheck.environment import target_tags

    index_of = {id(p): i for i, p in enumerate(lock.packages)}
    try:
        selected = list(
            lock.select(
                environment=ctx.evaluate.environment,
                tags=target_tags(ctx.env),
                extras=extras,
                dependency_groups=groups,
            )
        )
    except PylockSelectError as exc:
        raise LockfileError(ctx.shown, " ".join(str(exc).split())) from None
    return [
        (
            index_of[id(package)],
            package.name,
            str(package.version) if package.version is not None else None,
            _choice(package, picked),
        )
        for package, picked in selected
    ]


def plan(ctx: Any) -> Any:
    """The reader interface: PEP 751 selection, `uv pip sync` comparison."""
    from driftcheck.lockfiles import Plan, pylock_fast, refuse_other_flags
    from driftcheck.names import canonicalize_name
    from driftcheck.toml import TableLines, read_bytes

    refuse_other_flags(ctx, "pylock.toml", _ALLOWED_FLAGS)
    raw = read_bytes(ctx.lockfile, ctx.shown, ctx.lockfile_limit)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = ""
    fast = pylock_fast.read(text, raw) if text else None
    if fast is not None:
        lock: Any = fast
        names = [p[0] for p in fast.packages]
        declared_extras: Any = fast.extras
        declared_groups: Any = fast.dependency_groups
    else:
        lock = _full(raw, text, ctx)  # (which words any error)
        names = [p.name for p in lock.packages]
        declared_extras, declared_groups = lock.extras or (), lock.dependency_groups or ()

    extras: set[str] = {canonicalize_name(e) for e in ctx.flags.get("extras", ())}
    known_extras: set[str] = {canonicalize_name(e) for e in declared_extras}
    known_groups: set[str] = {canonicalize_name(g) for g in declared_groups}
    for extra in sorted(extras - known_extras):
        raise SelectionError(f"{ctx.shown}: extra `{extra}` is not in the lock's `extras`")
    if ctx.flags.get("all_extras"):
        extras = known_extras
    groups: set[str] | None = None
    asked: set[str] = {canonicalize_name(g) for g in ctx.flags.get("groups", ())}
    for group in sorted(asked - known_groups):
        raise SelectionError(
            f"{ctx.shown}: group `{group}` is not in the lock's `dependency-groups`"
        )
    if ctx.flags.get("all_groups"):
        groups = known_groups
    elif asked or ctx.flags.get("no_default_groups"):
        # As `uv pip sync` and PEP 751: naming groups replaces the default groups.
        groups = asked

    selected = None
    if fast is not None:
        from driftcheck.environment import target_tags

        selected = pylock_fast.select(
            fast,
            ctx.evaluate,
            ctx.evaluate.environment["python_full_version"],
            lambda: target_tags(ctx.env),
            extras,
            groups,
        )
        lines = TableLines(text, fast.offsets, table="packages")
    if selected is None:  # select would raise, or the fast reader is not sure
        if fast is not None:
            lock = _full(raw, text, ctx)
        selected = _select_full(lock, ctx, extras, groups)
        lines = TableLines(text, table="packages")

    root = os.path.dirname(os.path.abspath(ctx.lockfile))
    new = tuple.__new__  # (records made in the loop: thousands of them)
    registry: dict[str, Source] = {}  # one per index
    chosen: dict[str, int] = {}
    expected = []
    for i, name, version, choice in selected:
        if choice[0] == "files":
            url = choice[1]
            source = registry.get(url) or registry.setdefault(url, _source(choice, root))
        else:
            source = _source(choice, root)
        chosen.setdefault(name, i)
        expected.append(new(Expected, (new(LockedPackage, (name, version, source, None)), (name,))))
    inexact = bool(ctx.flags.get("inexact"))
    fix = ["uv", "pip", "install" if inexact else "sync", "--preview-features", "pylock"]
    fix += [f"--extra={e}" for e in sorted(ctx.flags.get("extras", ()))]
    fix += ["--all-extras"] if ctx.flags.get("all_extras") else []
    fix += [f"--group={g}" for g in sorted(ctx.flags.get("groups", ()))]
    fix += ["-r"] if inexact else []
    fix.append(str(ctx.shown))
    return Plan(
        format="pylock.toml",
        expected=expected,
        rules=Rules(exact=not inexact, strict_registry=False),
        selection={
            "extras": sorted(extras),
            "dependency_groups": sorted(groups) if groups is not None else None,
            "inexact": inexact,
        },
        fix=shell.join(fix),
        locked=frozenset(names),
        line_of=lambda name: lines.of(chosen[name]) if name in chosen else None,
    )
