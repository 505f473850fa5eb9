"""``driftcheck why NAME``: why a package is expected in this environment, or not.

For any lockfile: whether the name is locked (and at which versions), whether the
selection expects it and through which path, and what is installed. For a uv.lock also:
every dependency path from the project that reaches it, each edge with its extra or
group and its marker evaluated for this target, and, for a package installed but not
expected, the extras or groups that would select it.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from driftcheck.check import Prepared
from driftcheck.names import canonicalize_name

__all__ = ["Edge", "explain", "render_text"]

_MAX_PATHS = 20


class Edge(NamedTuple):
    source: str
    target: str
    via: str | None  # "extra gpu", "group dev", or None for a plain dependency
    marker: str | None
    marker_true: bool


def _uv_paths(prepared: Prepared, lock: Any, roots: list[int], name: str) -> list[list[Edge]]:
    """Every path (up to a limit) from a root to a package named ``name``."""
    packages = lock.packages
    targets = set(lock.by_name.get(name, []))
    # Nodes that can reach a target, over every kind of edge: prunes the search.
    reverse: dict[int, set[int]] = {}
    for i, pkg in enumerate(packages):
        for dep in _all_deps(pkg):
            reverse.setdefault(dep.target, set()).add(i)
    useful = set(targets)
    stack = list(targets)
    while stack:
        for parent in reverse.get(stack.pop(), ()):
            if parent not in useful:
                useful.add(parent)
                stack.append(parent)
    evaluate = prepared.ctx.evaluate
    paths: list[list[Edge]] = []

    def walk(index: int, extras: frozenset[str], trail: list[Edge], seen: set[int]) -> None:
        if len(paths) >= _MAX_PATHS:
            return
        if index in targets and trail:
            paths.append(list(trail))
            return
        pkg = packages[index]
        edges: list[tuple[str | None, Any]] = [(None, d) for d in pkg.dependencies]
        is_root = not trail
        for extra, deps in pkg.optional.items():
            if is_root or extra in extras:
                edges += [(f"extra {extra}", d) for d in deps]
        if is_root:
            for group, deps in pkg.groups.items():
                edges += [(f"group {group}", d) for d in deps]
        for via, dep in edges:
            if dep.target not in useful or dep.target in seen:
                continue
            edge = Edge(
                source=pkg.locked.name,
                target=packages[dep.target].locked.name,
                via=via,
                marker=dep.marker,
                marker_true=evaluate(dep.marker),
            )
            trail.append(edge)
            walk(dep.target, frozenset(dep.extras), trail, seen | {dep.target})
            trail.pop()

    for root in roots:
        if root in targets:
            paths.append([])
        walk(root, frozenset(), [], {root})
    return paths[:_MAX_PATHS]


def _all_deps(pkg: Any) -> list[Any]:
    deps = list(pkg.dependencies)
    for group in (pkg.optional, pkg.groups):
        for more in group.values():
            deps += more
    return deps


def _would_select(prepared: Prepared, lock: Any, roots: list[int], name: str) -> list[str]:
    """The ``--extra``/``--group`` flags, one at a time, under which ``name`` is expected."""
    from driftcheck.errors import DriftcheckError
    from driftcheck.lockfiles import plan

    flags = prepared.ctx.flags
    options: list[tuple[str, str, str]] = []
    for root in roots:
        pkg = lock.packages[root]
        options += [("extras", e, f"--extra {e}") for e in sorted(pkg.optional)]
        options += [("groups", g, f"--group {g}") for g in sorted(pkg.groups)]
    found = []
    for key, value, spelled in dict.fromkeys(options):
        trial = dict(flags)
        trial[key] = (*trial.get(key, ()), value)
        try:
            result = plan(prepared.lock_format, prepared.ctx._replace(flags=trial))
        except DriftcheckError:  # e.g. a conflicting extra: not a selection uv accepts
            continue
        if any(e.package.name == name for e in result.expected):
            found.append(spelled)
    return found


def explain(prepared: Prepared, raw_name: str) -> dict[str, Any]:
    """The answer as a JSON-ready dict (``--json`` prints it as it is)."""
    from driftcheck.lockfiles import plan

    name = canonicalize_name(raw_name)
    ctx = prepared.ctx
    result = plan(prepared.lock_format, ctx)
    expected = next((e for e in result.expected if e.package.name == name), None)
    installed = [d for d in prepared.installed if d.name == name]
    if expected is None and not installed and name not in result.locked:
        from driftcheck.errors import SelectionError

        raise SelectionError(
            f"{ctx.shown}: {raw_name} is neither locked nor installed in {ctx.env.prefix}"
        )
    answer: dict[str, Any] = {
        "name": name,
        "lockfile": {"path": str(ctx.lockfile), "format": result.format},
        "environment": {"path": str(ctx.env.prefix), "python": ctx.env.python_full_version},
        "selection": result.selection,
        "locked": [],
        "expected": expected is not None,
        "required_by": list(expected.required_by) if expected else [],
        "paths": [],
        "would_select": [],
        "installed": [
            {"version": d.version, "path": d.meta_dir, "installer": d.installer} for d in installed
        ],
    }
    if result.format == "uv.lock":
        from driftcheck.lockfiles.uv import lock_of, roots_of
        from driftcheck.select import UvSelection

        lock = lock_of(ctx)
        answer["locked"] = [
            {
                "version": lock.packages[i].locked.version,
                "source": lock.packages[i].locked.source.to_json(),
                "line": lock.line_of(i),
                "resolution_markers": list(lock.packages[i].resolution_markers),
                "resolution_markers_true": [
                    ctx.evaluate(m) for m in lock.packages[i].resolution_markers
                ],
            }
            for i in lock.by_name.get(name, [])
        ]
        roots = roots_of(lock, UvSelection.from_flags(ctx.flags), ctx.pyproject, ctx.evaluate)
        answer["paths"] = [
            [e._asdict() for e in path] for path in _uv_paths(prepared, lock, roots, name)
        ]
        if installed and expected is None and answer["locked"]:
            answer["would_select"] = _would_select(prepared, lock, roots, name)
    elif expected is not None or name in result.locked:
        package = expected.package if expected else None
        answer["locked"] = [
            {
                "version": package.version if package else None,
                "source": package.source.to_json() if package else None,
                "line": result.line_of(name) if result.line_of else None,
            }
        ]
    return answer


def render_text(answer: dict[str, Any]) -> str:
    from pathlib import Path

    from driftcheck.paths import shown

    name = answer["name"]
    lockfile = shown(Path(answer["lockfile"]["path"]))
    lines = []
    if not answer["locked"]:
        lines.append(f"{name} is not in {lockfile}")
    else:
        versions = ", ".join(str(v["version"]) for v in answer["locked"])
        lines.append(f"{name} is locked at {versions} in {lockfile}")
        for v in answer["locked"]:
            for marker, true in zip(
                v.get("resolution_markers", []), v.get("resolution_markers_true", []), strict=True
            ):
                lines.append(f"  {v['version']} for {marker}: {str(true).lower()} here")
    if answer["expected"]:
        lines.append(f"expected here, through {' -> '.join(answer['required_by'])}")
    elif answer["locked"]:
        lines.append("not expected here with these flags")
    if answer["paths"]:
        lines.append("dependency paths from the project (markers evaluated for this environment):")
        for path in answer["paths"]:
            parts = [path[0]["source"]] if path else [name]
            for edge in path:
                label = edge["via"] or ""
                if edge["marker"]:
                    verdict = str(edge["marker_true"]).lower()
                    label += f"{'; ' if label else ''}{edge['marker']}: {verdict}"
                parts.append(f"-[{label}]-> {edge['target']}" if label else f"-> {edge['target']}")
            lines.append("  " + " ".join(parts))
    for dist in answer["installed"]:
        installer = f", installer {dist['installer']}" if dist["installer"] else ""
        lines.append(f"installed: {dist['version']} ({shown(Path(dist['path']))}{installer})")
    if not answer["installed"]:
        lines.append("not installed")
    elif not answer["expected"]:
        if answer["would_select"]:
            lines.append(f"it would be selected by: {', '.join(answer['would_select'])}")
        elif answer["locked"]:
            lines.append("no single extra or group selects it for this environment")
        else:
            lines.append("nothing in the lock selects it")
    return "\n".join(lines) + "\n"
