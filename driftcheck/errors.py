"""The errors driftcheck raises. Only the CLI turns them into messages and exit codes."""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "DriftcheckError",
    "EnvironmentError_",
    "LockfileError",
    "SelectionError",
    "UsageError",
]


class DriftcheckError(Exception):
    """Base class: every expected failure is one of these, and exits 2."""

    def one_line(self) -> str:
        """The message as a single line, whatever the cause contained."""
        return " ".join(str(self).split())


class LockfileError(DriftcheckError):
    """A lockfile that cannot be read, parsed or understood.

    :param path: the lockfile's path as the user named it.
    :param line: the 1-based line of the problem, when known.
    :param where: a dotted path to the bad value, e.g. ``package[17].version``.
    """

    def __init__(
        self, path: str, message: str, *, line: int | None = None, where: str | None = None
    ) -> None:
        self.path = path
        self.line = line
        self.where = where
        self.message = message
        super().__init__(self._render())

    def _render(self) -> str:
        place = f"{self.path}:{self.line}" if self.line else self.path
        tail = f" (at '{self.where}')" if self.where else ""
        return f"{place}: {self.message}{tail}"


class ConfigError(DriftcheckError):
    """Bad `[tool.driftcheck]` configuration or contradictory flags."""


class SelectionError(DriftcheckError):
    """An unknown extra or group, conflicting extras, an unknown package."""


class EnvironmentError_(DriftcheckError):
    """The target environment cannot be found or read at all."""


class UsageError(DriftcheckError):
    """Bad flags or arguments on the command line."""
