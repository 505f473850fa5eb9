"""What driftcheck reads from the project's pyproject.toml (never written)."""

from __future__ import annotations

import os
from itertools import repeat
from types import MappingProxyType

from driftcheck.errors import ConfigError, LockfileError
from driftcheck.names import canonicalize_name
from driftcheck.records import TYPE_CHECKING, NamedTuple
from driftcheck.toml import load_toml

if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

__all__ = ["Pyproject", "find_project_root", "read_pyproject", "workspace_of"]

_MARKERS = ("uv.lock", "pyproject.toml")


class Pyproject(NamedTuple):
    """The parts of pyproject.toml driftcheck uses. ``path`` is ``None`` when absent."""

    path: str | None
    data: Mapping[str, Any] = MappingProxyType({})

    @property
    def name(self) -> str | None:
        project = self.data.get("project")
        if isinstance(project, dict) and isinstance(project.get("name"), str):
            return canonicalize_name(project["name"])
        return None

    @property
    def tool_uv(self) -> dict[str, Any]:
        tool = self.data.get("tool", {})
        uv = tool.get("uv", {}) if isinstance(tool, dict) else {}
        return uv if isinstance(uv, dict) else {}

    @property
    def tool_driftcheck(self) -> dict[str, Any] | None:
        tool = self.data.get("tool", {})
        value = tool.get("driftcheck") if isinstance(tool, dict) else None
        if value is not None and not isinstance(value, dict):
            raise ConfigError(f"{self.path}: [tool.driftcheck] must be a table")
        return value

    def group_names(self) -> frozenset[str]:
        groups = self.data.get("dependency-groups", {})
        return (
            frozenset(canonicalize_name(g) for g in groups)
            if isinstance(groups, dict)
            else frozenset()
        )

    def extra_names(self) -> frozenset[str]:
        project = self.data.get("project", {})
        extras = project.get("optional-dependencies", {}) if isinstance(project, dict) else {}
        return (
            frozenset(canonicalize_name(e) for e in extras)
            if isinstance(extras, dict)
            else frozenset()
        )

    def default_groups(self) -> tuple[str, ...] | str:
        value = self.tool_uv.get("default-groups")
        if value == "all":
            return "all"
        if isinstance(value, list):
            return tuple(canonicalize_name(v) for v in value if isinstance(v, str))
        return ("dev",)

    def no_build_isolation(self) -> bool:
        uv = self.tool_uv
        return bool(uv.get("no-build-isolation")) or bool(uv.get("no-build-isolation-package"))


def find_project_root(start: str | os.PathLike[str]) -> str:
    """The nearest directory at or above ``start`` holding a uv.lock or pyproject.toml."""
    directory = start = os.path.abspath(start)
    while True:
        if any(os.path.isfile(os.path.join(directory, m)) for m in _MARKERS):
            return directory
        parent = os.path.dirname(directory)
        if parent == directory:
            return start
        directory = parent


def read_pyproject(root: str | os.PathLike[str]) -> Pyproject:
    """The project's ``pyproject.toml`` (``path=None`` where there is none)."""
    from driftcheck.files import SMALL_LIMIT, Unreadable, read_regular

    path = os.path.join(root, "pyproject.toml")
    try:
        raw = read_regular(path, SMALL_LIMIT)
    except Unreadable as exc:
        if exc.reason == "file not found":
            return Pyproject(path=None)
        raise ConfigError(f"{path}: {exc.reason}") from None
    try:
        data = load_toml(raw, path)
    except LockfileError as exc:
        raise ConfigError(str(exc)) from None
    _check_shape(data, _SHAPE, path, "")
    return Pyproject(path=path, data=data)


# The shape of every part of pyproject.toml that driftcheck reads (as PEP 621, PEP 735
# and each tool define it): ``dict`` is any table, a dict a table of these keys, ``str``
# in a key a table of any keys, ``[T]`` an array of T. Parts driftcheck does not read
# are not checked; a part it reads in another shape is an error that names it, as the
# tool itself would give (rather than a wrong reading).
_STRINGS = [str]
_SHAPE: dict[str, Any] = {
    "project": {
        "name": str,
        "version": str,
        "dependencies": _STRINGS,
        "optional-dependencies": {str: _STRINGS},
    },
    "dependency-groups": {str: list},
    "tool": {
        "uv": {
            "workspace": {"members": _STRINGS, "exclude": _STRINGS},
            "default-groups": (list, str),
            "package": bool,
            "cache-keys": list,
            "no-build-isolation": bool,
            "no-build-isolation-package": _STRINGS,
        },
        "poetry": {
            "name": str,
            "version": str,
            "package-mode": bool,
            "dependencies": dict,
            "dev-dependencies": dict,
            "group": {str: {"dependencies": dict, "optional": bool}},
            "extras": {str: _STRINGS},
        },
        "pdm": {
            "distribution": bool,
            "package-type": str,
            "dev-dependencies": {str: _STRINGS},
        },
        "driftcheck": dict,
    },
}
_KINDS = {str: "a string", bool: "a boolean", dict: "a table", list: "an array"}


def _check_shape(value: Any, shape: Any, path: str, where: str) -> None:
    """Raise ConfigError naming the first part of ``value`` not of ``shape``."""
    if isinstance(shape, dict):
        if not isinstance(value, dict):
            raise ConfigError(f"{path}: '{where}' must be a table")
        any_key = shape.get(str)
        for key, item in value.items():
            inner = shape.get(key, any_key)
            if inner is not None:
                _check_shape(item, inner, path, f"{where}.{key}" if where else key)
    elif isinstance(shape, list):
        if not isinstance(value, list):
            raise ConfigError(f"{path}: '{where}' must be an array")
        if shape[0] is str and all(map(isinstance, value, repeat(str))):
            return  # (the common case, checked in C: a long list of dependencies)
        for i, item in enumerate(value):
            _check_shape(item, shape[0], path, f"{where}[{i}]")
    elif not isinstance(value, shape):
        kinds = shape if isinstance(shape, tuple) else (shape,)
        wanted = " or ".join(_KINDS[k] for k in kinds)
        raise ConfigError(f"{path}: '{where}' must be {wanted}")


def workspace_of(root: str, pyproject: Pyproject) -> tuple[str, Pyproject, str] | None:
    """For a uv workspace member that has no lockfile of its own: the workspace root,
    its pyproject and the member's name (uv run in a member's directory checks that
    member against the root's uv.lock). ``None`` for anything else.

    The first directory above ``root`` whose pyproject.toml has ``[tool.uv.workspace]``
    decides: ``root`` is a member if a ``members`` glob matches it and no ``exclude``
    glob does, as uv reads them.
    """
    name = pyproject.name
    if name is None:
        return None
    directory = os.path.dirname(root)
    while True:
        candidate = os.path.join(directory, "pyproject.toml")
        if os.path.isfile(candidate):
            try:
                parent = read_pyproject(directory)
            except ConfigError:
                return None
            tool = parent.data.get("tool", {})
            workspace = tool.get("uv", {}).get("workspace") if isinstance(tool, dict) else None
            if isinstance(workspace, dict):
                member = _matches(directory, root, workspace.get("members", [])) and not (
                    _matches(directory, root, workspace.get("exclude", []))
                )
                if member and os.path.lexists(os.path.join(directory, "uv.lock")):
                    return directory, parent, name
                return None
        up = os.path.dirname(directory)
        if up == directory:
            return None
        directory = up


def _matches(workspace: str, member: str, patterns: list[str]) -> bool:
    """A glob of ``patterns`` (relative to ``workspace``) names the directory ``member``."""
    import glob

    target = os.path.normpath(member)
    for pattern in patterns:
        for found in glob.glob(pattern, root_dir=workspace):
            if os.path.normpath(os.path.join(workspace, found)) == target:
                return True
    return False
