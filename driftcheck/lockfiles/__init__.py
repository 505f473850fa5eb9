"""Lockfile readers: one module per format behind one small interface.

Each reader module has a ``plan(ctx) -> Plan`` function that reads its file and returns
the packages the target should have installed, with the comparison rules of that
format's own sync tool. Everything after that (scanning, comparing, reporting) is shared.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from driftcheck.diff import Expected, Rules
from driftcheck.environment import TargetEnvironment
from driftcheck.errors import ConfigError
from driftcheck.markers import MarkerEvaluator
from driftcheck.project import Pyproject

__all__ = ["FORMATS", "Context", "Plan", "detect", "env_candidates", "format_of", "plan"]

# Format name -> reader module. Detection order is this order.
FORMATS: dict[str, str] = {
    "uv.lock": "driftcheck.lockfiles.uv",
    "pylock.toml": "driftcheck.lockfiles.pylock",
    "requirements.txt": "driftcheck.lockfiles.requirements",
    "poetry.lock": "driftcheck.lockfiles.poetry",
    "pdm.lock": "driftcheck.lockfiles.pdm",
}
# File names looked for in the project root (requirements files are never guessed).
_DETECTED = {
    "uv.lock": "uv.lock",
    "pylock.toml": "pylock.toml",
    "poetry.lock": "poetry.lock",
    "pdm.lock": "pdm.lock",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Context:
    """What a reader gets.

    :param shown: the lockfile's path as messages show it.
    :param flags: the selection flags given (config merged), by argparse ``dest``.
    """

    root: Path
    lockfile: Path
    shown: str
    env: TargetEnvironment
    evaluate: MarkerEvaluator
    pyproject: Pyproject
    flags: dict[str, Any]
    no_build_isolation: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    """A reader's answer: what should be installed, and how to compare.

    :param locked: every name the lock holds, selected or not: an installed package that
        is locked but not selected is explained as such.
    :param fix: the command that restores sync with this selection.
    :param keep: names never extraneous for this tool; ``None`` is uv's seed rule.
    """

    format: str
    expected: list[Expected]
    rules: Rules
    selection: dict[str, Any]
    locked: frozenset[str] = frozenset()
    fix: str | None = None
    keep: frozenset[str] | None = None


def format_of(path: Path) -> str:
    """The format a file's name says, for an explicitly named lockfile."""
    name = path.name
    if name == "uv.lock":
        return "uv.lock"
    if name == "pylock.toml" or (name.startswith("pylock.") and name.endswith(".toml")):
        return "pylock.toml"
    if name in ("poetry.lock", "pdm.lock"):
        return name
    if name.endswith(".txt") or name.startswith("requirements"):
        return "requirements.txt"
    raise ConfigError(
        f"{path}: cannot tell the lockfile format from its name; pass --lock-format "
        f"({', '.join(FORMATS)})"
    )


def detect(root: Path) -> tuple[Path, str]:
    """Find the one lockfile in ``root``. None or several is an error."""
    found = [(root / name, fmt) for name, fmt in _DETECTED.items() if (root / name).exists()]
    found += [(p, "pylock.toml") for p in sorted(root.glob("pylock.*.toml")) if p.is_file()]
    if len(found) == 1:
        return found[0]
    if not found:
        raise ConfigError(
            f"{root}: no lockfile found (looked for {', '.join(_DETECTED)}, pylock.*.toml); "
            "pass --lockfile"
        )
    names = ", ".join(p.name for p, _ in found)
    raise ConfigError(
        f"{root}: several lockfiles found ({names}); pick one with --lockfile "
        "or [tool.driftcheck] lockfile"
    )


def _reader(lock_format: str) -> Any:
    if lock_format not in FORMATS:
        raise ConfigError(f"unknown lock format {lock_format!r}; known: {', '.join(FORMATS)}")
    return importlib.import_module(FORMATS[lock_format])


def plan(lock_format: str, ctx: Context) -> Plan:
    reader: Callable[[Context], Plan] = _reader(lock_format).plan
    return reader(ctx)


def env_candidates(lock_format: str, root: Path, pyproject: Pyproject) -> list[Path]:
    """Where the format's own tool keeps the environment, if not in ``.venv``."""
    finder = getattr(_reader(lock_format), "env_candidates", None)
    return list(finder(root, pyproject)) if finder else []
