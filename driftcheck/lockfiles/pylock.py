"""Reader for PEP 751 lock files (``pylock.toml``, ``pylock.<name>.toml``).

Parsing and selection are :mod:`packaging.pylock`'s: ``Pylock.from_dict`` validates,
``Pylock.select`` picks the packages for the target's marker environment, wheel tags,
extras and dependency groups. driftcheck only maps each selected source to its model.
Comparison follows ``uv pip sync``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from driftcheck import shell
from driftcheck.diff import Expected, Rules
from driftcheck.errors import LockfileError, SelectionError
from driftcheck.models import LockedPackage, Source

__all__ = ["plan"]

_ALLOWED_FLAGS = {"extras", "all_extras", "groups", "no_default_groups", "all_groups", "inexact"}


def _local(root: Path, path: str) -> str:
    return path if Path(path).is_absolute() else os.path.normpath(root / path)


def _source(package: Any, chosen: Any, root: Path) -> Source:
    from packaging.pylock import PackageArchive, PackageDirectory, PackageVcs

    if isinstance(chosen, PackageVcs):
        if chosen.path and not chosen.url:
            return Source(kind="directory", path=_local(root, chosen.path))
        return Source(
            kind="git", url=chosen.url, commit=chosen.commit_id, subdirectory=chosen.subdirectory
        )
    if isinstance(chosen, PackageDirectory):
        path = _local(root, chosen.path)
        return (
            Source(kind="editable", path=path)
            if chosen.editable
            else Source(kind="directory", path=path)
        )
    if isinstance(chosen, PackageArchive):
        if chosen.path:
            return Source(kind="path", path=_local(root, chosen.path))
        return Source(kind="url", url=chosen.url, subdirectory=chosen.subdirectory)
    # A wheel or sdist is an ordinary install of that file, with or without an index:
    # uv installs them without direct_url.json (as `pip lock` files list them by URL).
    return Source(kind="registry", url=package.index or chosen.url or chosen.path)


def plan(ctx: Any) -> Any:
    """The reader interface: PEP 751 selection, `uv pip sync` comparison."""
    from packaging.pylock import Pylock, PylockSelectError, PylockValidationError

    from driftcheck.environment import target_tags
    from driftcheck.lockfiles import Plan, refuse_other_flags
    from driftcheck.names import canonicalize_name
    from driftcheck.toml import TableLines, load_toml, read_bytes

    refuse_other_flags(ctx, "pylock.toml", _ALLOWED_FLAGS)
    raw = read_bytes(ctx.lockfile, ctx.shown)
    data = load_toml(raw, ctx.shown)
    try:
        lock = Pylock.from_dict(data)
    except PylockValidationError as exc:
        context = getattr(exc, "context", None)
        if context is None and "version" in str(exc) and "not supported" in str(exc):
            context = "lock-version"
        message = str(getattr(exc, "message", exc)).strip().splitlines()[0]
        line = None
        if context and context.startswith("packages["):
            index = int(context[len("packages[") : context.index("]")])
            line = TableLines(raw.decode("utf-8"), table="packages").of(index)
        raise LockfileError(ctx.shown, message, line=line, where=context) from None

    extras: set[str] = {canonicalize_name(e) for e in ctx.flags.get("extras", ())}
    known_extras: set[str] = {canonicalize_name(e) for e in lock.extras or ()}
    known_groups: set[str] = {canonicalize_name(g) for g in lock.dependency_groups or ()}
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

    lines = TableLines(raw.decode("utf-8"), table="packages")
    index_of = {id(p): i for i, p in enumerate(lock.packages)}
    chosen: dict[str, int] = {}
    expected = []
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
    root = Path(ctx.lockfile).parent.absolute()
    for package, picked in selected:
        locked = LockedPackage(
            name=package.name,
            version=str(package.version) if package.version is not None else None,
            source=_source(package, picked, root),
        )
        chosen.setdefault(locked.name, index_of[id(package)])
        expected.append(Expected(package=locked, required_by=(package.name,)))
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
        locked=frozenset(p.name for p in lock.packages),
        line_of=lambda name: lines.of(chosen[name]) if name in chosen else None,
    )
