"""Lockfile readers: one module per format behind one small interface.

Each reader module has a ``plan(ctx) -> Plan`` function that reads its file and returns
the packages the target should have installed, with the comparison rules of that
format's own sync tool. Everything after that (scanning, comparing, reporting) is shared.
"""

from __future__ import annotations

import os
import sys

from driftcheck.errors import ConfigError, SelectionError
from driftcheck.records import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, Protocol

    class ReplacingReader(Protocol):
        """A reader whose tool replaces an environment it cannot use."""

        REPLACES: str  # the tool's name

        def requires_python(self, ctx: Context) -> str | None:
            """The lock's ``requires-python``, if it has one."""

        def selection(self, ctx: Context) -> tuple[dict[str, Any], str]:
            """The selection flags as reports show them, and the command that syncs."""

    from driftcheck.diff import Expected, Rules
    from driftcheck.environment import TargetEnvironment
    from driftcheck.markers import MarkerEvaluator
    from driftcheck.models import Finding
    from driftcheck.project import Pyproject

__all__ = [
    "DETECTED",
    "FLAG_SPELLING",
    "FORMATS",
    "Context",
    "Plan",
    "detect",
    "env_candidates",
    "format_of",
    "plan",
    "refuse_other_flags",
    "replacing_tool",
]

# Format name -> reader module. Detection order is this order.
FORMATS: dict[str, str] = {
    "uv.lock": "driftcheck.lockfiles.uv",
    "pylock.toml": "driftcheck.lockfiles.pylock",
    "requirements.txt": "driftcheck.lockfiles.requirements",
    "poetry.lock": "driftcheck.lockfiles.poetry",
    "pdm.lock": "driftcheck.lockfiles.pdm",
    "Pipfile.lock": "driftcheck.lockfiles.pipfile",
    "conda-lock.yml": "driftcheck.lockfiles.conda",
}
# File names looked for in the project root (requirements files are never guessed).
DETECTED = {
    "uv.lock": "uv.lock",
    "pylock.toml": "pylock.toml",
    "poetry.lock": "poetry.lock",
    "pdm.lock": "pdm.lock",
    "Pipfile.lock": "Pipfile.lock",
    "conda-lock.yml": "conda-lock.yml",
}


class Context(NamedTuple):
    """What a reader gets.

    :param shown: the lockfile's path as messages show it.
    :param flags: the selection flags given (config merged), by argparse ``dest``.
    :param lockfile_limit: the largest lockfile read (``[tool.driftcheck]
        max-lockfile-size``; ``None``: :data:`driftcheck.files.LOCKFILE_LIMIT`).
    :param memo: what a reader parsed once for this check (one dict per check).
    """

    root: str
    lockfile: str
    shown: str
    env: TargetEnvironment
    evaluate: MarkerEvaluator
    pyproject: Pyproject
    flags: dict[str, Any]
    no_build_isolation: bool = False
    lockfile_limit: int | None = None
    memo: dict[str, Any] | None = None


class Plan(NamedTuple):
    """A reader's answer: what should be installed, and how to compare.

    :param locked: every name the lock holds, selected or not: an installed package that
        is locked but not selected is explained as such.
    :param fix: the command that restores sync with this selection.
    :param keep: names never extraneous for this tool; ``None`` is uv's seed rule.
    :param line_of: the lockfile line of an expected package, for readers that find lines
        only when a finding needs one (a scan of the whole file is not free).
    :param extra_findings: findings the reader made itself (conda's own records).
    :param skip_installers: installed dists whose INSTALLER is one of these are not
        compared (they belong to another package manager's records).
    :param warnings: what the reader read its own way, as the tool would (one line
        each, naming the file): a lock newer than driftcheck knows, say.
    """

    format: str
    expected: list[Expected]
    rules: Rules
    selection: dict[str, Any]
    locked: frozenset[str] = frozenset()
    line_of: Callable[[str], int | None] | None = None
    extra_findings: tuple[Finding, ...] = ()
    skip_installers: frozenset[str] = frozenset()
    fix: str | None = None
    keep: frozenset[str] | None = None
    warnings: tuple[str, ...] = ()


# How each selection flag is spelled on the command line, by argparse dest.
FLAG_SPELLING = {
    "extras": "--extra",
    "all_extras": "--all-extras",
    "no_extras": "--no-extra",
    "groups": "--group",
    "no_groups": "--no-group",
    "only_groups": "--only-group",
    "all_groups": "--all-groups",
    "no_default_groups": "--no-default-groups",
    "dev": "--dev/--no-dev/--only-dev",
    "packages": "--package",
    "all_packages": "--all-packages",
    "no_install_project": "--no-install-project",
    "no_install_workspace": "--no-install-workspace",
    "no_install_local": "--no-install-local",
    "no_install_packages": "--no-install-package",
    "no_editable": "--no-editable",
    "inexact": "--inexact",
    "with_groups": "--with",
    "without_groups": "--without",
    "only_groups_poetry": "--only",
    "poetry_extras": "-E/--extras",
    "no_root": "--no-root",
    "pdm_groups": "-G",
    "prod": "--prod",
    "pdm_dev": "-d",
    "no_default": "--no-default",
    "no_self": "--no-self",
    "only_root": "--only-root",
    "clean": "--clean",
}


def refuse_other_flags(ctx: Context, lock_format: str, allowed: set[str]) -> None:
    """Exit 2 on a selection flag that this format's tool does not have.

    The same spelling can mean different things to different tools, so a flag is never
    silently ignored or reinterpreted.
    """
    foreign = sorted(k for k, v in ctx.flags.items() if v and k not in allowed)
    if foreign:
        own = ", ".join(FLAG_SPELLING[k] for k in FLAG_SPELLING if k in allowed) or "none"
        raise SelectionError(
            f"{ctx.shown}: {FLAG_SPELLING.get(foreign[0], foreign[0])} does not apply to a "
            f"{lock_format} (its selection flags: {own})"
        )


def format_of(path: str) -> str:
    """The format a file's name says, for an explicitly named lockfile."""
    name = os.path.basename(path)
    if name == "uv.lock":
        return "uv.lock"
    if name == "pylock.toml" or (name.startswith("pylock.") and name.endswith(".toml")):
        return "pylock.toml"
    if name in ("poetry.lock", "pdm.lock", "Pipfile.lock", "conda-lock.yml"):
        return name
    if name.endswith(".txt") or name.startswith("requirements"):
        return "requirements.txt"
    raise ConfigError(
        f"{path}: cannot tell the lockfile format from its name; pass --lock-format "
        f"({', '.join(FORMATS)})"
    )


def detect(root: str) -> tuple[str, str]:
    """Find the one lockfile in ``root``. None or several is an error."""
    join = os.path.join
    # (lexists: a dangling link is found, and reading it says what it is)
    found = [(join(root, n), fmt) for n, fmt in DETECTED.items() if os.path.lexists(join(root, n))]
    try:
        names = os.listdir(root)
    except OSError:
        names = []
    found += [  # pylock.*.toml
        (join(root, n), "pylock.toml")
        for n in sorted(names)
        if n.startswith("pylock.") and n.endswith(".toml") and len(n) >= len("pylock..toml")
        if os.path.lexists(join(root, n))
    ]
    if len(found) == 1:
        return found[0]
    if not found:
        raise ConfigError(
            f"{root}: no lockfile found (looked for {', '.join(DETECTED)}, pylock.*.toml); "
            "pass --lockfile"
        )
    listed = ", ".join(os.path.basename(p) for p, _ in found)
    raise ConfigError(
        f"{root}: several lockfiles found ({listed}); pick one with --lockfile "
        "or [tool.driftcheck] lockfile"
    )


def _reader(lock_format: str) -> Any:
    if lock_format not in FORMATS:
        raise ConfigError(f"unknown lock format {lock_format!r}; known: {', '.join(FORMATS)}")
    name = FORMATS[lock_format]
    __import__(name)  # (importlib itself imports warnings: not worth it for one call)
    return sys.modules[name]


def plan(lock_format: str, ctx: Context) -> Plan:
    reader: Callable[[Context], Plan] = _reader(lock_format).plan
    return reader(ctx)


def replacing_tool(lock_format: str) -> ReplacingReader | None:
    """The format's reader, if its tool replaces a project environment it cannot use (a
    broken interpreter, a Python outside the lock's ``requires-python``) rather than
    syncing it (see :mod:`driftcheck.replacement`); ``None`` otherwise."""
    reader = _reader(lock_format)
    return reader if getattr(reader, "REPLACES", None) else None


def env_candidates(lock_format: str, root: str, pyproject: Pyproject) -> list[str]:
    """Where the format's own tool keeps the environment, if not in ``.venv``."""
    finder = getattr(_reader(lock_format), "env_candidates", None)
    if finder is None:
        return []
    from pathlib import Path

    return [os.fspath(p) for p in finder(Path(root), pyproject)]
