"""Reader for uv.lock (lock version 1, any revision).

The reader turns the file into a graph of :class:`UvPackage` nodes; selection and the
walk from the roots live in :mod:`driftcheck.select`.
"""

from __future__ import annotations

import os

from driftcheck import shell
from driftcheck.errors import LockfileError
from driftcheck.markers import plain_releases, valid_version
from driftcheck.models import LockedPackage, Source
from driftcheck.names import canonicalize_name, canonicalize_names
from driftcheck.records import TYPE_CHECKING, NamedTuple
from driftcheck.toml import TableLines, load_toml, read_bytes

if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any, NoReturn

__all__ = [
    "SUPPORTED_VERSIONS",
    "UvDependency",
    "UvLock",
    "UvPackage",
    "lock_of",
    "read_uv_lock",
]

SUPPORTED_VERSIONS = (1,)
_SOURCE_KINDS = ("registry", "editable", "directory", "virtual", "path", "url", "git")


class UvDependency(NamedTuple):
    """An edge of the lock graph.

    :param target: index of the package in :attr:`UvLock.packages`.
    :param extras: extras of the target that this edge activates.
    :param marker: the edge's marker, as written in the lock (``None`` = always).
    """

    target: int
    extras: tuple[str, ...]
    marker: str | None


class UvPackage(NamedTuple):
    locked: LockedPackage
    resolution_markers: tuple[str, ...]
    dependencies: list[UvDependency]
    optional: dict[str, list[UvDependency]]
    groups: dict[str, list[UvDependency]]
    provides_extras: frozenset[str]
    declared_groups: frozenset[str]


class ManifestRequirement(NamedTuple):
    name: str
    extras: tuple[str, ...]
    marker: str | None


class ConflictItem(NamedTuple):
    package: str
    extra: str | None = None
    group: str | None = None


class UvLock(NamedTuple):
    path: str
    shown: str
    text: str
    version: int
    revision: int
    requires_python: str | None
    packages: list[UvPackage]
    by_name: dict[str, list[int]]
    members: tuple[str, ...]
    conflicts: tuple[tuple[ConflictItem, ...], ...]
    manifest_requirements: tuple[ManifestRequirement, ...]
    manifest_groups: dict[str, tuple[ManifestRequirement, ...]]
    supported_markers: tuple[str, ...]
    lines: TableLines

    def line_of(self, index: int) -> int | None:
        """The 1-based line of package ``index``'s ``name = ...`` entry."""
        return self.lines.of(index)


class _Checker:
    """Type checks with dotted paths, raising LockfileError in the house style."""

    def __init__(self, shown: str, text: str, offsets: list[int] | None = None) -> None:
        self.shown = shown
        self.lines = TableLines(text, offsets)

    def fail(self, message: str, where: str | None = None, package: int | None = None) -> NoReturn:
        line = None if package is None else self.lines.of(package)
        raise LockfileError(self.shown, message, line=line, where=where)

    def marker(self, marker: str, where: str, package: int | None = None, label: str = "") -> None:
        """Fail unless ``marker`` is valid PEP 508 (it is compiled once, and cached)."""
        from driftcheck.markers import compile_marker

        try:
            compile_marker(marker)
        except ValueError as exc:
            self.fail(f"{label}invalid marker {marker!r}: {exc}", where, package)

    def get(
        self,
        table: Mapping[str, Any],
        key: str,
        kind: type | tuple[type, ...],
        where: str,
        *,
        required: bool = False,
        package: int | None = None,
        label: str = "",
    ) -> Any:
        value = table.get(key)
        if value is None:
            if required:
                self.fail(f"{label}missing required key '{key}'", where, package)
            return None
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            kinds = (kind,) if isinstance(kind, type) else kind
            names = " or ".join(_TOML_TYPE_NAMES.get(k, k.__name__) for k in kinds)
            self.fail(
                f"{label}'{key}' must be {_article(names)} {names}, "
                f"not {_TOML_TYPE_NAMES.get(type(value), type(value).__name__)}",
                f"{where}.{key}" if where else key,
                package,
            )
        return value


_NO: frozenset[str] = frozenset()
# Records are tuples: where thousands are made with every field given, they are made
# as tuples are (records.NamedTuple's __new__ is for the general case).
_new = tuple.__new__
_NO_TABLE: dict[str, list[UvDependency]] = {}  # shared: never written to

_TOML_TYPE_NAMES = {str: "string", int: "integer", bool: "boolean", list: "array", dict: "table"}


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


_PLAIN_KINDS = frozenset({"registry", "editable", "directory", "virtual", "path"})


def _plain_source(kind: str, value: str, root: str) -> Source:
    """A registry or local source: ``value`` is the index URL or the (relative) path."""
    if kind == "registry":
        return Source(kind="registry", url=value)
    path = value if os.path.isabs(value) else os.path.normpath(os.path.join(root, value))
    return Source(kind=kind, path=path)  # type: ignore[arg-type]


def _parse_source(
    check: _Checker, raw: Any, package_where: str, index: int, label: str, root: str
) -> tuple[Source, tuple[Any, ...]]:
    where = f"{package_where}.source"
    if not isinstance(raw, dict):
        check.fail(f"{label}'source' must be a table", where, index)
    kinds = [k for k in raw if k in _SOURCE_KINDS]  # (raw has one key, as a rule)
    if len(kinds) != 1:
        check.fail(
            f"{label}'source' must have exactly one of {', '.join(_SOURCE_KINDS)}", where, index
        )
    kind = kinds[0]
    value = raw[kind]
    if not isinstance(value, str):
        check.fail(f"{label}source '{kind}' must be a string", f"{where}.{kind}", index)
    key = (kind, value) if len(raw) == 1 else tuple(sorted((k, str(v)) for k, v in raw.items()))
    if kind in _PLAIN_KINDS:
        return _plain_source(kind, value, root), key
    if kind == "url":
        sub = raw.get("subdirectory")
        return Source(
            kind="url", url=value, subdirectory=sub if isinstance(sub, str) else None
        ), key
    from urllib.parse import parse_qs, urlsplit, urlunsplit

    parts = urlsplit(value)
    commit = parts.fragment or None
    if not commit:
        check.fail(f"{label}git source has no commit after '#'", f"{where}.git", index)
    query = parse_qs(parts.query)
    sub = query.get("subdirectory", [None])[0]
    repo = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    return Source(kind="git", url=repo, commit=commit, subdirectory=sub), key


def _str_list(check: _Checker, value: Any, where: str, index: int | None, label: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        check.fail(f"{label}'{where.rsplit('.', 1)[-1]}' must be a list of strings", where, index)
    return list(value)


def lock_of(ctx: Any) -> UvLock:
    """The context's uv.lock, read and validated once per check (``infer`` and ``why``
    plan many selections of one lock): kept in ``ctx.memo``, which lives as long as the
    check does."""
    memo = ctx.memo if ctx.memo is not None else {}
    lock: UvLock | None = memo.get("uv.lock")
    if lock is None:
        lock = memo["uv.lock"] = read_uv_lock(ctx.lockfile, ctx.shown, ctx.lockfile_limit)
    return lock


def read_uv_lock(path: str, shown: str | None = None, limit: int | None = None) -> UvLock:
    """Read and validate a uv.lock file.

    :param shown: how the path is named in messages (defaults to ``path``).
    :param limit: the largest file read (default: driftcheck.files.LOCKFILE_LIMIT).
    """
    shown = shown or path
    data_bytes = read_bytes(path, shown, limit)
    try:
        text = data_bytes.decode("utf-8")
    except UnicodeDecodeError:
        text = ""
    data = None
    offsets: list[int] | None = []
    if text:
        from driftcheck.lockfiles.uv_fast import parse

        try:
            data = parse(text, offsets)
        except ValueError:  # a statement tomllib rejects: report it from the full parse
            data = None
    if data is None:
        data, offsets = load_toml(data_bytes, shown), None
    del data_bytes
    return _build(data, path, shown, text, offsets)


def _build(
    data: dict[str, Any], path: str, shown: str, text: str, offsets: list[int] | None = None
) -> UvLock:
    check = _Checker(shown, text, offsets)
    version = data.get("version")
    if version is None:
        check.fail("missing required key 'version'; is this a uv.lock?", "version")
    if not isinstance(version, int) or isinstance(version, bool):
        got = _TOML_TYPE_NAMES.get(type(version), type(version).__name__)
        check.fail(f"'version' must be an integer, not {got}", "version")
    if version not in SUPPORTED_VERSIONS:
        check.fail(
            f"unsupported lock version {version}; driftcheck reads uv.lock version "
            f"{', '.join(map(str, SUPPORTED_VERSIONS))} (upgrade driftcheck?)",
            "version",
        )
    revision = check.get(data, "revision", int, "") or 0
    requires_python = check.get(data, "requires-python", str, "")
    supported = _str_list(check, data.get("supported-markers"), "supported-markers", None, "")
    for k, marker in enumerate(supported):
        check.marker(marker, f"supported-markers[{k}]")
    root = os.path.dirname(os.path.abspath(path))

    raw_packages = data.get("package", [])
    if not isinstance(raw_packages, list):
        check.fail("'package' must be an array of tables", "package")

    # A common block's package is made once its edges are known (in the second pass);
    # until then its entry holds its LockedPackage. Tables are made, then filled.
    packages: list[Any] = []
    by_name: dict[str, list[int]] = {}
    source_keys: list[tuple[Any, ...]] = []

    def unique(i: int, same_name: list[int], version: Any, key: Any, label: str) -> None:
        """Add package ``i`` to the others of its name, refusing a duplicate entry."""
        for k in same_name:
            if _locked(packages[k]).version == version and source_keys[k] == key:
                message = f"{label}duplicate package entry (same name, version and source)"
                check.fail(message, f"package[{i}]", i)
        same_name.append(i)

    sources: dict[tuple[str, str], Source] = {}  # one Source per index URL or path
    # Common blocks' names are normalised, and their versions checked, all at once.
    blocks = [raw for raw in raw_packages if type(raw) is tuple]
    block_names = iter(canonicalize_names([raw[0] for raw in blocks]))
    all_plain = plain_releases([raw[1] for raw in blocks if raw[1] is not None])
    for i, raw in enumerate(raw_packages):
        if type(raw) is tuple:  # a common block (uv_fast.Block): its types are known
            raw_name, version_value, kind, value, block_markers, _ = raw
            name = next(block_names)
            if not all_plain and version_value is not None and not valid_version(version_value):
                label = f"package '{raw_name}': "
                check.fail(f"{label}invalid version {version_value!r}", f"package[{i}].version", i)
            source_key = (kind, value)
            source = sources.get(source_key)
            if source is None:
                source = sources[source_key] = _plain_source(kind, value, root)
            markers = block_markers or []
            for k, marker in enumerate(markers):
                label = f"package '{raw_name}': "
                check.marker(marker, f"package[{i}].resolution-markers[{k}]", i, label)
            packages.append(_new(LockedPackage, (name, version_value, source, None)))
            source_keys.append(source_key)
            same_name = by_name.get(name)
            if same_name is None:
                by_name[name] = [i]
            else:  # (a fork, or a duplicate entry)
                unique(i, same_name, version_value, source_key, f"package '{raw_name}': ")
            continue
        where = f"package[{i}]"
        if not isinstance(raw, dict):
            check.fail("each [[package]] must be a table", where, i)
        raw_name = check.get(raw, "name", str, where, required=True, package=i)
        name = canonicalize_name(raw_name)
        label = f"package '{raw_name}': "
        version_value = check.get(raw, "version", str, where, package=i, label=label)
        if version_value is not None and not valid_version(version_value):
            check.fail(f"{label}invalid version {version_value!r}", f"{where}.version", i)
        if "source" not in raw:
            check.fail(f"{label}missing required key 'source'", where, i)
        source, source_key = _parse_source(check, raw["source"], where, i, label, root)
        markers = []
        if "resolution-markers" in raw:  # (most packages have none of these optional keys)
            where_markers = f"{where}.resolution-markers"
            markers = _str_list(check, raw["resolution-markers"], where_markers, i, label)
            for k, marker in enumerate(markers):
                check.marker(marker, f"{where_markers}[{k}]", i, label)
        provides_extras = declared_groups = _NO
        metadata = raw.get("metadata")
        if metadata:
            if not isinstance(metadata, dict):
                check.fail(f"{label}'metadata' must be a table", f"{where}.metadata", i)
            provides = metadata.get("provides-extras")
            where_provides = f"{where}.metadata.provides-extras"
            provides_extras = frozenset(
                canonicalize_name(e) for e in _str_list(check, provides, where_provides, i, label)
            )
            requires_dev = metadata.get("requires-dev")
            if isinstance(requires_dev, dict):
                declared_groups = frozenset(canonicalize_name(g) for g in requires_dev)
        packages.append(
            UvPackage(
                locked=LockedPackage(name=name, version=version_value, source=source),
                resolution_markers=tuple(markers),
                dependencies=[],
                optional={},
                groups={},
                provides_extras=provides_extras,
                declared_groups=declared_groups,
            )
        )
        source_keys.append(source_key)
        same_name = by_name.get(name)
        if same_name is None:
            by_name[name] = [i]
        else:
            unique(i, same_name, version_value, source_key, label)

    plain: dict[int, UvDependency] = {}  # edges with nothing but a name, shared
    by_bare_name: dict[str, UvDependency] = {}  # a dependency written as a bare name

    # A bare name (a common block's dependency) is the package of that name when only
    # one is locked; uv writes both normalised, so the edges of those names are made
    # once, here, and any other spelling is resolved as it comes.
    for name, indices in by_name.items():
        if len(indices) == 1:
            index = indices[0]
            by_bare_name[name] = plain[index] = _new(UvDependency, (index, (), None))

    def edges(deps: list[Any], prefix: str, owner: int) -> list[UvDependency]:
        """The edges of a dependency list."""
        out = []
        for j, dep in enumerate(deps):
            edge = by_bare_name.get(dep) if type(dep) is str else None
            if edge is None:
                edge = resolve(dep, prefix, j, owner)
                if type(dep) is str:
                    by_bare_name[dep] = edge
            out.append(edge)
        return out

    def resolve(dep: Any, prefix: str, j: int, owner: int) -> UvDependency:
        # Most edges are `{ name = "..." }` (a bare name, from a common block).
        dep_name = dep if type(dep) is str else None
        if type(dep) is dict and len(dep) == 1:
            dep_name = dep.get("name")
        if type(dep_name) is str:
            candidates = by_name.get(canonicalize_name(dep_name))
            if candidates is not None and len(candidates) == 1:
                edge = plain.get(candidates[0])
                if edge is None:
                    edge = plain[candidates[0]] = UvDependency(candidates[0], (), None)
                return edge
            if type(dep) is str:
                dep = {"name": dep}  # the general path below words the error
        elif type(dep) is dict and _EDGE_KEYS.issuperset(dep):  # a marker, extras
            edge = _plain_edge(dep, by_name)
            if edge is not None:
                return edge
        where = f"{prefix}[{j}]"
        owner_label = f"package '{_locked(packages[owner]).name}': "
        if not isinstance(dep, dict):
            check.fail(f"{owner_label}dependency must be a table", where, owner)
        dep_name = check.get(
            dep, "name", str, where, required=True, package=owner, label=owner_label
        )
        name = canonicalize_name(dep_name)
        candidates = by_name.get(name)
        if not candidates:
            check.fail(
                f"{owner_label}dependency '{dep_name}' is not a locked package", where, owner
            )
        assert candidates is not None
        if len(candidates) > 1:
            want_version = dep.get("version")
            want_source = dep.get("source")
            matches = [
                c
                for c in candidates
                if (want_version is None or _locked(packages[c]).version == want_version)
                and (
                    want_source is None
                    or not isinstance(want_source, dict)
                    or _source_key_matches(_raw_source(raw_packages[c]), want_source)
                )
            ]
            if len(matches) != 1:
                check.fail(
                    f"{owner_label}dependency '{dep_name}' is ambiguous: "
                    f"{len(candidates)} locked versions and no unique version/source",
                    where,
                    owner,
                )
            target = matches[0]
        else:
            target = candidates[0]
        extras = _str_list(check, dep.get("extra"), f"{where}.extra", owner, owner_label)
        marker = check.get(dep, "marker", str, where, package=owner, label=owner_label)
        if marker is not None:
            check.marker(marker, f"{where}.marker", owner, owner_label)
        return UvDependency(
            target=target, extras=tuple(canonicalize_name(e) for e in extras), marker=marker
        )

    bare_edge = by_bare_name.get
    for i, raw in enumerate(raw_packages):
        if type(raw) is tuple:  # a common block: a list of dependencies and nothing more
            deps: list[Any] = raw[5] or []
            if deps:
                # (bare names are all of a block's dependencies, or none of them)
                known = list(map(bare_edge, deps)) if type(deps[0]) is str else [None]
                deps = edges(deps, f"package[{i}].dependencies", i) if None in known else known
            markers = tuple(raw[4]) if raw[4] else ()
            row = (packages[i], markers, deps, _NO_TABLE, _NO_TABLE, _NO, _NO)
            packages[i] = _new(UvPackage, row)
            continue
        pkg = packages[i]
        where = f"package[{i}]"
        deps = raw.get("dependencies")
        if deps is not None:
            if not isinstance(deps, list):
                check.fail("'dependencies' must be an array", f"{where}.dependencies", i)
            prefix = f"{where}.dependencies"
            pkg.dependencies[:] = [resolve(d, prefix, j, i) for j, d in enumerate(deps)]
        if "optional-dependencies" not in raw and "dev-dependencies" not in raw:
            continue
        for table_key, attr in (
            ("optional-dependencies", "optional"),
            ("dev-dependencies", "groups"),
        ):
            table = raw.get(table_key, {})
            if not isinstance(table, dict):
                check.fail(f"'{table_key}' must be a table", f"{where}.{table_key}", i)
            resolved: dict[str, list[UvDependency]] = getattr(pkg, attr)
            for group_name, group_deps in table.items():
                gwhere = f"{where}.{table_key}.{group_name}"
                if not isinstance(group_deps, list):
                    check.fail(f"'{table_key}.{group_name}' must be an array", gwhere, i)
                resolved[canonicalize_name(group_name)] = [
                    resolve(d, gwhere, j, i) for j, d in enumerate(group_deps)
                ]

    manifest = data.get("manifest", {})
    if not isinstance(manifest, dict):
        check.fail("'manifest' must be a table", "manifest")
    members = tuple(
        canonicalize_name(m)
        for m in _str_list(check, manifest.get("members"), "manifest.members", None, "")
    )

    def manifest_reqs(items: Any, where: str) -> tuple[ManifestRequirement, ...]:
        if items is None:
            return ()
        if not isinstance(items, list):
            check.fail("must be an array", where)
        out = []
        for j, item in enumerate(items):
            if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                check.fail("requirement must be a table with a 'name'", f"{where}[{j}]")
            marker = item.get("marker")
            if isinstance(marker, str):
                check.marker(marker, f"{where}[{j}].marker")
            out.append(
                ManifestRequirement(
                    name=canonicalize_name(item["name"]),
                    extras=tuple(canonicalize_name(e) for e in item.get("extras", []) or []),
                    marker=marker if isinstance(marker, str) else None,
                )
            )
        return tuple(out)

    manifest_requirements = manifest_reqs(manifest.get("requirements"), "manifest.requirements")
    raw_groups = manifest.get("dependency-groups", {}) or {}
    if not isinstance(raw_groups, dict):
        check.fail("must be a table", "manifest.dependency-groups")
    manifest_groups: dict[str, tuple[ManifestRequirement, ...]] = {
        canonicalize_name(g): manifest_reqs(items, f"manifest.dependency-groups.{g}")
        for g, items in raw_groups.items()
    }

    conflicts_raw = data.get("conflicts", [])
    if not isinstance(conflicts_raw, list):
        check.fail("'conflicts' must be an array", "conflicts")
    conflicts = []
    for j, conflict_set in enumerate(conflicts_raw):
        if not isinstance(conflict_set, list):
            check.fail("each conflict set must be an array", f"conflicts[{j}]")
        items = []
        for k, item in enumerate(conflict_set):
            if not isinstance(item, dict) or not isinstance(item.get("package"), str):
                check.fail("conflict item must be a table with a 'package'", f"conflicts[{j}][{k}]")
            extra, group = item.get("extra"), item.get("group")
            items.append(
                ConflictItem(
                    package=canonicalize_name(item["package"]),
                    extra=canonicalize_name(extra) if isinstance(extra, str) else None,
                    group=canonicalize_name(group) if isinstance(group, str) else None,
                )
            )
        conflicts.append(tuple(items))

    return UvLock(
        path=path,
        shown=shown,
        text=text,
        version=version,
        revision=revision,
        requires_python=requires_python,
        packages=packages,
        by_name=by_name,
        members=members,
        conflicts=tuple(conflicts),
        manifest_requirements=manifest_requirements,
        manifest_groups=manifest_groups,
        supported_markers=tuple(supported),
        lines=check.lines,
    )


_EDGE_KEYS = frozenset({"name", "marker", "extra"})


def _plain_edge(dep: dict[str, Any], by_name: dict[str, list[int]]) -> UvDependency | None:
    """The edge of ``{ name = ..., marker = ..., extra = [...] }`` to a package locked
    once, when every value is valid; ``None`` leaves it to the checks that word errors."""
    name, marker, extras = dep.get("name"), dep.get("marker"), dep.get("extra", ())
    if type(name) is not str or not (marker is None or type(marker) is str):
        return None
    if type(extras) not in (list, tuple) or not all(type(e) is str for e in extras):
        return None
    candidates = by_name.get(canonicalize_name(name))
    if candidates is None or len(candidates) != 1:
        return None
    if marker is not None:
        from driftcheck.markers import compile_marker

        try:
            compile_marker(marker)
        except ValueError:
            return None
    return UvDependency(candidates[0], tuple(canonicalize_name(e) for e in extras), marker)


def _locked(entry: Any) -> LockedPackage:
    """The LockedPackage of a package entry while the graph is built (see _build)."""
    return entry if type(entry) is LockedPackage else entry.locked


def _raw_source(raw: Any) -> Any:
    """A package's ``source`` table, from a table or a common block."""
    return {raw[2]: raw[3]} if type(raw) is tuple else raw.get("source")


def _source_key_matches(package_source: Any, wanted: dict[str, Any]) -> bool:
    if not isinstance(package_source, dict):
        return False
    return all(str(package_source.get(k)) == str(v) for k, v in wanted.items())


# --- the reader interface ---------------------------------------------------------------


def roots_of(lock: UvLock, sel: Any, pyproject: Any, evaluate: Any) -> list[int]:
    """Indices of the packages the selection ``sel`` starts from."""
    from driftcheck.select import root_indices

    return root_indices(lock, sel, _project_info(lock, pyproject, sel.packages), evaluate)


def _project_info(lock: UvLock, pyproject: Any, packages: tuple[str, ...]) -> Any:
    from driftcheck.paths import shown
    from driftcheck.project import read_pyproject
    from driftcheck.select import ProjectInfo

    name = pyproject.name
    defined_in = shown(pyproject.path) if pyproject.path else lock.shown
    default_groups = pyproject.default_groups()
    groups = {name: pyproject.group_names()} if name else {}
    extras = {name: pyproject.extra_names()} if name else {}
    if pyproject.path is None and not lock.members:
        # No pyproject: the lock's editable/virtual "." package is the project.
        for pkg in lock.packages:
            src = pkg.locked.source
            if src.kind in ("editable", "virtual") and src.path == os.path.dirname(
                os.path.abspath(lock.path)
            ):
                name = pkg.locked.name
    if len(packages) == 1:
        # `uv sync --package X` takes X's own default groups.
        for index in lock.by_name.get(packages[0], []):
            member_path = lock.packages[index].locked.source.path
            if member_path:
                member = read_pyproject(member_path)
                if member.path is not None:
                    defined_in = shown(member.path)
                default_groups = member.default_groups()
                groups[packages[0]] = member.group_names()
                extras[packages[0]] = member.extra_names()
    return ProjectInfo(
        name=name,
        default_groups=default_groups,
        groups=groups,
        extras=extras,
        defined_in=defined_in,
    )


def plan(ctx: Any) -> Any:
    """The reader interface (see :mod:`driftcheck.lockfiles`): `uv sync` semantics."""
    from driftcheck.diff import Expected, Rules
    from driftcheck.lockfiles import Plan, refuse_other_flags
    from driftcheck.select import UvSelection, select_uv

    refuse_other_flags(ctx, "uv.lock", set(UvSelection._fields))
    lock = lock_of(ctx)
    _refuse_unsupported_platform(lock, ctx.evaluate)
    sel = UvSelection.from_flags(ctx.flags)
    project = _project_info(lock, ctx.pyproject, sel.packages)
    selected = select_uv(lock, sel, project, ctx.evaluate)
    expected = []
    index_of: dict[str, int] = {}
    packages, no_editable = lock.packages, sel.no_editable
    for index, path in selected.expected.items():
        locked = packages[index].locked
        index_of[locked.name] = index
        if locked.source.path is not None and not os.path.exists(locked.source.path):
            _source_gone(lock, index)
        if no_editable and locked.source.kind == "editable":
            # `--no-editable`: editables are installed as plain directories.
            locked = locked._replace(source=locked.source._replace(kind="directory"))
        expected.append(_new(Expected, (locked, path)))
    return Plan(
        format="uv.lock",
        expected=expected,
        rules=Rules(exact=not sel.inexact),
        selection=sel.to_json(),
        locked=frozenset(lock.by_name),
        line_of=lambda name: lock.line_of(index_of[name]) if name in index_of else None,
        fix=selection(ctx)[1],
    )


# uv replaces a project environment it cannot use (driftcheck.replacement).
REPLACES = "uv"


def requires_python(ctx: Any) -> str | None:
    """The lock's ``requires-python`` (the lock is read once per check)."""
    return lock_of(ctx).requires_python


def selection(ctx: Any) -> tuple[dict[str, Any], str]:
    """The selection as reports show it, and the ``uv sync`` command that makes it."""
    from driftcheck.select import UvSelection

    sel = UvSelection.from_flags(ctx.flags)
    return sel.to_json(), shell.join(["uv", "sync", "--frozen", *sel.as_flags()])


def _source_gone(lock: UvLock, index: int) -> NoReturn:
    """uv cannot plan an install whose local source is gone (exit 2, as uv)."""
    locked = lock.packages[index].locked
    path = locked.source.path
    raise LockfileError(
        lock.shown,
        f"package '{locked.name}': its source {path} is not there "
        f"(uv: Distribution not found at: file://{path})",
        line=lock.line_of(index),
        where=f"package[{index}].source",
    )


def _refuse_unsupported_platform(lock: UvLock, evaluate: Any) -> None:
    """uv refuses a lock whose ``supported-markers`` all exclude this platform (exit 2)."""
    if not lock.supported_markers or any(evaluate(m) for m in lock.supported_markers):
        return
    from driftcheck.errors import LockfileError

    at = lock.text.find("\nsupported-markers")
    markers = ", ".join(f"`{m}`" for m in lock.supported_markers)
    raise LockfileError(
        lock.shown,
        f"this platform is not one of the lock's supported environments: {markers}",
        line=lock.text.count("\n", 0, at + 1) + 1 if at != -1 else None,
        where="supported-markers",
    )
