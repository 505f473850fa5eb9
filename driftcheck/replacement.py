"""Environments a tool would replace rather than sync, and what it would make instead.

uv replaces a project environment it cannot use: its interpreter link dangles, it has
no interpreter, its interpreter is another Python than the one it was made with, or
its Python fails the lock's ``requires-python``. ``uv sync --check`` then lists every
package of the new environment as an install; driftcheck says so in one ``python``
finding, with what the new environment would hold where files tell its Python, and
never evaluates markers for the rejected interpreter.
"""

from __future__ import annotations

import os
from pathlib import Path

from driftcheck.lockfiles import plan
from driftcheck.markers import MarkerEvaluator
from driftcheck.models import Finding, Report
from driftcheck.records import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from driftcheck.check import Prepared
    from driftcheck.environment import TargetEnvironment
    from driftcheck.lockfiles import Context, ReplacingReader

__all__ = ["Replacement", "outside_requires_python", "replaced"]


class Replacement(NamedTuple):
    """The environment a tool would make in place of one it cannot use.

    :param python: the Python it would be made with, where files tell (``None`` if not).
    :param packages: (name, version) of what it would install there, for that Python;
        ``None`` when the Python is not known.
    """

    python: str | None
    packages: tuple[tuple[str, str | None], ...] | None


def allows(requires_python: str, version: str, shown: str) -> bool:
    """``version`` satisfies the lock's ``requires-python``.

    :raises LockfileError: for a ``requires-python`` that is not a version specifier.
    """
    from driftcheck.markers import specifier_contains

    satisfied = specifier_contains(requires_python, version)
    if satisfied is not None:
        return satisfied
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    from driftcheck.errors import LockfileError

    try:
        allowed = SpecifierSet(requires_python)
    except InvalidSpecifier:
        raise LockfileError(
            shown, f"invalid requires-python {requires_python!r}", where="requires-python"
        ) from None
    return allowed.contains(version, prereleases=True)


def other_python(env: TargetEnvironment, request: str) -> str | None:
    """Why ``uv sync --python REQUEST`` would replace the environment (its Python is not
    the one asked for), or ``None``."""
    import re

    version = env.python_full_version
    wanted = re.sub(r"^(?:c?python|pypy|graalpy)[@-]?", "", request).removesuffix("t")
    if not wanted:
        return None
    if wanted[0] in "<>=!~":
        ok = allows(wanted, version, request)
    else:
        ok = version == wanted or version.startswith(wanted + ".")
    if ok:
        return None
    return f"its Python {version} is not the one asked for (--python {request})"


def outside_requires_python(ctx: Context, reader: ReplacingReader) -> str | None:
    """Why the environment's Python fails the lock's ``requires-python``, or ``None``.

    (Called on every check of such a lock: the plain case is decided without importing
    this module.)
    """
    requires_python = reader.requires_python(ctx)
    version = ctx.env.python_full_version
    if requires_python and not allows(requires_python, version, ctx.shown):
        return f"its Python {version} does not satisfy the lock's requires-python {requires_python}"
    return None


def replaced(prepared: Prepared, reader: ReplacingReader, why: str, verified_files: bool) -> Report:
    """The report on an environment the tool would replace: one ``python`` finding that
    says so, with what the replacement would hold. Nothing of the old environment is
    compared, and its Python's markers are not evaluated."""
    from driftcheck.interpreter import replacement

    ctx = prepared.ctx
    requires_python = reader.requires_python(ctx)
    places = dict.fromkeys([ctx.root, str(Path(ctx.lockfile).absolute().parent)])
    python = replacement(
        places,
        lambda version: not requires_python or allows(requires_python, version, ctx.shown),
        os.environ,
    )
    packages = None
    if python is not None:
        version = python if python.count(".") >= 2 else f"{python}.0"
        env = _new_env(ctx.env, version)
        new_ctx = ctx._replace(env=env, evaluate=MarkerEvaluator(env.marker_environment()))
        expected = plan(prepared.lock_format, new_ctx).expected
        packages = tuple(sorted((e.package.name, e.package.version) for e in expected))
        made = f"with Python {python}, and install {len(packages)} package"
        made += "" if len(packages) == 1 else "s"
    else:
        made = "with the first Python it finds that satisfies requires-python"
    finding = Finding(
        kind="mismatched",
        name="python",
        reason=f"{why}: {reader.REPLACES} would replace the environment, {made}",
        replacement=Replacement(python=python, packages=packages),
    )
    selection, fix = reader.selection(ctx)
    from driftcheck.fixes import complete

    fix = complete(
        prepared.lock_format, fix, root=ctx.root, env_prefix=ctx.env.prefix, how=prepared.how
    )
    return Report(
        lockfile=ctx.lockfile,
        lock_format=prepared.lock_format,
        environment=ctx.env.prefix,
        python=ctx.env.python_full_version,
        selection=selection,
        findings=(finding,),
        fix_command=fix,
        checked=0,
        verified_files=verified_files,
    )


def _new_env(env: TargetEnvironment, version: str) -> TargetEnvironment:
    """The replacement environment: a fresh one of Python ``version``, holding nothing."""
    return env._replace(
        python_full_version=version, implementation="CPython", site_packages=(), replace=None
    )
