"""The command line's options, parsed by argparse (imported only when there are any)."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from driftcheck import __version__
from driftcheck.errors import UsageError

__all__ = ["parse"]

S = argparse.SUPPRESS


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # one line, exit 2, no usage dump
        raise UsageError(message)

    def _get_formatter(self) -> argparse.HelpFormatter:
        # argparse asks for a formatter on every add_argument(), and the default one
        # imports shutil (with bz2, lzma and zlib) to measure the terminal: 5 ms a run.
        return self.formatter_class(prog=self.prog, width=_columns())  # type: ignore[call-arg]


def _columns() -> int:
    """The width argparse would take from shutil.get_terminal_size(), minus its margin."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 80
    return columns - 2


def _parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="driftcheck",
        description="Check that a Python environment matches its lockfile.",
        epilog=(
            "commands: check [DIR...] (the default; several projects at once), "
            "why NAME (why a package is or is not expected), "
            "infer (the extras and groups the environment was synced with)"
        ),
        argument_default=S,
    )
    p.add_argument("--version", action="version", version=f"driftcheck {__version__}")
    p.add_argument("--project", metavar="DIR", help="project root (default: nearest above cwd)")
    p.add_argument("--lockfile", metavar="PATH", help="lockfile to read (default: detected)")
    p.add_argument(
        "--lock-format",
        choices=(
            "uv.lock",
            "pylock.toml",
            "requirements.txt",
            "poetry.lock",
            "pdm.lock",
            "Pipfile.lock",
            "conda-lock.yml",
        ),
        help="read the lockfile as this format, whatever its name",
    )
    p.add_argument("--python", metavar="PATH", help="target venv directory or its interpreter")
    p.add_argument(
        "--output-format",
        choices=("text", "json", "github", "markdown", "sarif"),
        help="default: text (also DRIFTCHECK_OUTPUT_FORMAT)",
    )
    p.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE")
    p.add_argument("--json", action="store_const", const="json", dest="output_format")
    p.add_argument("--exit-zero", action="store_true", help="exit 0 on drift (errors still exit 2)")
    p.add_argument(
        "--selection",
        choices=("flags", "infer"),
        help="check against the flags given (default) or the selection inferred from the env",
    )
    p.add_argument(
        "--verify-files",
        action="store_true",
        help="also check every installed file against its RECORD hash (slower)",
    )
    p.add_argument(
        "--allow", action="append", metavar="PATTERN", help="tolerate an extraneous package (glob)"
    )
    p.add_argument("--color", choices=("auto", "always", "never"))
    p.add_argument("--no-build-isolation", action="store_true")
    p.add_argument("--no-build-isolation-package", action="append", metavar="NAME")

    g = p.add_argument_group("selection (the flags of `uv sync`, with uv's meaning)")
    g.add_argument("--extra", action="append", dest="extras", metavar="EXTRA")
    g.add_argument("--all-extras", action="store_true")
    g.add_argument("--no-extra", action="append", dest="no_extras", metavar="EXTRA")
    g.add_argument("--group", action="append", dest="groups", metavar="GROUP")
    g.add_argument("--no-group", action="append", dest="no_groups", metavar="GROUP")
    g.add_argument("--only-group", action="append", dest="only_groups", metavar="GROUP")
    g.add_argument("--all-groups", action="store_true")
    g.add_argument("--no-default-groups", action="store_true")
    g.add_argument("--dev", action="store_const", const="include", dest="dev")
    g.add_argument("--no-dev", action="store_const", const="exclude", dest="dev")
    g.add_argument("--only-dev", action="store_const", const="only", dest="dev")
    g.add_argument("--package", action="append", dest="packages", metavar="NAME")
    g.add_argument("--all-packages", action="store_true")
    g.add_argument("--no-install-project", action="store_true")
    g.add_argument("--no-install-workspace", action="store_true")
    g.add_argument("--no-install-local", action="store_true")
    g.add_argument(
        "--no-install-package", action="append", dest="no_install_packages", metavar="NAME"
    )
    g.add_argument("--no-editable", action="store_true")
    g.add_argument("--inexact", action="store_true")
    g.add_argument("--exact", action="store_false", dest="inexact", help="the default")

    po = p.add_argument_group("selection on a poetry.lock (poetry sync's flags and meaning)")
    po.add_argument("--with", action="append", dest="with_groups", metavar="GROUPS")
    po.add_argument("--without", action="append", dest="without_groups", metavar="GROUPS")
    po.add_argument("--only", action="append", dest="only_groups_poetry", metavar="GROUPS")
    po.add_argument("-E", "--extras", action="append", dest="poetry_extras", metavar="EXTRAS")
    po.add_argument("--no-root", action="store_true")

    pd = p.add_argument_group("selection on a pdm.lock (pdm sync's flags and meaning)")
    pd.add_argument("-G", action="append", dest="pdm_groups", metavar="GROUP")
    pd.add_argument("--prod", "--production", action="store_true", dest="prod")
    pd.add_argument("-d", action="store_true", dest="pdm_dev")
    pd.add_argument("--no-default", action="store_true")
    pd.add_argument(
        "--no-self", action="store_true", help="pdm: the project itself is not installed"
    )
    return p


def parse(command: str, args: list[str]) -> argparse.Namespace:
    """Parse ``args`` for ``command``; options not given are absent (SUPPRESS)."""
    parser = _parser()
    if command == "why":
        parser.add_argument("name", metavar="NAME", help="the package to explain")
    elif command == "check":
        parser.add_argument("dirs", nargs="*", metavar="DIR", help="projects to check")
    return parser.parse_args(args)
