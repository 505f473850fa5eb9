"""Reader for pdm.lock (lock_version 4.x), with `pdm sync --only-keep` semantics.

With the ``inherit_metadata`` strategy (pdm's default since 2.11) every package records
the ``groups`` that need it and its ``marker``; otherwise the graph is walked from the
pyproject's groups through each package's ``dependencies``.

Selection takes pdm's own flags with pdm's meaning: ``-G/--group`` (``:all`` too),
``--prod``, ``-d/--dev``, ``--no-default``. The rules follow pdm's ``GroupSelection``:
no flag at all means the groups recorded in the lock; otherwise ``default`` (unless
``--no-default``), the named groups, ``:all`` optional groups, and every dev group
unless ``--prod`` or a dev group is named.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from driftcheck import shell
from driftcheck.diff import Expected, Rules
from driftcheck.errors import LockfileError, SelectionError
from driftcheck.interpreter import release
from driftcheck.markers import valid_version
from driftcheck.models import REGISTRY, LockedPackage, Source
from driftcheck.names import canonicalize_name
from driftcheck.patterns import lazy
from driftcheck.toml import TableLines
from driftcheck.toml_subset import ARRAY_STRING_CHARS, STRING_CHARS, quoted, skipped_end

__all__ = ["env_candidates", "plan", "select_groups"]

_PDM_FLAGS = {"pdm_groups", "prod", "pdm_dev", "no_default", "no_self", "clean"}
_NEWEST = (4, 5)  # the newest lock_version driftcheck knows (pdm 2.26 writes 4.5.0)


def env_candidates(root: Path, pyproject: Any) -> list[Path]:
    """The interpreter pdm recorded for the project in ``.pdm-python``, if any."""
    from driftcheck.files import Unreadable, read_regular

    try:
        recorded = read_regular(str(root / ".pdm-python"), 1 << 16).decode("utf-8").strip()
    except (Unreadable, UnicodeDecodeError):
        return []
    return [Path(recorded)] if recorded else []


def _pdm_groups(pyproject: Any) -> tuple[set[str], set[str]]:
    """(optional groups, dev groups) as pdm reads them from pyproject.toml."""
    project = pyproject.data.get("project") or {}
    optional: set[str] = {
        canonicalize_name(g) for g in (project.get("optional-dependencies") or {})
    }
    dev: set[str] = {canonicalize_name(g) for g in (pyproject.data.get("dependency-groups") or {})}
    tool = (pyproject.data.get("tool") or {}).get("pdm") or {}
    dev |= {canonicalize_name(g) for g in (tool.get("dev-dependencies") or {})}
    return optional, dev


def select_groups(
    flags: dict[str, Any], locked: list[str], pyproject: Any, lockfile: str = "pdm.lock"
) -> set[str]:
    """The groups `pdm sync` installs for these flags (pdm's GroupSelection).

    :param lockfile: the lockfile as messages name it.
    """
    from driftcheck.paths import shown

    where = shown(pyproject.path) if pyproject.path else lockfile
    optional, dev_groups = _pdm_groups(pyproject)
    project_groups = {"default"} | optional | dev_groups
    given = [g for v in flags.get("pdm_groups", ()) for g in v.split(",") if g]
    default = not flags.get("no_default")
    dev: bool | None = False if flags.get("prod") else (True if flags.get("pdm_dev") else None)
    if default and dev is None and not given:
        return {g for g in locked if g in project_groups}
    if dev is None:
        dev = True
    asked = {g if g == ":all" else canonicalize_name(g) for g in given}
    if asked & dev_groups:
        if not dev:
            raise SelectionError(
                f"{where}: --prod is not allowed with dev groups and should be left"
            )
    elif dev:
        asked |= dev_groups
    if ":all" in asked:
        asked.discard(":all")
        asked |= optional
    if default:
        asked.add("default")
    asked &= project_groups  # pdm ignores groups that do not exist
    missing = sorted(asked - set(locked)) if locked else []
    if missing:
        raise SelectionError(f"{lockfile}: Requested groups not in lockfile: {','.join(missing)}")
    return asked


def _source(raw: dict[str, Any], root: Path) -> Source:
    if raw.get("git"):
        return Source(
            kind="git",
            url=str(raw["git"]),
            commit=raw.get("revision"),
            subdirectory=raw.get("subdirectory"),
        )
    if raw.get("path"):
        path = str(raw["path"])
        path = path if Path(path).is_absolute() else os.path.normpath(root / path)
        if raw.get("editable"):
            return Source(kind="editable", path=path)
        return Source(kind="directory" if not Path(path).is_file() else "path", path=path)
    if raw.get("url"):
        return Source(kind="url", url=str(raw["url"]))
    return REGISTRY


def _check(shown: str, raw: Any, i: int) -> dict[str, Any]:
    """The entry, type-checked (errors get their line from the caller)."""
    where = f"package[{i}]"
    if not isinstance(raw, dict):
        raise LockfileError(shown, "each [[package]] must be a table", where=where)
    if not isinstance(raw.get("name"), str):
        raise LockfileError(shown, "'name' must be a string", where=f"{where}.name")
    label = f"package '{raw['name']}': "
    version = raw.get("version")
    if version is not None:
        if not valid_version(str(version)):
            raise LockfileError(
                shown, f"{label}invalid version {version!r}", where=f"{where}.version"
            )
    elif not (raw.get("path") or raw.get("git") or raw.get("url")):
        raise LockfileError(shown, f"{label}no 'version' and no path, git or url", where=where)
    groups = raw.get("groups", [])
    if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
        raise LockfileError(
            shown, f"{label}'groups' must be a list of strings", where=f"{where}.groups"
        )
    marker = raw.get("marker")
    if marker is not None:
        from driftcheck.markers import compile_marker

        try:
            compile_marker(str(marker))
        except ValueError as exc:
            raise LockfileError(
                shown,
                f"{label}invalid marker {marker!r}: {exc}",
                where=f"{where}.marker",
            ) from None
    return raw


# A [[package]] table as pdm writes it for a registry package: plain strings, its
# dependencies without markers, its file list last. Read by one match (the TOML reader's
# line by line parse is most of a large lock's check); any other table is read by the
# TOML reader.
_S, _A = STRING_CHARS, ARRAY_STRING_CHARS
_PACKAGE = lazy(
    rf'name = "({_S})"\nversion = "({_S})"\n(?:requires_python = "({_S})"\n|)'
    rf'summary = "({_S})"\ngroups = \[((?:"{_A}", )*"{_A}")\]\n(?:marker = "({_S})"\n|)'
    rf'(?:dependencies = \[\n((?:    "{_A}",\n)*)\]\n|)files = \[\n'
)


def _package_table(text: str) -> dict[str, object] | None:
    """One [[package]] table (the text after its header) in pdm's usual layout, as the
    TOML reader gives it with ``files`` skipped; ``None`` for any other."""
    head = _PACKAGE().match(text)
    if head is None:
        return None
    end = skipped_end(text, head.end())
    if end is None or text.count("\n", end) != len(text) - end:
        return None  # (something after the files)
    name, version, python, summary, groups, marker, dependencies = head.groups()
    table: dict[str, object] = {"name": name, "version": version}
    if python is not None:
        table["requires_python"] = python
    table["summary"] = summary
    table["groups"] = quoted(groups)
    if marker is not None:
        table["marker"] = marker
    if dependencies is not None:
        table["dependencies"] = quoted(dependencies)
    table["files"] = []
    return table


def plan(ctx: Any) -> Any:
    """The reader interface: `pdm sync --only-keep` semantics."""
    from driftcheck.lockfiles import Plan, refuse_other_flags
    from driftcheck.toml import decode_utf8, loads, read_bytes

    refuse_other_flags(ctx, "pdm.lock", _PDM_FLAGS)
    raw_bytes = read_bytes(ctx.lockfile, ctx.shown, ctx.lockfile_limit)
    text = decode_utf8(raw_bytes, ctx.shown)
    data = loads(text, ctx.shown, ("files",), _package_table)  # hashes: unread
    meta = data.get("metadata")
    if not isinstance(meta, dict):
        raise LockfileError(
            ctx.shown, "missing [metadata] table; is this a pdm.lock?", where="metadata"
        )
    lock_version = meta.get("lock_version")
    version = release(lock_version) if isinstance(lock_version, str) else None
    major_minor = tuple(map(int, version.split(".")[:2])) if version else (0, 0)
    if major_minor < (4, 0):
        raise LockfileError(
            ctx.shown,
            f"unsupported lock_version {lock_version!r}; driftcheck reads pdm.lock 4.x",
            where="metadata.lock_version",
        )
    warnings = []
    if major_minor > _NEWEST:
        # pdm itself reads such a lock, with a warning: so does driftcheck.
        warnings.append(
            f"{ctx.shown}: lock_version {lock_version} is newer than driftcheck knows "
            f"({'.'.join(map(str, _NEWEST))}); read as pdm reads it "
            "(pdm: 'Lockfile is not compatible with PDM')"
        )
    locked_groups = meta.get("groups", [])
    if not isinstance(locked_groups, list) or not all(isinstance(g, str) for g in locked_groups):
        raise LockfileError(
            ctx.shown, "'groups' must be a list of strings", where="metadata.groups"
        )
    strategy = meta.get("strategy", [])
    if not isinstance(strategy, list) or not all(isinstance(v, str) for v in strategy):
        raise LockfileError(
            ctx.shown, "'strategy' must be a list of strings", where="metadata.strategy"
        )
    packages = data.get("package", [])
    if not isinstance(packages, list):
        raise LockfileError(ctx.shown, "'package' must be an array of tables", where="package")
    lines = TableLines(text)
    checked = lines.checked(packages, lambda raw, i: _check(ctx.shown, raw, i))
    in_lock = [canonicalize_name(g) for g in locked_groups]
    groups = select_groups(ctx.flags, in_lock, ctx.pyproject, ctx.shown)

    root = Path(ctx.lockfile).parent.absolute()
    if "inherit_metadata" in strategy:
        chosen = [
            i
            for i, raw in enumerate(checked)
            if {canonicalize_name(g) for g in raw.get("groups", [])} & groups
            and ctx.evaluate(raw.get("marker"))
        ]
    else:
        chosen = _walk(ctx, checked, groups)
    expected: dict[str, Expected] = {}
    index_of: dict[str, int] = {}
    new = tuple.__new__  # (records made in the loop: thousands of them)
    for i in chosen:
        raw = checked[i]
        name = canonicalize_name(raw["name"].split("[", 1)[0])
        if name in expected:
            continue  # an entry for extras of a package already chosen
        version = raw.get("version")
        locked = new(
            LockedPackage,
            (name, str(version) if version is not None else None, _source(raw, root), None),
        )
        index_of[name] = i
        expected[name] = new(Expected, (locked, (name,)))
    own = _self_package(ctx, groups)
    if own is not None:
        expected.setdefault(own.name, Expected(package=own, required_by=(own.name,)))
    fix = ["pdm", "sync"] + ([] if ctx.flags.get("clean") else ["--only-keep"])
    fix += [part for g in ctx.flags.get("pdm_groups", ()) for part in ("-G", g)]
    fix += [
        f
        for f, k in (
            ("--prod", "prod"),
            ("-d", "pdm_dev"),
            ("--no-default", "no_default"),
            ("--no-self", "no_self"),
            ("--clean", "clean"),
        )
        if ctx.flags.get(k)
    ]
    return Plan(
        format="pdm.lock",
        expected=list(expected.values()),
        rules=Rules(exact=True, check_freshness=False, strict_registry=False),
        selection={"groups": sorted(groups)},
        fix=shell.join(fix),
        # (pdm sync --clean removes only what the lock does not hold)
        keep=frozenset({"pip", "setuptools", "wheel"})
        | (
            frozenset(canonicalize_name(raw["name"].split("[", 1)[0]) for raw in checked)
            if ctx.flags.get("clean")
            else frozenset()
        ),
        locked=frozenset(canonicalize_name(raw["name"].split("[", 1)[0]) for raw in checked),
        line_of=lambda name: lines.of(index_of[name]) if name in index_of else None,
        warnings=tuple(warnings),
    )


def _self_package(ctx: Any, groups: set[str]) -> LockedPackage | None:
    """pdm installs the project itself (editable) with the default group, if it is a
    distribution: ``[tool.pdm] distribution`` (or the older ``package-type =
    "library"``), true by default for a project with a name; never with --no-self."""
    data = ctx.pyproject.data
    tool = (data.get("tool") or {}).get("pdm") or {}
    if "package-type" in tool:
        distribution = tool["package-type"] == "library"
    else:
        distribution = bool(tool.get("distribution", True))
    name = ctx.pyproject.name
    if not distribution or name is None or "default" not in groups or ctx.flags.get("no_self"):
        return None
    version = (data.get("project") or {}).get("version")
    return LockedPackage(
        name=name,
        version=version if isinstance(version, str) else None,
        source=Source(kind="editable", path=str(ctx.root)),
    )


def _walk(ctx: Any, packages: list[dict[str, Any]], groups: set[str]) -> list[int]:
    """Without inherit_metadata: walk from the pyproject's selected groups.

    A group's items may include another group (``{include-group = "dev"}``, PEP 735)
    or the project itself with extras (``"proj[redis,memcached]"``): both stand for
    those groups' requirements. A lock entry for ``foo`` with extras ``bar`` (pdm
    writes one per set of extras used, ``extras = ["bar"]``, or ``foo[bar]`` in its
    name) is taken only where ``bar`` is asked for.
    """
    from packaging.requirements import InvalidRequirement

    from driftcheck.markers import parse_requirement

    entries: dict[str, list[tuple[int, frozenset[str]]]] = {}
    for i, raw in enumerate(packages):
        # (pdm writes an entry's extras in its `extras` key; older pdm in its name)
        base, _, in_name = raw["name"].partition("[")
        extras = raw.get("extras")
        if not isinstance(extras, list):
            extras = in_name.rstrip("]").split(",")
        wanted = frozenset(canonicalize_name(e) for e in extras if isinstance(e, str) and e)
        entries.setdefault(canonicalize_name(base), []).append((i, wanted))
    tables = _group_tables(ctx.pyproject.data)
    me = ctx.pyproject.name
    chosen: list[int] = []
    seen: set[int] = set()
    expanded: set[str] = set()  # groups (and own extras) whose items are queued
    queue: list[Any] = []

    def expand(group: str) -> None:
        if group not in expanded:
            expanded.add(group)
            queue.extend(tables.get(group, ()))

    for group in sorted(groups):
        expand(group)
    while queue:
        item = queue.pop(0)
        if isinstance(item, dict):
            included = item.get("include-group")
            if isinstance(included, str):
                expand(canonicalize_name(included))
            continue
        if not isinstance(item, str):
            continue
        text = item[3:] if item.startswith("-e ") else item
        try:
            req = parse_requirement(re.sub(r"^file:", "x @ file:", text))
        except InvalidRequirement:
            continue
        if req.marker is not None and not ctx.evaluate(str(req.marker)):
            continue
        name, asked = canonicalize_name(req.name), {canonicalize_name(e) for e in req.extras}
        if name == me:
            for extra in sorted(asked):
                expand(extra)
            continue
        for i, extras in entries.get(name, ()):
            if i not in seen and extras <= asked:
                seen.add(i)
                chosen.append(i)
                queue += [d for d in packages[i].get("dependencies", []) if isinstance(d, str)]
    return chosen


def _group_tables(data: Any) -> dict[str, list[Any]]:
    """Every group's items by canonical name: ``default`` (the dependencies), the
    extras, ``[dependency-groups]`` and pdm's ``dev-dependencies``."""
    project = data.get("project") or {}
    tables: dict[str, list[Any]] = {"default": list(project.get("dependencies") or [])}
    for table in (
        project.get("optional-dependencies") or {},
        data.get("dependency-groups") or {},
        ((data.get("tool") or {}).get("pdm") or {}).get("dev-dependencies") or {},
    ):
        for group, items in table.items():
            tables.setdefault(canonicalize_name(group), []).extend(items)
    return tables
