"""Real uv projects for the differential tests, written at run time and locked by real uv.

Each base project is locked once per session; each case copies it, builds a fresh venv
with real uv, perturbs it the way people do, and asks both uv and driftcheck.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

from helpers import run, uv_bin
from uv_fast_equivalence import assert_equivalent

BUILD = """
[build-system]
requires = ["uv_build>=0.9,<0.20"]
build-backend = "uv_build"
"""


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())


def _module(name: str) -> dict[str, str]:
    return {f"src/{name.replace('-', '_')}/__init__.py": f"NAME = {name!r}\n"}


def _app(root: Path) -> None:
    # Markers: tomli below 3.11, backports.tarfile (via jaraco.context) below 3.12.
    # Dotted and underscored names throughout.
    _write(
        root,
        {
            "pyproject.toml": """
            [project]
            name = "app"
            version = "0.1.0"
            requires-python = ">=3.10"
            dependencies = [
                "jaraco.context",
                "typing_extensions>=4",
                "tomli; python_version < '3.11'",
            ]

            [project.optional-dependencies]
            web = ["itsdangerous"]
            cli = ["click"]

            [dependency-groups]
            dev = ["iniconfig"]
            lint = ["six"]
            docs = ["idna"]

            [tool.uv]
            default-groups = ["dev", "lint"]
            """
            + BUILD,
            **_module("app"),
        },
    )


def _conflicts(root: Path) -> None:
    # A virtual project (never installed), a forked resolution, and conflicting extras.
    _write(
        root,
        {
            "pyproject.toml": """
            [project]
            name = "forked"
            version = "0.1.0"
            requires-python = ">=3.10"
            dependencies = [
                "idna==3.6; python_version < '3.12'",
                "idna==3.7; python_version >= '3.12'",
                "zipp",
            ]

            [project.optional-dependencies]
            a = ["six==1.16.0", "attrs==23.2.0"]
            b = ["six==1.17.0"]

            [tool.uv]
            package = false
            conflicts = [[{ extra = "a" }, { extra = "b" }]]
            """,
        },
    )


def _workspace(root: Path) -> None:
    _write(
        root,
        {
            "pyproject.toml": """
            [project]
            name = "ws-root"
            version = "0.1.0"
            requires-python = ">=3.10"
            dependencies = ["alpha", "helper", "wheelpkg"]

            [dependency-groups]
            tools = ["iniconfig"]
            dev = ["six"]

            [tool.uv.workspace]
            members = ["packages/*"]

            [tool.uv.sources]
            alpha = { workspace = true }
            helper = { path = "libs/helper", editable = false }
            wheelpkg = { path = "wheels/wheelpkg-0.1.0-py3-none-any.whl" }
            """
            + BUILD,
            **_module("ws-root"),
            "packages/alpha/pyproject.toml": """
            [project]
            name = "alpha"
            version = "0.1.0"
            requires-python = ">=3.10"
            dependencies = ["six"]
            """
            + BUILD,
            "packages/alpha/src/alpha/__init__.py": "",
            "packages/beta/pyproject.toml": """
            [project]
            name = "beta"
            version = "0.2.0"
            requires-python = ">=3.10"
            dependencies = ["alpha", "idna"]

            [dependency-groups]
            dev = ["attrs"]

            [tool.uv.sources]
            alpha = { workspace = true }
            """
            + BUILD,
            "packages/beta/src/beta/__init__.py": "",
            "libs/helper/pyproject.toml": """
            [project]
            name = "helper"
            version = "1.0.0"
            requires-python = ">=3.10"
            """
            + BUILD,
            "libs/helper/src/helper/__init__.py": "",
            "wheelsrc/pyproject.toml": """
            [project]
            name = "wheelpkg"
            version = "0.1.0"
            requires-python = ">=3.10"
            """
            + BUILD,
            "wheelsrc/src/wheelpkg/__init__.py": "",
        },
    )
    run(
        [uv_bin(), "build", "--wheel", "-q", "-o", str(root / "wheels"), str(root / "wheelsrc")],
        root,
    )
    shutil.rmtree(root / "wheelsrc")


BUILDERS = {"app": _app, "forked": _conflicts, "ws": _workspace}


def make_base(name: str, root: Path) -> Path:
    """Write project ``name`` under ``root`` and lock it with real uv."""
    project = root / name
    project.mkdir(parents=True)
    BUILDERS[name](project)
    run([uv_bin(), "lock", "-q"], project)
    # Every uv.lock the tests produce also proves the fast reader equal to a full parse.
    assert_equivalent(project / "uv.lock")
    return project
