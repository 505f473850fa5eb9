"""Build fake venvs and uv.lock files in tmp_path from plain dicts (fast unit tests)."""

from __future__ import annotations

import json
from pathlib import Path

REGISTRY = "https://index.example/simple"


def make_venv(
    root: Path,
    dists: dict[str, str],
    *,
    python: str = "3.11.7",
    uv: bool = True,
    seed: bool = False,
    direct_urls: dict[str, dict[str, object]] | None = None,
    installer: str = "uv",
) -> Path:
    """A venv directory as uv lays it out, with a dist-info per ``name: version``."""
    venv = root / ".venv"
    major_minor = ".".join(python.split(".")[:2])
    site = venv / "lib" / f"python{major_minor}" / "site-packages"
    site.mkdir(parents=True)
    cfg = [
        "home = /nowhere/bin",
        "include-system-site-packages = false",
        f"version_info = {python}",
    ]
    if uv:
        cfg += ["implementation = CPython", "uv = 0.13.9"]
    if seed:
        cfg.append("seed = true")
    (venv / "pyvenv.cfg").write_text("\n".join(cfg) + "\n")
    # An interpreter file, as a copied (not linked) venv has: driftcheck never runs it,
    # and a venv without one is one that uv would replace.
    (venv / "bin").mkdir()
    (venv / "bin" / "python").write_text("#!/bin/false\n")
    for name, version in dists.items():
        add_dist(site, name, version, installer=installer, direct_url=(direct_urls or {}).get(name))
    return venv


def add_dist(
    site: Path,
    name: str,
    version: str,
    *,
    installer: str = "uv",
    direct_url: dict[str, object] | None = None,
) -> Path:
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    (info / "INSTALLER").write_text(installer + "\n")
    (info / "RECORD").write_text("")
    if direct_url is not None:
        (info / "direct_url.json").write_text(json.dumps(direct_url))
    return info


def site_packages(venv: Path) -> Path:
    return next(venv.glob("lib/python*/site-packages"))


def lock_text(
    project: str,
    deps: dict[str, str],
    *,
    extras: dict[str, dict[str, str]] | None = None,
    groups: dict[str, dict[str, str]] | None = None,
    markers: dict[str, str] | None = None,
) -> str:
    """A uv.lock for a virtual ``project`` whose dependencies are registry packages."""
    markers = markers or {}
    every = dict(deps)
    for table in (extras or {}).values():
        every.update(table)
    for table in (groups or {}).values():
        every.update(table)

    def dep_list(names: dict[str, str]) -> str:
        items = []
        for n in names:
            marker = f', marker = "{markers[n]}"' if n in markers else ""
            items.append(f'    {{ name = "{n}"{marker} }},')
        return "[\n" + "\n".join(items) + "\n]"

    out = ["version = 1", "revision = 3", 'requires-python = ">=3.10"', ""]
    out += ["[[package]]", f'name = "{project}"', 'version = "0.1.0"', 'source = { virtual = "." }']
    out += [f"dependencies = {dep_list(deps)}", ""]
    if extras:
        out.append("[package.optional-dependencies]")
        out += [f"{e} = {dep_list(t)}" for e, t in extras.items()]
        out.append("")
    if groups:
        out.append("[package.dev-dependencies]")
        out += [f"{g} = {dep_list(t)}" for g, t in groups.items()]
        out.append("")
    for name, version in sorted(every.items()):
        out += ["[[package]]", f'name = "{name}"', f'version = "{version}"']
        out += [f'source = {{ registry = "{REGISTRY}" }}', ""]
    return "\n".join(out)


def make_project(
    root: Path,
    deps: dict[str, str],
    installed: dict[str, str],
    pyproject_extra: str = "",
    **kw: object,
) -> Path:
    """A virtual uv project at ``root`` with a fake venv holding ``installed``."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(
        f'[project]\nname = "demo"\nversion = "0.1.0"\n{pyproject_extra}'
    )
    (root / "uv.lock").write_text(lock_text("demo", deps, **kw))  # type: ignore[arg-type]
    make_venv(root, installed)
    return root
