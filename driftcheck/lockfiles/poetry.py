"""Reader for poetry.lock (lock-version 1.1, 2.0 and 2.1), with `poetry sync` semantics.

Lock 2.1 (poetry 2) records per package the ``groups`` that need it and its ``markers``
(a string, or a table keyed by group), so selection needs no graph walk. Locks 1.1 and
2.0 do not: there the graph is walked from the pyproject's dependencies through each
package's ``[package.dependencies]``, following markers.

Selection takes poetry's own flags with poetry's meaning: ``--with``, ``--without``,
``--only``, ``-E/--extras``, ``--all-extras``, ``--all-groups``, ``--no-root``.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import sys
from pathlib import Path
from typing import Any

from driftcheck import shell
from driftcheck.diff import Expected, Rules
from driftcheck.errors import LockfileError, SelectionError
from driftcheck.markers import compile_marker, valid_version
from driftcheck.models import REGISTRY, LockedPackage, Source
from driftcheck.names import canonicalize_name
from driftcheck.patterns import lazy
from driftcheck.toml import TableLines
from driftcheck.toml_subset import ARRAY_STRING_CHARS, STRING_CHARS, quoted, skipped_end

__all__ = ["env_candidates", "plan", "poetry_env_name"]

SUPPORTED = ("1.1", "2.0", "2.1")
_POETRY_FLAGS = {"with_groups", "without_groups", "only_groups_poetry", "poetry_extras"}
_SHARED_FLAGS = {"all_extras", "all_groups", "no_root", "only_root"}


def poetry_env_name(name: str, project_dir: Path) -> str:
    """The ``<name>-<hash>`` poetry gives a project's virtualenv (without ``-pyX.Y``)."""
    sanitized = re.sub(r'[ $`!*@"\\\r\n\t]', "_", name.lower())[:42]
    cwd = os.path.normcase(os.path.realpath(project_dir))
    digest = hashlib.sha256(cwd.encode()).digest()
    return f"{sanitized}-{base64.urlsafe_b64encode(digest).decode()[:8]}"


def _poetry_config(root: Path) -> dict[str, Any]:
    """poetry's settings that place environments, read (never written) from its files."""
    from driftcheck.files import Unreadable, read_regular
    from driftcheck.toml import load_toml

    config_dir = os.environ.get("POETRY_CONFIG_DIR")
    if not config_dir:
        base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
        config_dir = str(Path(base) / "pypoetry")
    merged: dict[str, Any] = {}
    for path in (Path(config_dir) / "config.toml", root / "poetry.toml"):
        try:
            data = load_toml(read_regular(str(path)), str(path))
        except (Unreadable, LockfileError):
            continue
        venvs = data.get("virtualenvs", {})
        if isinstance(data.get("cache-dir"), str):
            merged["cache-dir"] = data["cache-dir"]
        if isinstance(venvs, dict):
            for key in ("path", "in-project"):
                if key in venvs:
                    merged[f"virtualenvs.{key}"] = venvs[key]
    return merged


def _cache_dir(config: dict[str, Any]) -> Path:
    if os.environ.get("POETRY_CACHE_DIR"):
        return Path(os.environ["POETRY_CACHE_DIR"])
    if isinstance(config.get("cache-dir"), str):
        return Path(config["cache-dir"]).expanduser()
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "pypoetry"
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA", Path.home())) / "pypoetry" / "Cache"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "pypoetry"


def env_candidates(root: Path, pyproject: Any) -> list[Path]:
    """Where poetry keeps this project's environment, after the in-project ``.venv``."""
    name = pyproject.name or _tool_poetry(pyproject).get("name")
    if not isinstance(name, str):
        return []
    config = _poetry_config(root)
    venvs = os.environ.get("POETRY_VIRTUALENVS_PATH") or config.get("virtualenvs.path")
    base = (
        Path(venvs).expanduser() if isinstance(venvs, str) else _cache_dir(config) / "virtualenvs"
    )
    env_name = poetry_env_name(name, root)
    found = sorted(base.glob(f"{env_name}-py*"))
    if len(found) > 1:
        # poetry records the one in use in envs.toml.
        from driftcheck.files import Unreadable, read_regular
        from driftcheck.toml import load_toml

        try:
            envs = load_toml(read_regular(str(base / "envs.toml")), "envs.toml")
            minor = envs.get(env_name, {}).get("minor")
            found = [p for p in found if p.name == f"{env_name}-py{minor}"] or found
        except (Unreadable, LockfileError):
            pass
    return found[-1:]


def _tool_poetry(pyproject: Any) -> dict[str, Any]:
    tool = pyproject.data.get("tool", {})
    poetry = tool.get("poetry", {}) if isinstance(tool, dict) else {}
    return poetry if isinstance(poetry, dict) else {}


def _split(values: Any) -> list[str]:
    out: list[str] = []
    for value in values or ():
        out += [v for v in re.split(r"[,\s]+", value) if v]
    return out


def _source(raw: Any, root: Path, develop: bool) -> Source:
    if raw is None:
        return REGISTRY
    if not isinstance(raw, dict) or raw.get("type") in (None, "legacy"):
        url = raw.get("url") if isinstance(raw, dict) else None
        return Source(kind="registry", url=url)
    kind, url = raw.get("type"), str(raw.get("url", ""))
    if kind == "directory":
        path = url if Path(url).is_absolute() else os.path.normpath(root / url)
        return Source(kind="editable" if develop else "directory", path=path)
    if kind == "file":
        path = url if Path(url).is_absolute() else os.path.normpath(root / url)
        return Source(kind="path", path=path)
    if kind == "git":
        commit = raw.get("resolved_reference") or raw.get("reference")
        return Source(kind="git", url=url, commit=commit, subdirectory=raw.get("subdirectory"))
    return Source(kind="url", url=url, subdirectory=raw.get("subdirectory"))


def _groups_config(pyproject: Any) -> tuple[set[str], set[str]]:
    """(all groups, optional groups) declared for poetry in pyproject.toml."""
    groups = _tool_poetry(pyproject).get("group", {})
    names: set[str] = {"main"}
    optional: set[str] = set()
    if isinstance(groups, dict):
        for name, table in groups.items():
            names.add(name)
            if isinstance(table, dict) and table.get("optional"):
                optional.add(name)
    if "dev-dependencies" in _tool_poetry(pyproject):
        names.add("dev")
    return names, optional


def _defined_in(ctx: Any) -> str:
    """The file that defines the project, as messages name it."""
    from driftcheck.paths import shown

    return shown(ctx.pyproject.path) if ctx.pyproject.path else ctx.shown


def _selected_groups(
    flags: dict[str, Any], names: set[str], optional: set[str], where: str
) -> set[str]:
    with_ = set(_split(flags.get("with_groups")))
    without = set(_split(flags.get("without_groups")))
    only = set(_split(flags.get("only_groups_poetry")))
    for flag, asked in (("--with", with_), ("--without", without), ("--only", only)):
        unknown = sorted(asked - names)
        if unknown:
            raise SelectionError(f"{where}: Group(s) not found: {', '.join(unknown)} (via {flag})")
    if only:
        return only
    chosen = set(names) if flags.get("all_groups") else (names - optional) | with_
    return chosen - without


def _marker_for(raw: dict[str, Any], groups: set[str]) -> list[str | None]:
    markers = raw.get("markers")
    if isinstance(markers, dict):
        return [markers.get(g) for g in groups if g in (raw.get("groups") or [])] or [None]
    return [markers if isinstance(markers, str) else None]


# A [[package]] table as poetry writes it for a registry package, up to its file list;
# then its [package.dependencies] of plain version constraints, if any. Read by one
# match each (the TOML reader's line by line parse is most of a large lock's check):
# any other table is read by the TOML reader.
_S, _A = STRING_CHARS, ARRAY_STRING_CHARS
_PACKAGE = lazy(
    rf'name = "({_S})"\nversion = "({_S})"\ndescription = "({_S})"\noptional = (true|false)\n'
    rf'python-versions = "({_S})"\n(?:groups = \[((?:"{_A}", )*"{_A}")\]\n|)'
    rf'(?:markers = "({_S})"\n|)files = \[\n'
)
_DEPENDENCIES = lazy(rf'\n+\[package\.dependencies\]\n((?:[A-Za-z0-9_-]+ = "{_S}"\n)+)\n*\Z')
_DEPENDENCY = lazy(rf'([A-Za-z0-9_-]+) = "({_S})"\n')


def _package_table(text: str) -> dict[str, object] | None:
    """One [[package]] table (the text after its header) in poetry's usual layout, as
    the TOML reader gives it with ``files`` skipped; ``None`` for any other."""
    head = _PACKAGE().match(text)
    if head is None:
        return None
    end = skipped_end(text, head.end())
    if end is None:
        return None
    name, version, description, optional, python, groups, markers = head.groups()
    table: dict[str, object] = {
        "name": name,
        "version": version,
        "description": description,
        "optional": optional == "true",
        "python-versions": python,
    }
    if groups is not None:
        table["groups"] = quoted(groups)
    if markers is not None:
        table["markers"] = markers
    table["files"] = []
    if text.count("\n", end) == len(text) - end:
        return table  # (only blank lines after the files)
    dependencies = _DEPENDENCIES().match(text, end)
    if dependencies is None:
        return None
    lines = dependencies.group(1)
    table["dependencies"] = found = dict(_DEPENDENCY().findall(lines))
    return table if len(found) == lines.count("\n") else None  # (else a duplicate key)


def plan(ctx: Any) -> Any:
    """The reader interface: `poetry sync` semantics."""
    from driftcheck.lockfiles import Plan, refuse_other_flags
    from driftcheck.toml import decode_utf8, loads, read_bytes

    refuse_other_flags(ctx, "poetry.lock", _POETRY_FLAGS | _SHARED_FLAGS)
    raw_bytes = read_bytes(ctx.lockfile, ctx.shown, ctx.lockfile_limit)
    text = decode_utf8(raw_bytes, ctx.shown)
    data = loads(text, ctx.shown, ("files",), _package_table)  # hashes: unread
    meta = data.get("metadata")
    if not isinstance(meta, dict):
        raise LockfileError(
            ctx.shown, "missing [metadata] table; is this a poetry.lock?", where="metadata"
        )
    version = meta.get("lock-version")
    if version not in SUPPORTED:
        raise LockfileError(
            ctx.shown,
            f"unsupported lock-version {version!r}; driftcheck reads poetry.lock "
            f"{', '.join(SUPPORTED)}",
            where="metadata.lock-version",
        )
    packages = data.get("package", [])
    if not isinstance(packages, list):
        raise LockfileError(ctx.shown, "'package' must be an array of tables", where="package")
    lines = TableLines(text)
    checked = lines.checked(packages, lambda raw, i: _check_package(ctx.shown, raw, i))

    names, optional = _groups_config(ctx.pyproject)
    where = _defined_in(ctx)
    groups = _selected_groups(ctx.flags, names, optional, where)
    lock_extras = data.get("extras", {}) if isinstance(data.get("extras"), dict) else {}
    extras = (
        set(lock_extras)
        if ctx.flags.get("all_extras")
        else set(_split(ctx.flags.get("poetry_extras")))
    )
    unknown = sorted(
        canonicalize_name(e)
        for e in extras
        if e not in lock_extras
        and canonicalize_name(e) not in {canonicalize_name(k) for k in lock_extras}
    )
    if unknown:
        raise SelectionError(f"{where}: Extra [{', '.join(unknown)}] is not specified.")
    extra_packages = {
        canonicalize_name(re.split(r"[ (\[;]", item, maxsplit=1)[0])
        for e in extras
        for item in lock_extras.get(e, [])
    }
    active: set[str] = {canonicalize_name(e) for e in extras}
    root = Path(ctx.lockfile).parent.absolute()

    if version == "2.1":
        chosen = []
        for i, raw in enumerate(checked):
            pkg_groups = set(raw.get("groups") or ["main"])
            if not pkg_groups & groups:
                continue
            markers = raw.get("markers")
            if markers is None:
                # (no marker: an optional package is one an extra names directly)
                if raw.get("optional") and canonicalize_name(raw["name"]) not in extra_packages:
                    continue
            elif not any(ctx.evaluate(m, active) for m in _marker_for(raw, groups & pkg_groups)):
                continue  # (an extra's packages, direct or not, carry `extra == "..."`)
            chosen.append(i)
    else:
        chosen = _walk_legacy(ctx, checked, groups, extras, active)

    expected = []
    index_of: dict[str, int] = {}
    new = tuple.__new__  # (records made in the loop: thousands of them)
    for i in chosen:
        raw = checked[i]
        name = canonicalize_name(raw["name"])
        source = _source(raw.get("source"), root, bool(raw.get("develop")))
        index_of[name] = i
        locked = new(LockedPackage, (name, raw["version"], source, None))
        expected.append(new(Expected, (locked, (name,))))
    project = _root_project(ctx, groups)
    if ctx.flags.get("only_root"):  # poetry sync --only-root: the project, and nothing else
        expected = []
    if project is not None:
        expected.append(Expected(package=project, required_by=(project.name,)))
    fix = ["poetry", "sync"]
    fix += [f"--with={g}" for g in sorted(_split(ctx.flags.get("with_groups")))]
    fix += [f"--without={g}" for g in sorted(_split(ctx.flags.get("without_groups")))]
    fix += [f"--only={g}" for g in sorted(_split(ctx.flags.get("only_groups_poetry")))]
    fix += [f"--extras={e}" for e in sorted(_split(ctx.flags.get("poetry_extras")))]
    fix += [
        f
        for f in ("--all-extras", "--all-groups", "--no-root", "--only-root")
        if ctx.flags.get(f[2:].replace("-", "_"))
    ]
    return Plan(
        format="poetry.lock",
        expected=expected,
        rules=Rules(exact=True, check_freshness=False, strict_registry=True),
        selection={"groups": sorted(groups), "extras": sorted(extras), "root": project is not None},
        fix=shell.join(fix),
        # poetry never removes the project itself (with --no-root or --only, either)
        keep=frozenset({"pip", *_project_names(ctx)}),
        locked=frozenset(canonicalize_name(raw["name"]) for raw in checked),
        line_of=lambda name: lines.of(index_of[name]) if name in index_of else None,
    )


def _project_names(ctx: Any) -> list[str]:
    name = ctx.pyproject.name or _tool_poetry(ctx.pyproject).get("name")
    return [canonicalize_name(name)] if isinstance(name, str) else []


def _root_project(ctx: Any, groups: set[str]) -> LockedPackage | None:
    """poetry installs the project itself (editable) unless --no-root or package-mode off."""
    tool = _tool_poetry(ctx.pyproject)
    name = ctx.pyproject.name or tool.get("name")
    if ctx.flags.get("no_root") or tool.get("package-mode") is False or not isinstance(name, str):
        return None
    version = (ctx.pyproject.data.get("project") or {}).get("version") or tool.get("version")
    return LockedPackage(
        name=canonicalize_name(name),
        version=version if isinstance(version, str) else None,
        source=Source(kind="editable", path=str(ctx.root)),
    )


def _check_package(shown: str, raw: Any, i: int) -> dict[str, Any]:
    """The entry, type-checked (errors get their line from the caller)."""
    if not isinstance(raw, dict):
        raise LockfileError(shown, "each [[package]] must be a table", where=f"package[{i}]")
    for key in ("name", "version"):
        if not isinstance(raw.get(key), str):
            got = "missing" if key not in raw else f"a {type(raw[key]).__name__}"
            raise LockfileError(
                shown, f"'{key}' must be a string, not {got}", where=f"package[{i}].{key}"
            )
    groups = raw.get("groups", ["main"])
    if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
        raise LockfileError(
            shown,
            f"package '{raw['name']}': 'groups' must be a list of strings",
            where=f"package[{i}].groups",
        )
    markers = raw.get("markers")
    if markers is not None and not isinstance(markers, (str, dict)):
        raise LockfileError(
            shown,
            f"package '{raw['name']}': 'markers' must be a string or a table",
            where=f"package[{i}].markers",
        )
    if markers is None:
        markers = {}
    for marker in markers.values() if isinstance(markers, dict) else [markers]:
        if marker is None:
            continue
        try:
            compile_marker(marker)
        except (ValueError, TypeError) as exc:
            raise LockfileError(
                shown,
                f"package '{raw['name']}': invalid marker {marker!r}: {exc}",
                where=f"package[{i}].markers",
            ) from None
    source = raw.get("source")
    if source is not None and (
        not isinstance(source, dict) or not isinstance(source.get("type"), str)
    ):
        raise LockfileError(
            shown,
            f"package '{raw['name']}': 'source' must be a table with a 'type'",
            where=f"package[{i}].source",
        )
    if isinstance(source, dict) and source["type"] not in (
        "legacy",
        "directory",
        "file",
        "url",
        "git",
    ):
        raise LockfileError(
            shown,
            f"package '{raw['name']}': unknown source type {source['type']!r}",
            where=f"package[{i}].source.type",
        )
    if not valid_version(raw["version"]):
        raise LockfileError(
            shown,
            f"package '{raw['name']}': invalid version {raw['version']!r}",
            where=f"package[{i}].version",
        )
    return raw


def _dependency_entries(value: Any) -> list[dict[str, Any]]:
    items = value if isinstance(value, list) else [value]
    return [item if isinstance(item, dict) else {"version": item} for item in items]


def _walk_legacy(
    ctx: Any, packages: list[dict[str, Any]], groups: set[str], extras: set[str], active: set[str]
) -> list[int]:
    """Lock 1.1/2.0: walk from the pyproject's dependencies through the lock's graph."""
    from packaging.requirements import InvalidRequirement

    from driftcheck.markers import parse_requirement

    by_name: dict[str, list[int]] = {}
    for i, raw in enumerate(packages):
        by_name.setdefault(canonicalize_name(raw["name"]), []).append(i)
    tool = _tool_poetry(ctx.pyproject)
    roots: list[tuple[str, str | None, list[str]]] = []
    if "main" in groups:
        for req_text in (ctx.pyproject.data.get("project") or {}).get("dependencies", []) or []:
            try:
                req = parse_requirement(req_text)
            except InvalidRequirement:
                continue
            roots.append((req.name, str(req.marker) if req.marker else None, sorted(req.extras)))
        for extra in extras:
            for req_text in (
                (ctx.pyproject.data.get("project") or {}).get("optional-dependencies") or {}
            ).get(extra, []):
                try:
                    req = parse_requirement(req_text)
                except InvalidRequirement:
                    continue
                roots.append(
                    (req.name, str(req.marker) if req.marker else None, sorted(req.extras))
                )
        for name, spec in (tool.get("dependencies") or {}).items():
            if name.lower() == "python":
                continue
            for entry in _dependency_entries(spec):
                if entry.get("optional") and not any(
                    canonicalize_name(name)
                    in {canonicalize_name(x) for x in (tool.get("extras") or {}).get(e, [])}
                    for e in extras
                ):
                    continue
                roots.append((name, entry.get("markers"), list(entry.get("extras", []))))
    group_tables = dict(tool.get("group") or {})
    if "dev-dependencies" in tool:
        group_tables.setdefault("dev", {"dependencies": tool["dev-dependencies"]})
    for group, table in group_tables.items():
        if group in groups and isinstance(table, dict):
            for name, spec in (table.get("dependencies") or {}).items():
                for entry in _dependency_entries(spec):
                    roots.append((name, entry.get("markers"), list(entry.get("extras", []))))
    chosen: list[int] = []
    seen: set[int] = set()
    queue = [(n, m, e) for n, m, e in roots]
    while queue:
        name, marker, dep_extras = queue.pop(0)
        if not ctx.evaluate(marker, active):
            continue
        for i in by_name.get(canonicalize_name(name), []):
            if i in seen:
                continue
            seen.add(i)
            chosen.append(i)
            raw = packages[i]
            for dep_name, spec in (raw.get("dependencies") or {}).items():
                for entry in _dependency_entries(spec):
                    if entry.get("optional"):
                        wanted = {canonicalize_name(x) for x in dep_extras}
                        pkg_extras = raw.get("extras") or {}
                        if not any(
                            canonicalize_name(dep_name)
                            == canonicalize_name(re.split(r"[ (\[;]", item, maxsplit=1)[0])
                            for e, items in pkg_extras.items()
                            if canonicalize_name(e) in wanted
                            for item in items
                        ):
                            continue
                    queue.append((dep_name, entry.get("markers"), list(entry.get("extras", []))))
    return chosen
