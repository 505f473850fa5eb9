"""Reader for conda-lock.yml (version 1), through pyyaml.

For the current platform (``linux-64``, ``osx-arm64``…):

- ``manager: pip`` packages are checked against the environment's dist-info, as
  ``pip`` installs them (permissive: any install of the pinned version);
- ``manager: conda`` packages are checked against the environment's
  ``conda-meta/*.json`` records: present, and the same version and build.

Distributions whose ``INSTALLER`` is ``conda`` belong to conda packages and are judged
on the conda side only. Selection: non-optional packages, plus the optional categories
named with ``--extra``; ``--no-dev`` leaves out the ``dev`` category.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any

from driftcheck.diff import Expected, Rules
from driftcheck.errors import LockfileError
from driftcheck.models import REGISTRY, Finding, InstalledDist, LockedPackage, Source
from driftcheck.names import canonicalize_name

__all__ = ["conda_platform", "plan"]


def conda_platform() -> str:
    """This host's conda subdir, e.g. ``linux-64`` or ``osx-arm64``."""
    if hasattr(os, "uname"):  # (what platform.machine() reads there, without importing it)
        machine = os.uname().machine.lower()
    else:  # pragma: no cover - Windows
        import platform

        machine = platform.machine().lower()
    arch = {"x86_64": "64", "amd64": "64", "aarch64": "aarch64", "arm64": "arm64"}.get(
        machine, machine
    )
    if sys.platform.startswith("linux"):
        return f"linux-{arch}"
    if sys.platform == "darwin":
        return f"osx-{arch}"
    if sys.platform == "win32":
        return f"win-{arch}"
    return f"{sys.platform}-{arch}"


def _build_of(url: str, name: str, version: str) -> str | None:
    """The build string from a conda package URL (``name-version-build.conda``)."""
    filename = url.rsplit("/", 1)[-1]
    stem = re.sub(r"\.(conda|tar\.bz2)$", "", filename)
    prefix = f"{name}-{version}-"
    return stem[len(prefix) :] if stem.startswith(prefix) else None


def _safe_load(raw: bytes) -> Any:
    """``yaml.safe_load``, through libyaml where pyyaml was built with it (~4x faster).

    libyaml recurses in C once per level of nesting (deep enough, it crashes the
    process), so a text that may nest deeper than :data:`driftcheck.nesting.MAX_DEPTH`
    is read by the pure-Python loader, which counts levels and refuses it.

    :raises driftcheck.nesting.TooDeep: for input nested too deep.
    """
    import yaml

    from driftcheck.nesting import MAX_DEPTH, yaml_depth_bound

    if yaml_depth_bound(raw) > MAX_DEPTH:
        return yaml.load(raw, Loader=_bounded_loader())
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return yaml.load(raw, Loader=fast)
        except yaml.YAMLError:
            pass  # parse again: the pure-Python loader words errors the same everywhere
    return yaml.safe_load(raw)


def _bounded_loader() -> Any:
    """``yaml.SafeLoader`` that refuses nodes nested deeper than MAX_DEPTH."""
    import yaml

    from driftcheck.nesting import MAX_DEPTH, TooDeep

    class Bounded(yaml.SafeLoader):
        depth = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            self.depth += 1
            try:
                if self.depth > MAX_DEPTH:
                    raise TooDeep(self.peek_event().start_mark.line + 1)  # type: ignore[no-untyped-call]
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

    return Bounded


def _load(shown: str, raw: bytes) -> list[dict[str, Any]]:
    from driftcheck.lockfiles import conda_fast

    try:
        fast = conda_fast.packages(raw.decode("utf-8"))
    except UnicodeDecodeError:
        fast = None
    if fast is not None:
        return _checked(shown, fast)
    import yaml

    from driftcheck.nesting import TooDeep

    try:
        data = _safe_load(raw)
    except TooDeep as exc:
        raise LockfileError(shown, str(exc), line=exc.line) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or "invalid YAML"
        line = mark.line + 1 if mark is not None else None
        raise LockfileError(shown, f"invalid YAML: {problem}", line=line) from None
    if not isinstance(data, dict):
        raise LockfileError(shown, "not a conda-lock file (no mapping at the top)")
    if data.get("version") != 1:
        raise LockfileError(
            shown,
            f"unsupported version {data.get('version')!r}; driftcheck reads conda-lock version 1",
            where="version",
        )
    packages = data.get("package")
    if not isinstance(packages, list):
        raise LockfileError(shown, "'package' must be a list", where="package")
    return _checked(shown, packages)


def _checked(shown: str, packages: list[Any]) -> list[dict[str, Any]]:
    for i, pkg in enumerate(packages):
        where = f"package[{i}]"
        if not isinstance(pkg, dict):
            raise LockfileError(shown, "each package must be a mapping", where=where)
        for key in ("name", "version", "manager", "platform"):
            if not isinstance(pkg.get(key), str):
                raise LockfileError(shown, f"'{key}' must be a string", where=f"{where}.{key}")
        if pkg["manager"] not in ("conda", "pip"):
            raise LockfileError(
                shown, f"unknown manager {pkg['manager']!r}", where=f"{where}.manager"
            )
    return packages


def _conda_records(prefix: Path) -> dict[str, tuple[str, str, Path]]:
    """name -> (version, build, record path) from the environment's conda-meta."""
    records: dict[str, tuple[str, str, Path]] = {}
    meta = prefix / "conda-meta"
    if not meta.is_dir():
        return records
    from driftcheck.files import Unreadable, read_regular
    from driftcheck.nesting import load_json

    for path in sorted(meta.glob("*.json")):
        try:
            record = load_json(read_regular(str(path), within=str(meta)).decode("utf-8"))
        except (Unreadable, ValueError):
            continue
        if isinstance(record, dict) and isinstance(record.get("name"), str):
            records[record["name"]] = (str(record.get("version")), str(record.get("build")), path)
    return records


def _conda_findings(expected: list[dict[str, Any]], prefix: Path) -> list[Finding]:
    records = _conda_records(prefix)
    findings = []
    for pkg in expected:
        name, version = pkg["name"], pkg["version"]
        build = _build_of(str(pkg.get("url", "")), name, version)
        locked = LockedPackage(
            name=name, version=version, source=Source(kind="url", url=pkg.get("url"))
        )
        have = records.pop(name, None)
        if have is None:
            findings.append(
                Finding(
                    kind="missing",
                    name=name,
                    expected=locked,
                    reason=f"conda package {name} {version} locked but not installed",
                    required_by=(name,),
                )
            )
            continue
        installed = _record_dist(name, have)
        if have[0] != version or (build is not None and have[1] != build):
            findings.append(
                Finding(
                    kind="mismatched",
                    name=name,
                    expected=locked,
                    installed=installed,
                    reason=(
                        f"conda package {have[0]} ({have[1]}) installed, {version} ({build}) locked"
                    ),
                    required_by=(name,),
                )
            )
    for name, have in sorted(records.items()):
        findings.append(
            Finding(
                kind="extraneous",
                name=name,
                installed=_record_dist(name, have),
                reason="conda package installed, but not in the lockfile",
            )
        )
    return findings


def _record_dist(name: str, have: tuple[str, str, Path]) -> InstalledDist:
    return InstalledDist(
        name=name, raw_name=name, version=have[0], meta_dir=str(have[2]), layout="egg-info-file"
    )


_ENTRY = re.compile(r"^- name: ([^\n]+)\n((?:  [^\n]*\n)*)", re.MULTILINE)
_PLATFORM = re.compile(r"^  platform: ([^\n]+)$", re.MULTILINE)


def _entry_line(text: str, platform: str, name: str) -> int | None:
    """The line of the ``- name: NAME`` entry for ``platform``, with the name spelled as
    given (as conda-lock writes pip packages' names), found by search: ``None`` if none."""
    needle = f"\n- name: {name}\n"
    at = text.find(needle)
    while at != -1:
        entry = _ENTRY.match(text, at + 1)
        where = _PLATFORM.search(entry.group(2)) if entry is not None else None
        if where is not None and where.group(1).strip() == platform:
            return text.count("\n", 0, at + 1) + 1
        at = text.find(needle, at + 1)
    return None


def _entry_lines(text: str, platform: str) -> dict[str, int]:
    """The line of each ``- name:`` entry for ``platform``, as conda-lock lays them out
    (one scan, when a finding needs a line; an entry in another layout has none)."""
    lines: dict[str, int] = {}
    line, pos = 1, 0
    for match in _ENTRY.finditer(text):
        line += text.count("\n", pos, match.start())
        pos = match.start()
        where = _PLATFORM.search(match.group(2))
        if where is not None and where.group(1).strip() == platform:
            lines.setdefault(canonicalize_name(match.group(1).strip().strip("'\"")), line)
    return lines


def plan(ctx: Any) -> Any:
    """The reader interface: conda-lock's pip and conda packages for this platform."""
    from driftcheck.lockfiles import Plan, refuse_other_flags
    from driftcheck.toml import read_bytes

    refuse_other_flags(ctx, "conda-lock.yml", {"extras", "dev"})
    raw = read_bytes(ctx.lockfile, ctx.shown, ctx.lockfile_limit)
    packages = _load(ctx.shown, raw)
    here = conda_platform()
    lines: dict[str, int] | None = None
    decoded: list[str] = []  # (the text, decoded when a finding first needs a line)

    def line_of(name: str) -> int | None:
        nonlocal lines
        if not decoded:
            decoded.append(raw.decode("utf-8", "replace"))
        if lines is None:
            found = _entry_line(decoded[0], here, name)
            if found is not None:
                return found
            lines = _entry_lines(decoded[0], here)
        return lines.get(name)

    extras = set(ctx.flags.get("extras", ()))
    no_dev = ctx.flags.get("dev") == "exclude"

    def selected(pkg: dict[str, Any]) -> bool:
        category = str(pkg.get("category", "main"))
        if no_dev and category == "dev":
            return False
        return not pkg.get("optional") or canonicalize_name(category) in extras

    mine = [p for p in packages if p["platform"] == here]
    if packages and not mine:
        platforms = sorted({p["platform"] for p in packages})
        raise LockfileError(
            ctx.shown,
            f"no packages for this platform ({here}); the lock has {', '.join(platforms)}",
        )
    new = tuple.__new__  # (thousands of records)
    expected = [
        new(Expected, (new(LockedPackage, (name, p["version"], REGISTRY, None)), (name,)))
        for p in mine
        if p["manager"] == "pip" and selected(p)
        for name in (canonicalize_name(p["name"]),)
    ]
    conda = [p for p in mine if p["manager"] == "conda" and selected(p)]
    return Plan(
        format="conda-lock.yml",
        expected=expected,
        rules=Rules(exact=True, check_freshness=False, strict_registry=False),
        selection={"platform": here, "extras": sorted(extras), "dev": not no_dev},
        fix="conda-lock install --name ENV " + str(ctx.shown),
        keep=frozenset(),
        locked=frozenset(canonicalize_name(p["name"]) for p in mine if p["manager"] == "pip"),
        extra_findings=tuple(_conda_findings(conda, Path(ctx.env.prefix))),
        skip_installers=frozenset({"conda"}),
        line_of=line_of,
    )
