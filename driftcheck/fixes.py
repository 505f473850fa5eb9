"""The command a report ends with, which, run as printed from where driftcheck ran,
brings the environment back in sync.

A reader gives its tool's sync command for the selection (``uv sync --frozen
--extra gpu``). What makes it run right from here is added in one place: the project
(when it is not the current directory), the environment (when the tool would not find
it on its own: named with ``--python``, or the active one), and a reinstall of the
packages whose files ``--verify-files`` found modified (a sync trusts folder names and
would leave them as they are).
"""

from __future__ import annotations

import os

from driftcheck import shell
from driftcheck.paths import shown
from driftcheck.records import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["complete"]


def _relative(path: str) -> str:
    found = shown(path)
    return found if found != path or not os.path.isabs(path) else path


def complete(
    lock_format: str,
    fix: str,
    *,
    root: str,
    env_prefix: str,
    how: str,
    modified: Sequence[tuple[str, str]] = (),
) -> str:
    """``fix`` (the tool's sync command) made to run as printed from the current
    directory.

    :param how: how the environment was found (``driftcheck.environment.find_environment``).
    :param modified: (name, version) of the packages whose files differ from RECORD.
    """
    import shlex

    if lock_format == "Pipfile.lock":
        return _pipenv(
            fix,
            root,
            here=os.path.abspath(os.getcwd()) == os.path.abspath(root),
            env_prefix=env_prefix,
            modified=modified,
        )
    argv = shlex.split(fix)
    here = os.path.abspath(os.getcwd()) == os.path.abspath(root)
    env = _relative(env_prefix)
    before: list[str] = []  # environment assignments in front of the command
    after: list[str] = []  # commands to run after it
    if lock_format == "uv.lock":
        if not here:
            argv += ["--project", _relative(root)]
        if how == "VIRTUAL_ENV":
            argv.append("--active")
        elif how == "--python":
            before.append(f"UV_PROJECT_ENVIRONMENT={shlex.quote(os.path.abspath(env_prefix))}")
        argv += [f"--reinstall-package={name}" for name, _ in modified]
    elif lock_format in ("pylock.toml", "requirements.txt"):
        if how in ("--python", "VIRTUAL_ENV", "tool") or not here:
            argv[3:3] = ["--python", env]
        argv += [f"--reinstall-package={name}" for name, _ in modified]
    elif lock_format == "poetry.lock":
        if not here:
            argv += ["--directory", _relative(root)]
        if how == "--python":
            before.append(f"VIRTUAL_ENV={shlex.quote(os.path.abspath(env_prefix))}")
        after += _reinstalls(env_prefix, modified)
    elif lock_format == "pdm.lock":
        if not here:
            argv += ["--project", _relative(root)]
        if how in ("--python", "VIRTUAL_ENV"):
            before.append(f"PDM_PYTHON={shlex.quote(_python(env_prefix))}")
        if modified:
            argv.append("--reinstall")
    return " && ".join([" ".join([*before, shell.join(argv)]), *after])


def _reinstalls(env_prefix: str, modified: Sequence[tuple[str, str]]) -> list[str]:
    """pip, from the environment itself, reinstalling each package as it is locked."""
    return [
        shell.join(
            [
                _python(env_prefix),
                "-m",
                "pip",
                "install",
                "-q",
                "--force-reinstall",
                "--no-deps",
                f"{name}=={version}",
            ]
        )
        for name, version in modified
    ]


def _pipenv(
    fix: str, root: str, *, here: bool, env_prefix: str, modified: Sequence[tuple[str, str]]
) -> str:
    """``pipenv sync && pipenv clean``, each told where the Pipfile is."""
    import shlex

    commands = fix.split(" && ")
    if not here:
        pipfile = shlex.quote(os.path.join(_relative(root), "Pipfile"))
        commands = [f"PIPENV_PIPFILE={pipfile} {c}" for c in commands]
    return " && ".join([*commands, *_reinstalls(env_prefix, modified)])


def _python(env_prefix: str) -> str:
    for rel in ("bin/python", "Scripts/python.exe"):
        path = os.path.join(env_prefix, *rel.split("/"))
        if os.path.lexists(path):
            return _relative(path)
    return _relative(os.path.join(env_prefix, "bin", "python"))
