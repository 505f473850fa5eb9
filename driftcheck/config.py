"""``[tool.driftcheck]`` in pyproject.toml, merged under the command line's flags."""

from __future__ import annotations

from types import MappingProxyType

from driftcheck.errors import ConfigError
from driftcheck.names import canonicalize_name
from driftcheck.records import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

__all__ = ["AllowRule", "Options", "apply_config"]


class AllowRule(NamedTuple):
    """An extraneous package that is tolerated. ``pattern`` globs canonical names."""

    pattern: str
    reason: str | None = None


class Options(NamedTuple):
    """Everything the command line and config decide.

    :param flags: the selection flags, by argparse ``dest``, with canonical names. Each
        lockfile reader interprets them with its own tool's meaning.
    """

    lockfile: str | None = None
    lock_format: str | None = None
    python: str | None = None
    output_format: str = "text"
    allow: tuple[AllowRule, ...] = ()
    flags: Mapping[str, Any] = MappingProxyType({})
    no_build_isolation: bool = False
    exit_zero: bool = False
    verify_files: bool = False
    selection: str = "flags"
    max_lockfile_size: int | None = None
    active: bool = False


# Config key -> (selection flag dest, expected type).
_SELECTION_KEYS: dict[str, tuple[str, type]] = {
    "extras": ("extras", list),
    "all-extras": ("all_extras", bool),
    "no-extras": ("no_extras", list),
    "groups": ("groups", list),
    "no-groups": ("no_groups", list),
    "only-groups": ("only_groups", list),
    "all-groups": ("all_groups", bool),
    "no-default-groups": ("no_default_groups", bool),
    "packages": ("packages", list),
    "all-packages": ("all_packages", bool),
    "no-install-project": ("no_install_project", bool),
    "no-install-workspace": ("no_install_workspace", bool),
    "no-install-local": ("no_install_local", bool),
    "no-install-packages": ("no_install_packages", list),
    "no-editable": ("no_editable", bool),
    "inexact": ("inexact", bool),
}
_TOP_KEYS: dict[str, type] = {
    "lockfile": str,
    "lock-format": str,
    "python": str,
    "output-format": str,
    "allow": list,
    "no-build-isolation": bool,
    "exit-zero": bool,
    "verify-files": bool,
    "selection": str,
    "max-lockfile-size": object,  # bytes, or a size with a unit: "512 MiB"
}
# Read elsewhere: `projects` (driftcheck.many).
_OTHER_KEYS = frozenset({"projects"})
KNOWN_KEYS = frozenset(_SELECTION_KEYS) | frozenset(_TOP_KEYS) | _OTHER_KEYS


def _choices(key: str) -> tuple[str, ...] | None:
    """The values a string option may take, from the registries that define them."""
    if key == "output-format":
        from driftcheck.reporters import FORMATS as OUTPUT_FORMATS

        return tuple(OUTPUT_FORMATS)
    if key == "lock-format":
        from driftcheck.lockfiles import FORMATS as LOCK_FORMATS

        return tuple(LOCK_FORMATS)
    if key == "selection":
        return ("flags", "infer")
    return None


def _typed(where: str, key: str, value: Any, kind: type) -> Any:
    if key == "max-lockfile-size":
        return _size(where, value)
    if kind is str and isinstance(value, str):
        choices = _choices(key)
        if choices is not None and value not in choices:
            raise ConfigError(
                f"{where}: '{key}' must be one of {', '.join(choices)}, not {value!r}"
            )
        if not value:
            raise ConfigError(f"{where}: '{key}' must not be empty")
    if kind is list:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where}: '{key}' must be a list of strings")
        return value
    if not isinstance(value, kind):
        raise ConfigError(f"{where}: '{key}' must be a {kind.__name__}")
    return value


_UNITS = {"": 1, "b": 1, "kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30}


def _size(where: str, value: Any) -> int:
    """``max-lockfile-size``: a number of bytes, or ``"512 MiB"`` (KiB, MiB, GiB)."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    if isinstance(value, str):
        text = value.strip()
        digits = len(text) - len(text.lstrip("0123456789"))
        number, unit = text[:digits], text[digits:].strip().lower()
        factor = _UNITS.get(unit)
        if number and factor is not None and int(number) > 0:
            return int(number) * factor
    raise ConfigError(
        f"{where}: 'max-lockfile-size' must be a number of bytes or a size like "
        f'"512 MiB", not {value!r}'
    )


def _allow_rules(where: str, value: list[Any]) -> tuple[AllowRule, ...]:
    rules = []
    for i, item in enumerate(value):
        if isinstance(item, str):
            rules.append(AllowRule(pattern=canonicalize_name(item) if "*" not in item else item))
        elif isinstance(item, dict) and isinstance(item.get("name"), str):
            unknown = set(item) - {"name", "reason"}
            if unknown:
                raise ConfigError(f"{where}: unknown key '{sorted(unknown)[0]}' in allow[{i}]")
            reason = item.get("reason")
            if reason is not None and not isinstance(reason, str):
                raise ConfigError(f"{where}: allow[{i}].reason must be a string")
            rules.append(AllowRule(pattern=item["name"].lower(), reason=reason))
        else:
            raise ConfigError(
                f"{where}: allow[{i}] must be a name or a table {{ name = ..., reason = ... }}"
            )
    return tuple(rules)


def apply_config(config: dict[str, Any], where: str, cli: Options, given: set[str]) -> Options:
    """Fill every option the command line did not give from ``[tool.driftcheck]``.

    :param given: names of the Options fields and selection flags the command line set.
    """
    for key in config:
        if key not in KNOWN_KEYS:
            raise ConfigError(f"{where}: unknown key '{key}' in [tool.driftcheck]")
    top: dict[str, Any] = {}
    for key, kind in _TOP_KEYS.items():
        if key not in config:
            continue
        attr = key.replace("-", "_")
        if key == "allow":
            if not isinstance(config[key], list):
                raise ConfigError(f"{where}: 'allow' must be a list")
            top["allow"] = _allow_rules(where, config[key]) + cli.allow
        elif attr not in given:
            top[attr] = _typed(where, key, config[key], kind)
    flags = dict(cli.flags)
    for key, (attr, kind) in _SELECTION_KEYS.items():
        if key in config and attr not in given:
            value = _typed(where, key, config[key], kind)
            flags[attr] = tuple(canonicalize_name(v) for v in value) if kind is list else value
    return cli._replace(flags=flags, **top)
