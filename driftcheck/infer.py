"""``driftcheck infer``: which extras and groups was this environment synced with?

uv does not record the selection a venv was synced with (uv #11183, #9973, #18365), so a
check run without the same flags reports false drift. This recovers it from the
environment: the selection under which it has the fewest findings, and among equally
good ones the smallest.

How it decides (docs/infer.md has the full account):

1. The *options* are the root packages' extras and dependency groups (and, in a
   workspace, ``--all-packages``). Each is planned alone once, which gives the packages it
   adds to the base selection.
2. A candidate's score is estimated from those sets: missing, extraneous and wrong
   versions against what is installed. With 12 options or fewer every subset is scored;
   with more, a greedy search adds the best option while the score improves, then
   tries dropping and swapping each chosen one.
3. The best few candidates are checked exactly (the real selection walk and comparison,
   which sees markers and conflicts the estimate cannot), and the best exact one wins,
   smallest first on ties.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any, NamedTuple

from driftcheck import shell
from driftcheck.check import Prepared, check_prepared, prepare
from driftcheck.errors import DriftcheckError, SelectionError
from driftcheck.models import Report

__all__ = ["Inferred", "infer", "run_infer", "with_inferred"]

EXHAUSTIVE_LIMIT = 12
_EXACT_CANDIDATES = 8


class Option(NamedTuple):
    key: str  # the selection flag's dest: "extras", "groups" or "all_packages"
    value: str
    spelled: str


class Inferred(NamedTuple):
    flags: dict[str, Any]
    spelled: list[str]
    report: Report
    options: int
    evaluated: int
    exhaustive: bool


def _options(prepared: Prepared) -> tuple[list[Option], tuple[str, ...]]:
    """The extras and groups to choose from, and the default groups."""
    if prepared.lock_format != "uv.lock":
        raise SelectionError(
            f"{prepared.ctx.shown}: infer reads uv.lock only (this is a {prepared.lock_format})"
        )
    from driftcheck.lockfiles.uv import _project_info, lock_of, roots_of
    from driftcheck.select import UvSelection

    ctx = prepared.ctx
    lock = lock_of(ctx)
    base = UvSelection()
    roots = roots_of(lock, base, ctx.pyproject, ctx.evaluate)
    defaults = _project_info(lock, ctx.pyproject, ()).default_groups
    options: dict[Option, None] = {}
    for root in roots:
        pkg = lock.packages[root]
        options.update(
            dict.fromkeys(Option("extras", e, f"--extra {e}") for e in sorted(pkg.optional))
        )
        options.update(
            dict.fromkeys(Option("groups", g, f"--group {g}") for g in sorted(pkg.groups))
        )
    if len(lock.members) > 1:
        options[Option("all_packages", "", "--all-packages")] = None
    group_names = {o.value for o in options if o.key == "groups"}
    if defaults == "all":
        default_groups = tuple(sorted(group_names))
    else:
        default_groups = tuple(g for g in defaults if g in group_names)
    return list(options), default_groups


def _flags(chosen: Iterable[Option], default_groups: tuple[str, ...]) -> dict[str, Any]:
    """uv sync flags for exactly these extras and groups (defaults spelled out if needed)."""
    chosen = list(chosen)
    groups = {o.value for o in chosen if o.key == "groups"}
    flags: dict[str, Any] = {"extras": tuple(o.value for o in chosen if o.key == "extras")}
    if set(default_groups) <= groups:
        flags["groups"] = tuple(sorted(groups - set(default_groups)))
    else:
        flags["no_default_groups"] = True
        flags["groups"] = tuple(sorted(groups))
    if any(o.key == "all_packages" for o in chosen):
        flags["all_packages"] = True
    return flags


def _spell(flags: dict[str, Any]) -> list[str]:
    out = [f"--extra {e}" for e in flags.get("extras", ())]
    if flags.get("no_default_groups"):
        out.append("--no-default-groups")
    out += [f"--group {g}" for g in flags.get("groups", ())]
    if flags.get("all_packages"):
        out.append("--all-packages")
    return out


def _score(report: Report) -> int:
    return sum(1 for f in report.findings if not f.allowed)


def infer(prepared: Prepared, options: Any) -> Inferred:
    """The selection under which the environment has the fewest findings."""
    choices, default_groups = _options(prepared)
    evaluated = 0

    def exact(chosen: tuple[Option, ...]) -> Report | None:
        nonlocal evaluated
        evaluated += 1
        try:
            return check_prepared(prepared, options, _flags(chosen, default_groups))
        except DriftcheckError:  # conflicting extras and the like: not a valid selection
            return None

    # Estimates: what each option adds to the base selection, planned once.
    base = exact(())
    if base is None:
        raise SelectionError(f"{prepared.ctx.shown}: the base selection itself is refused")
    installed = {d.name: d.version for d in prepared.installed}
    expected_base = _expected(prepared, _flags((), default_groups))
    adds: dict[Option, dict[str, str | None]] = {}
    for option in choices:
        try:
            with_option = _expected(prepared, _flags((option,), default_groups))
        except DriftcheckError:
            with_option = expected_base
        adds[option] = {k: v for k, v in with_option.items() if k not in expected_base}
    keep = {f.name for f in base.findings if f.allowed}

    def estimate(chosen: tuple[Option, ...]) -> int:
        expected = dict(expected_base)
        for option in chosen:
            expected.update(adds[option])
        missing = sum(1 for name in expected if name not in installed)
        wrong = sum(
            1
            for name, version in expected.items()
            if name in installed and version is not None and installed[name] != version
        )
        extra = sum(1 for name in installed if name not in expected and name not in keep)
        return missing + wrong + extra

    exhaustive = len(choices) <= EXHAUSTIVE_LIMIT
    if exhaustive:
        candidates = [
            c for size in range(len(choices) + 1) for c in itertools.combinations(choices, size)
        ]
    else:
        candidates = _local_search(choices, estimate)
    ranked = sorted(candidates, key=lambda c: (estimate(c), len(c)))[:_EXACT_CANDIDATES]
    best: tuple[int, int, tuple[Option, ...], Report] | None = None
    for chosen in ranked:
        report = base if not chosen else exact(chosen)
        if report is None:
            continue
        key = (_score(report), len(chosen))
        if best is None or key < best[:2]:
            best = (*key, chosen, report)
    assert best is not None  # the empty selection is always among the candidates
    flags = _flags(best[2], default_groups)
    return Inferred(
        flags=flags,
        spelled=_spell(flags),
        report=best[3],
        options=len(choices),
        evaluated=evaluated,
        exhaustive=exhaustive,
    )


def _expected(prepared: Prepared, flags: dict[str, Any]) -> dict[str, str | None]:
    from driftcheck.lockfiles import plan

    result = plan(prepared.lock_format, prepared.ctx._replace(flags=dict(flags)))
    return {e.package.name: e.package.version for e in result.expected}


def _local_search(choices: list[Option], estimate: Any) -> list[tuple[Option, ...]]:
    """Greedy forward selection, then drop/swap moves, keeping every state visited."""
    current: tuple[Option, ...] = ()
    seen = [current]
    while True:
        moves = [(*current, o) for o in choices if o not in current]
        moves += [tuple(c for c in current if c != o) for o in current]
        moves += [
            tuple(c if c != out else new for c in current)
            for out in current
            for new in choices
            if new not in current
        ]
        seen += moves
        best = min(moves, key=lambda c: (estimate(c), len(c)), default=current)
        if (estimate(best), len(best)) >= (estimate(current), len(current)):
            return [*dict.fromkeys(seen)]
        current = best


def run_infer(root: str, options: Any, pyproject: Any, *, color: bool) -> tuple[str, bool]:
    """``driftcheck infer``: the inferred flags, then the report under them."""
    prepared = prepare(root, options, pyproject)
    inferred = infer(prepared, options)
    command = shell.join(["uv", "sync", "--frozen"]) + "".join(f" {f}" for f in inferred.spelled)
    report = with_inferred(inferred)
    if options.output_format == "json":
        import json

        from driftcheck.reporters.json import report_to_json

        document = {
            "schema_version": 1,
            "command": "infer",
            "flags": [part for f in inferred.spelled for part in f.split()],
            "options": inferred.options,
            "selections_checked": inferred.evaluated,
            "exhaustive": inferred.exhaustive,
            "report": report_to_json(report),
        }
        return json.dumps(document, indent=2) + "\n", report.drift
    from driftcheck.paths import shown
    from driftcheck.reporters import render

    if options.output_format != "text":
        return render(report, options.output_format, color=color), report.drift
    how = "every subset" if inferred.exhaustive else "a greedy search"
    head = (
        f"driftcheck: {shown(report.environment)} was synced with: {command}\n"
        f"  ({inferred.options} extras and groups; {how}; {inferred.evaluated} selections checked"
        " in full)\n"
    )
    return head + render(report, "text", color=color), report.drift


def with_inferred(inferred: Inferred) -> Report:
    """The report under the inferred selection, which it names (``selection.inferred``)."""
    selection = dict(inferred.report.selection)
    selection["inferred"] = " ".join(inferred.spelled)
    return inferred.report._replace(selection=selection)
