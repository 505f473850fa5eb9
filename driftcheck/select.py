"""uv's selection: which locked packages `uv sync` would install, for one target.

This follows uv's ``Installable::to_resolution``: walk breadth-first from the selected
roots, following an edge only where its marker is true for the target, with uv's
encoded conflict extras (``extra-…``, ``group-…``, ``project-…``) treated as a set of
activated extras.
"""

from __future__ import annotations

from collections import deque
from types import MappingProxyType

from driftcheck.errors import SelectionError
from driftcheck.records import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from typing import Any, Literal

    from driftcheck.lockfiles.uv import ConflictItem, UvDependency, UvLock
    from driftcheck.markers import MarkerEvaluator

    DevMode = Literal["include", "exclude", "only"]

__all__ = ["ProjectInfo", "Selected", "UvSelection", "select_uv"]


class UvSelection(NamedTuple):
    """The selection flags of `uv sync`, with uv's meaning. Names are canonical."""

    extras: tuple[str, ...] = ()
    all_extras: bool = False
    no_extras: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    no_groups: tuple[str, ...] = ()
    only_groups: tuple[str, ...] = ()
    all_groups: bool = False
    no_default_groups: bool = False
    dev: DevMode | None = None
    packages: tuple[str, ...] = ()
    all_packages: bool = False
    no_install_project: bool = False
    no_install_workspace: bool = False
    no_install_local: bool = False
    no_install_packages: tuple[str, ...] = ()
    no_editable: bool = False
    inexact: bool = False

    @classmethod
    def from_flags(cls, flags: dict[str, Any]) -> UvSelection:
        """Build from the command line's selection flags (canonical names already)."""
        known = set(cls._fields)
        return cls(**{k: v for k, v in flags.items() if k in known})

    def to_json(self) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in self._asdict().items()}

    def as_flags(self) -> list[str]:
        """The selection spelled as `uv sync` flags, for fix commands."""
        flags: list[str] = []
        flags += [f"--extra={e}" for e in self.extras]
        flags += ["--all-extras"] if self.all_extras else []
        flags += [f"--no-extra={e}" for e in self.no_extras]
        flags += [f"--group={g}" for g in self.groups]
        flags += [f"--no-group={g}" for g in self.no_groups]
        flags += [f"--only-group={g}" for g in self.only_groups]
        flags += ["--all-groups"] if self.all_groups else []
        flags += ["--no-default-groups"] if self.no_default_groups else []
        flags += {"include": ["--dev"], "exclude": ["--no-dev"], "only": ["--only-dev"], None: []}[
            self.dev
        ]
        flags += [f"--package={p}" for p in self.packages]
        flags += ["--all-packages"] if self.all_packages else []
        flags += ["--no-install-project"] if self.no_install_project else []
        flags += ["--no-install-workspace"] if self.no_install_workspace else []
        flags += ["--no-install-local"] if self.no_install_local else []
        flags += [f"--no-install-package={p}" for p in self.no_install_packages]
        flags += ["--no-editable"] if self.no_editable else []
        flags += ["--inexact"] if self.inexact else []
        return flags


_NO_NAMES: Mapping[str, frozenset[str]] = MappingProxyType({})
_NO_EDGES: list[UvDependency] = []


class ProjectInfo(NamedTuple):
    """What the project's pyproject.toml says that selection needs.

    :param name: the root project's name, or ``None`` for a non-project workspace root.
    :param default_groups: ``[tool.uv] default-groups``: a list, or ``"all"``.
    :param groups: group names declared in ``[dependency-groups]`` of each member read.
    :param extras: extra names declared in ``[project.optional-dependencies]``.
    :param defined_in: the file that defines the selected project (its
        ``pyproject.toml``), as messages name it.
    """

    name: str | None
    default_groups: tuple[str, ...] | Literal["all"] = ("dev",)
    groups: Mapping[str, frozenset[str]] = _NO_NAMES
    extras: Mapping[str, frozenset[str]] = _NO_NAMES
    defined_in: str = "pyproject.toml"


class Selected(NamedTuple):
    """The walk's result: packages to install, each with the path that reached it."""

    expected: dict[int, tuple[str, ...]]
    walked: dict[int, tuple[str, ...]]


class _Groups:
    """The dependency groups a selection includes.

    :param inherited: the workspace root has no [project], and one member is selected
        (``--package``, or run from the member's directory): the root's groups (the
        lock's manifest groups) are then taken as uv takes a root project's with
        ``--package``, only when asked for by name and not defined by the member.
    """

    def __init__(
        self,
        sel: UvSelection,
        defaults: tuple[str, ...] | Literal["all"],
        inherited: bool = False,
    ) -> None:
        self.inherited = inherited
        group = list(sel.groups)
        only = list(sel.only_groups)
        no = list(sel.no_groups)
        if sel.dev == "include":
            group.append("dev")
        elif sel.dev == "only":
            only.append("dev")
        elif sel.dev == "exclude":
            no.append("dev")
        self.prod = not only
        self.all_asked = sel.all_groups  # (--all-groups names every group)
        use_defaults = not sel.no_default_groups and not only
        self.all = sel.all_groups or (use_defaults and defaults == "all")
        include = set(group) | set(only)
        if use_defaults and defaults != "all":
            include |= set(defaults)
        self.include = include
        self.exclude = set(no)
        self.explicit = set(group) | set(only)
        self.from_defaults = set() if defaults == "all" or not use_defaults else set(defaults)
        self.defaults_all = use_defaults and defaults == "all" and not sel.all_groups

    def contains(self, group: str) -> bool:
        return group not in self.exclude and (self.all or group in self.include)

    def because_default(self, group: str) -> bool:
        """Included only because it is a default group (uv's ``contains_because_default``)."""
        if group in self.explicit or self.all_asked or not self.contains(group):
            return False
        return self.defaults_all or group in self.from_defaults


class _Extras:
    def __init__(self, sel: UvSelection) -> None:
        self.all = sel.all_extras
        self.include = set(sel.extras)
        self.exclude = set(sel.no_extras)

    def contains(self, extra: str) -> bool:
        return extra not in self.exclude and (self.all or extra in self.include)


def _enc_extra(package: str, extra: str) -> str:
    return f"extra-{len(package)}-{package}-{extra}"


def _enc_group(package: str, group: str) -> str:
    return f"group-{len(package)}-{package}-{group}"


def _enc_project(package: str) -> str:
    return f"project-{len(package)}-{package}"


def _conjunction(items: Sequence[str]) -> str:
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + f", and {items[-1]}"


def _describe_item(item: ConflictItem) -> str:
    if item.extra is not None:
        return f"`{item.package}[{item.extra}]`"
    if item.group is not None:
        return f"`{item.package}:{item.group}`"
    return item.package


def _check_declared_conflicts(
    lock: UvLock, roots: Iterable[str], extras: _Extras, groups: _Groups, where: str
) -> None:
    root_set = set(roots)
    for conflict_set in lock.conflicts:
        hits = []
        for item in conflict_set:
            if item.package not in root_set:
                continue
            if item.extra is not None:
                on = extras.contains(item.extra)
            elif item.group is not None:
                on = groups.contains(item.group)
            else:
                on = groups.prod
            if on:
                hits.append(item)
        if len(hits) < 2:
            continue
        rendered = ", ".join(_describe_item(i) for i in conflict_set)
        if all(h.extra is not None for h in hits):
            names = _conjunction([f"`{h.extra}`" for h in hits])
            raise SelectionError(
                f"{where}: Extras {names} are incompatible with the declared conflicts: "
                f"{{{rendered}}}"
            )
        if all(h.group is not None for h in hits):
            names = _conjunction(
                [
                    f"`{h.group}` (enabled by default)"
                    if h.group in groups.from_defaults
                    else f"`{h.group}`"
                    for h in hits
                ]
            )
            raise SelectionError(
                f"{where}: Groups {names} are incompatible with the conflicts: {{{rendered}}}"
            )
        names = _conjunction([_describe_item(h) for h in hits])
        raise SelectionError(
            f"{where}: {names} are incompatible with the declared conflicts: {{{rendered}}}"
        )


def _find_root(lock: UvLock, name: str, evaluate: MarkerEvaluator) -> int:
    candidates = lock.by_name.get(name, [])
    if len(candidates) == 1:
        return candidates[0]
    matching = [
        c
        for c in candidates
        if not lock.packages[c].resolution_markers
        or any(evaluate(m) for m in lock.packages[c].resolution_markers)
    ]
    if len(matching) != 1:
        raise SelectionError(f"{lock.shown}: cannot find a unique locked package for `{name}`")
    return matching[0]


def _roots(lock: UvLock, sel: UvSelection, project: ProjectInfo) -> list[str]:
    members = list(lock.members) or ([project.name] if project.name else [])
    if sel.all_packages:
        return members
    if sel.packages:
        for name in sel.packages:
            if name not in members and name != project.name:
                raise SelectionError(
                    f"{project.defined_in}: Package `{name}` not found in workspace"
                )
        return list(sel.packages)
    if project.name:
        return [project.name]
    return members


def root_indices(
    lock: UvLock, sel: UvSelection, project: ProjectInfo, evaluate: MarkerEvaluator
) -> list[int]:
    """The packages a selection starts from: its members, and an inherited group root."""
    roots = [_find_root(lock, n, evaluate) for n in _roots(lock, sel, project)]
    group_root = _group_root(lock, sel, project, roots)
    return roots if group_root is None else [*roots, group_root]


def select_uv(
    lock: UvLock, sel: UvSelection, project: ProjectInfo, evaluate: MarkerEvaluator
) -> Selected:
    """Compute what `uv sync --frozen` with ``sel`` would install for the target.

    :raises SelectionError: for an unknown extra, group or package, or conflicting extras.
    """
    extras = _Extras(sel)
    groups = _Groups(
        sel,
        project.default_groups,
        inherited=len(sel.packages) == 1 and not sel.all_packages and not project.name,
    )
    root_names = _roots(lock, sel, project)
    roots = [_find_root(lock, n, evaluate) for n in root_names]
    group_root = _group_root(lock, sel, project, roots)
    group_sources = roots if group_root is None else [*roots, group_root]
    _validate_names(lock, sel, project, group_sources, groups)
    _check_declared_conflicts(lock, root_names, extras, groups, project.defined_in)

    project_name = (
        sel.packages[0] if len(sel.packages) == 1 else project.name if project.name else None
    )
    members = set(lock.members) | ({project.name} if project.name else set())

    def installable(index: int) -> bool:
        pkg = lock.packages[index].locked
        if pkg.source.kind == "virtual":
            return False
        name = pkg.name
        if sel.no_install_project and name == project_name:
            return False
        if sel.no_install_workspace and (name in members or name == project_name):
            return False
        if sel.no_install_local and pkg.source.is_local:
            return False
        return name not in sel.no_install_packages

    # With no --no-install-* flag, the walk's own check (all but virtual packages).
    walk_installable = (
        installable
        if sel.no_install_project
        or sel.no_install_workspace
        or sel.no_install_local
        or sel.no_install_packages
        else None
    )

    active: set[str] = set()
    if lock.conflicts:
        for r in roots:
            pkg = lock.packages[r]
            if groups.prod:
                active.add(_enc_project(pkg.locked.name))
                active.update(
                    _enc_extra(pkg.locked.name, e) for e in pkg.optional if extras.contains(e)
                )
            active.update(_enc_group(pkg.locked.name, g) for g in pkg.groups if groups.contains(g))
        if group_root is not None:
            root_pkg = lock.packages[group_root]
            active.update(
                _enc_group(root_pkg.locked.name, g)
                for g in root_pkg.groups
                if groups.contains(g) and not groups.because_default(g)
            )

    # The conflict pass: extras activated along followed edges can switch on more
    # edges, so walk to a fixpoint before the final walk (uv does the same).
    if lock.conflicts:
        while True:
            before = len(active)
            _walk(
                lock, roots, group_root, groups, extras, evaluate, active, walk_installable, active
            )
            if len(active) == before:
                break
        _check_activated_conflicts(lock, active)
    return _walk(lock, roots, group_root, groups, extras, evaluate, active, walk_installable, None)


def _group_root(
    lock: UvLock, sel: UvSelection, project: ProjectInfo, roots: list[int]
) -> int | None:
    """With ``--package MEMBER``, the workspace root whose groups may be inherited.

    uv walks the root project's groups when they are explicitly requested (not merely
    default) and the selected member does not define a group of the same name.
    """
    if len(sel.packages) != 1 or sel.all_packages or not project.name:
        return None
    if sel.packages[0] == project.name:
        return None
    candidates = [i for i in lock.by_name.get(project.name, []) if i not in roots]
    return candidates[0] if len(candidates) == 1 else None


def _member_groups(lock: UvLock, index: int) -> set[str]:
    pkg = lock.packages[index]
    return set(pkg.groups) | set(pkg.declared_groups)


def _check_activated_conflicts(lock: UvLock, active: set[str]) -> None:
    for conflict_set in lock.conflicts:
        hits = [
            i
            for i in conflict_set
            if i.extra is not None and _enc_extra(i.package, i.extra) in active
        ]
        if len(hits) >= 2:
            a, b = hits[0], hits[1]
            raise SelectionError(
                f"Found conflicting extras `{a.package}[{a.extra}]` and `{b.package}[{b.extra}]` "
                "enabled simultaneously"
            )


def _walk(
    lock: UvLock,
    roots: list[int],
    group_root: int | None,
    groups: _Groups,
    extras: _Extras,
    evaluate: MarkerEvaluator,
    active: set[str],
    installable: Any,
    collect: set[str] | None,
) -> Selected:
    packages = lock.packages
    expected: dict[int, tuple[str, ...]] = {}
    walked: dict[int, tuple[str, ...]] = {}
    queued: set[int] = set()  # packages whose own dependencies are queued
    seen: set[tuple[int, str]] = set()  # (package, extra) pairs queued
    queue: deque[tuple[int, str | None]] = deque()
    check_each = installable is not None
    if installable is None:  # (no --no-install-* flag: all but virtual packages)

        def installable(index: int) -> bool:
            return packages[index].locked.source.kind != "virtual"

    def reach(index: int, path: tuple[str, ...], install: bool) -> None:
        walked.setdefault(index, path)
        if install and installable(index):
            expected.setdefault(index, path)

    def push(index: int, extra: str | None) -> None:
        if extra is None:
            if index not in queued:
                queued.add(index)
                queue.append((index, None))
        elif (index, extra) not in seen:
            seen.add((index, extra))
            queue.append((index, extra))

    def follow(dep: UvDependency, path: tuple[str, ...]) -> bool:
        target = packages[dep.target].locked.name
        if dep.extras and lock.conflicts:
            newly = {_enc_extra(target, e) for e in dep.extras}
            if dep.marker is not None and not evaluate(dep.marker, active | newly):
                return False
            if collect is not None:
                collect.update(newly)
        elif dep.marker is not None and not evaluate(dep.marker, active):
            return False
        reach(dep.target, (*path, target), True)
        push(dep.target, None)
        for extra in dep.extras:
            push(dep.target, extra)
        return True

    for r in roots:
        pkg = packages[r]
        path: tuple[str, ...] = (pkg.locked.name,)
        reach(r, path, groups.prod)
        if groups.prod:
            push(r, None)
            for extra in pkg.optional:
                if extras.contains(extra):
                    push(r, extra)
    member_groups = set().union(*(_member_groups(lock, r) for r in roots)) if roots else set()
    group_sources = [(r, True) for r in roots]
    if group_root is not None:
        group_sources.append((group_root, False))
        walked.setdefault(group_root, (packages[group_root].locked.name,))
    for r, own in group_sources:
        pkg = packages[r]
        for group, deps in pkg.groups.items():
            if not groups.contains(group):
                continue
            if not own and (groups.because_default(group) or group in member_groups):
                continue
            for dep in deps:
                follow(dep, (pkg.locked.name,))
    for req in lock.manifest_requirements:
        if evaluate(req.marker):
            index = _find_root(lock, req.name, evaluate)
            reach(index, (req.name,), groups.prod)
            push(index, None)
            for extra in req.extras:
                push(index, extra)
    for group, reqs in lock.manifest_groups.items():
        if not groups.contains(group):
            continue
        if groups.inherited and (groups.because_default(group) or group in member_groups):
            continue
        for req in reqs:
            if evaluate(req.marker):
                index = _find_root(lock, req.name, evaluate)
                reach(index, (req.name,), True)
                push(index, None)
                for extra in req.extras:
                    push(index, extra)

    # The walk proper. Most edges carry no marker and no extra: those are followed
    # here, as follow() would, without its calls; a path is built once per package.
    popleft, append, queue_it = queue.popleft, queue.append, queued.add
    while queue:
        index, which = popleft()
        pkg = packages[index]
        deps = pkg.optional.get(which, _NO_EDGES) if which is not None else pkg.dependencies
        if not deps:
            continue
        path = walked[index]
        for dep in deps:
            target, dep_extras, marker = dep
            if marker is not None or dep_extras:
                follow(dep, path)
                continue
            new_path = None
            if target not in walked:
                new_path = walked[target] = (*path, packages[target].locked.name)
            if target not in expected and (
                installable(target)
                if check_each
                else packages[target].locked.source.kind != "virtual"
            ):
                expected[target] = new_path or (*path, packages[target].locked.name)
            if target not in queued:
                queue_it(target)
                append((target, None))
    return Selected(expected=expected, walked=walked)


def _validate_names(
    lock: UvLock,
    sel: UvSelection,
    project: ProjectInfo,
    roots: list[int],
    groups: _Groups,
) -> None:
    known_groups: set[str] = set(lock.manifest_groups)
    known_extras: set[str] = set()
    root_names = [lock.packages[i].locked.name for i in roots]
    for name, index in zip(root_names, roots, strict=True):
        pkg = lock.packages[index]
        known_groups |= (
            set(pkg.groups) | pkg.declared_groups | project.groups.get(name, frozenset())
        )
        known_extras |= (
            set(pkg.optional) | pkg.provides_extras | project.extras.get(name, frozenset())
        )
    for group in (*sel.groups, *sel.no_groups, *sel.only_groups):
        if group not in known_groups:
            raise SelectionError(
                f"{project.defined_in}: Group `{group}` is not defined in the project's "
                "`dependency-groups` table"
            )
    if project.default_groups != "all" and not sel.no_default_groups:
        for group in project.default_groups:
            if group != "dev" and group not in known_groups:
                raise SelectionError(
                    f"{project.defined_in}: Default group `{group}` (from "
                    "`tool.uv.default-groups`) is not defined in the project's "
                    "`dependency-groups` table"
                )
    if lock.revision < 1:
        return  # (locks from uv before provides-extras: uv does not check extras there)
    for extra in (*sel.extras, *sel.no_extras):
        if extra not in known_extras:
            owner = root_names[0] if root_names else "project"
            raise SelectionError(
                f"{project.defined_in}: Extra `{extra}` is not defined in the "
                f"`optional-dependencies` table for `{owner}`"
            )
