"""Reader for Pipfile.lock (JSON, pipfile-spec 6), with `pipenv sync` + `pipenv clean`.

``default`` is always selected; ``develop`` with ``--dev`` (pipenv's own flag). Each
entry is pinned (``"version": "==1.2"``), or a path (``editable``), a git checkout with
its ``ref``, or a file URL; ``markers`` are evaluated for the target.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

from driftcheck.diff import Expected, Rules
from driftcheck.errors import LockfileError
from driftcheck.markers import valid_version
from driftcheck.models import REGISTRY, LockedPackage, Source
from driftcheck.names import canonicalize_name

__all__ = ["env_candidates", "pipenv_env_name", "plan"]


def pipenv_env_name(project_dir: Path) -> str:
    """The ``<name>-<hash>`` pipenv gives a project's virtualenv."""
    name = re.sub(r'[ &$`!*@"()\[\]\\\r\n\t]', "_", project_dir.name)[:42]
    digest = hashlib.sha256(str(project_dir / "Pipfile").encode()).digest()[:6]
    return f"{name}-{base64.urlsafe_b64encode(digest).decode()[:8]}"


def env_candidates(root: Path, pyproject: Any) -> list[Path]:
    """pipenv's environment: a ``.venv`` file's content, or WORKON_HOME/<name>-<hash>."""
    workon = Path(os.environ.get("WORKON_HOME") or Path.home() / ".local/share/virtualenvs")
    dot_venv = root / ".venv"
    if dot_venv.is_file():
        from driftcheck.files import Unreadable, read_regular

        try:
            named = read_regular(str(dot_venv), 1 << 16).decode("utf-8").strip()
        except (Unreadable, UnicodeDecodeError):
            named = ""
        if named and "\0" not in named:
            return [root / named if "/" in named or "\\" in named else workon / named]
    custom = os.environ.get("PIPENV_CUSTOM_VENV_NAME")
    return [workon / (custom or pipenv_env_name(root.absolute()))]


class _Lines:
    """The line of a section's ``"name": {`` entry, looked for only when a finding needs it."""

    def __init__(self, text: str) -> None:
        self._text = text

    def of(self, section: str, name: str) -> int | None:
        """The first line after the section's own key that starts with the key ``name``."""
        text = self._text
        pos = text.find(f'"{section}"')
        if pos == -1 or '"' in name or "\\" in name:
            return None  # (a key with escapes is not searched for)
        key = f'"{name}"'
        while True:
            pos = text.find(key, pos + 1)
            if pos == -1:
                return None
            before = text[text.rfind("\n", 0, pos) + 1 : pos]
            after = pos + len(key)
            if not before.strip() and text[after : text.find(":", after) + 1].strip() == ":":
                return text.count("\n", 0, pos) + 1


def _entry(
    shown: str, lines: _Lines, section: str, name: str, raw: Any, root: Path, evaluate: Any
) -> tuple[LockedPackage, str | None]:
    """The entry as a locked package (its line is found only if a finding needs it)."""
    if type(raw) is dict and raw.keys() <= _PINNED_KEYS:
        pin = raw.get("version")
        markers = raw.get("markers")
        if (
            type(pin) is str
            and pin.startswith("==")
            and (markers is None or type(markers) is str)
            and valid_version(pin[2:])
            and (not markers or _valid_marker(markers))
        ):
            # (positional: the record's quick path, for thousands of entries)
            return LockedPackage(canonicalize_name(name), pin[2:], REGISTRY), markers
    return _checked_entry(shown, lines.of(section, name), section, name, raw, root, evaluate)


# The keys of a plain registry entry; entries with others take the full path below.
_PINNED_KEYS = frozenset({"hashes", "index", "version", "markers", "extras"})


def _valid_marker(marker: str) -> bool:
    from driftcheck.markers import compile_marker

    try:
        compile_marker(marker)
    except ValueError:
        return False
    return True


def _checked_entry(
    shown: str,
    line: int | None,
    section: str,
    name: str,
    raw: Any,
    root: Path,
    evaluate: Any,
) -> tuple[LockedPackage, str | None]:
    where = f"{section}.{name}"
    if not isinstance(raw, dict):
        raise LockfileError(shown, f"entry '{name}' must be an object", line=line, where=where)
    markers = raw.get("markers")
    if markers is not None and not isinstance(markers, str):
        raise LockfileError(
            shown, f"'{name}': 'markers' must be a string", line=line, where=f"{where}.markers"
        )
    if markers:
        from driftcheck.markers import compile_marker

        try:
            compile_marker(markers)
        except ValueError as exc:
            raise LockfileError(
                shown,
                f"'{name}': invalid marker {markers!r}: {exc}",
                line=line,
                where=f"{where}.markers",
            ) from None
    version: str | None = None
    if raw.get("git"):
        ref = raw.get("ref")
        if not isinstance(ref, str) or not re.fullmatch(r"[0-9a-f]{40}", ref):
            raise LockfileError(
                shown,
                f"'{name}': git entry without a full commit 'ref'",
                line=line,
                where=f"{where}.ref",
            )
        source = Source(
            kind="git",
            url=str(raw["git"]).removeprefix("git+"),
            commit=ref,
            subdirectory=raw.get("subdirectory"),
        )
    elif raw.get("path"):
        path = str(raw["path"])
        path = path if Path(path).is_absolute() else os.path.normpath(root / path)
        if raw.get("editable"):
            source = Source(kind="editable", path=path)
        else:
            source = Source(kind="path" if Path(path).is_file() else "directory", path=path)
    elif raw.get("file"):
        source = Source(kind="url", url=str(raw["file"]))
    else:
        pin = raw.get("version")
        if pin == "*" and markers and not evaluate(markers):
            # pipenv leaves a package its markers exclude unresolved: fine, unless selected.
            pin = "==0"
        if not isinstance(pin, str) or not pin.startswith("=="):
            raise LockfileError(
                shown,
                f"'{name}': 'version' must be a pin like '==1.2.3', not {pin!r}",
                line=line,
                where=f"{where}.version",
            )
        version = pin.lstrip("=")
        if not valid_version(version):
            raise LockfileError(
                shown, f"'{name}': invalid version {pin!r}", line=line, where=f"{where}.version"
            )
        source = REGISTRY
    return LockedPackage(name=canonicalize_name(name), version=version, source=source), markers


def plan(ctx: Any) -> Any:
    """The reader interface: `pipenv sync [--dev]` then `pipenv clean`."""
    from driftcheck.lockfiles import Plan, refuse_other_flags
    from driftcheck.toml import decode_utf8, read_bytes

    refuse_other_flags(ctx, "Pipfile.lock", {"dev"})
    dev = ctx.flags.get("dev")
    if dev not in (None, "include"):
        from driftcheck.errors import SelectionError

        raise SelectionError(f"{ctx.shown}: only --dev applies to a Pipfile.lock")
    raw = read_bytes(ctx.lockfile, ctx.shown, ctx.lockfile_limit)
    # pipenv writes UTF-8; json.loads(bytes) would guess UTF-16/32 from NUL bytes.
    text = decode_utf8(raw, ctx.shown)
    from driftcheck.nesting import TooDeep, load_json

    try:
        data = load_json(text)
    except TooDeep as exc:
        raise LockfileError(ctx.shown, str(exc), line=exc.line) from None
    except json.JSONDecodeError as exc:
        raise LockfileError(ctx.shown, f"invalid JSON: {exc.msg}", line=exc.lineno) from None
    if not isinstance(data, dict) or not isinstance(data.get("_meta"), dict):
        raise LockfileError(
            ctx.shown, "missing '_meta' object; is this a Pipfile.lock?", where="_meta"
        )
    spec = data["_meta"].get("pipfile-spec")
    if spec != 6:
        raise LockfileError(
            ctx.shown,
            f"unsupported pipfile-spec {spec!r}; driftcheck reads pipfile-spec 6",
            where="_meta.pipfile-spec",
        )
    sections = ["default", "develop"] if dev == "include" else ["default"]
    root = Path(ctx.lockfile).parent.absolute()
    lines = _Lines(text)
    expected: dict[str, Expected] = {}
    section_of: dict[str, tuple[str, str]] = {}  # canonical name -> (section, key)
    locked: set[str] = set()
    for section in ("default", "develop"):
        table = data.get(section, {})
        if not isinstance(table, dict):
            raise LockfileError(ctx.shown, f"'{section}' must be an object", where=section)
        for name, entry in table.items():
            package, marker = _entry(ctx.shown, lines, section, name, entry, root, ctx.evaluate)
            locked.add(package.name)
            if section not in sections or package.name in expected:
                continue
            if marker and not ctx.evaluate(marker):
                continue
            expected[package.name] = Expected(package, (package.name,))
            section_of[package.name] = (section, name)
    fix = "pipenv sync --dev && pipenv clean" if dev == "include" else "pipenv sync && pipenv clean"
    return Plan(
        format="Pipfile.lock",
        expected=list(expected.values()),
        rules=Rules(exact=True, check_freshness=False, strict_registry=False),
        selection={"dev": dev == "include"},
        fix=fix,
        locked=frozenset(locked),
        line_of=lambda name: lines.of(*section_of[name]) if name in section_of else None,
    )
