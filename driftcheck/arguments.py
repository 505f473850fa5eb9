"""The command line's options, parsed by argparse (imported only when there are any).

"Pass driftcheck the flags you pass ``uv sync``" (or ``poetry sync``, ``pdm sync``):
every flag of those commands is accepted. A flag that chooses what is installed has its
meaning; one that only changes *how* the tool works (its cache, its index, its output,
whether it locks first) is accepted and has no effect, for the reason :data:`NO_EFFECT`
gives, since driftcheck reads the lock and the environment and changes neither.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from driftcheck import __version__
from driftcheck.errors import UsageError

__all__ = ["COMMANDS", "NO_EFFECT", "REFUSED", "parse", "split_command"]

S = argparse.SUPPRESS
COMMANDS = ("check", "why", "infer")

_OFFLINE = "driftcheck reads no index: it never resolves or downloads"
_NO_WRITE = "driftcheck installs nothing: it only compares"
_LOCK = "driftcheck reads the lock as it is, never relocks (as --frozen)"
_OUTPUT = "the tool's own output settings"
# Flags of the tools' sync commands that change nothing driftcheck compares:
# spelling -> (takes a value, why it has no effect). `tests/test_arguments.py` runs
# every one through the parser.
NO_EFFECT: dict[str, tuple[bool, str]] = {
    # uv sync
    "--frozen": (False, _LOCK),
    "--locked": (False, _LOCK),
    "--check": (False, "driftcheck always checks"),
    "--dry-run": (False, "driftcheck always checks, and never changes anything"),
    "--offline": (False, _OFFLINE),
    "--no-progress": (False, _OUTPUT),
    "--compile-bytecode": (False, "byte code is not compared (.pyc files are not locked)"),
    "--no-compile-bytecode": (False, "byte code is not compared (.pyc files are not locked)"),
    "--link-mode": (True, "how files are put in place does not change what is installed"),
    "--reinstall": (False, _NO_WRITE),
    "--reinstall-package": (True, _NO_WRITE),
    "--refresh": (False, _OFFLINE),
    "--refresh-package": (True, _OFFLINE),
    "--native-tls": (False, _OFFLINE),
    "--cache-dir": (True, _OFFLINE),
    "--no-cache": (False, _OFFLINE),
    "--python-preference": (True, "only where uv looks for interpreters to make an environment"),
    "--managed-python": (False, "only where uv looks for interpreters to make an environment"),
    "--no-managed-python": (False, "only where uv looks for interpreters to make an environment"),
    "--no-python-downloads": (False, _OFFLINE),
    "--index": (True, _OFFLINE),
    "--default-index": (True, _OFFLINE),
    "--index-url": (True, _OFFLINE),
    "--extra-index-url": (True, _OFFLINE),
    "--find-links": (True, _OFFLINE),
    "--no-index": (False, _OFFLINE),
    "--index-strategy": (True, _OFFLINE),
    "--keyring-provider": (True, _OFFLINE),
    "--prerelease": (True, _LOCK),
    "--exclude-newer": (True, _LOCK),
    "--no-sources": (False, _LOCK),
    "--config-file": (True, "uv's own settings file"),
    "--no-config": (False, "uv's own settings file"),
    "--config-setting": (True, "build settings (driftcheck builds nothing)"),
    "--no-build": (False, "build settings (driftcheck builds nothing)"),
    "--no-binary": (False, "build settings (driftcheck builds nothing)"),
    "--no-build-package": (True, "build settings (driftcheck builds nothing)"),
    "--no-binary-package": (True, "build settings (driftcheck builds nothing)"),
    "--no-install-project-dependencies": (False, "no uv release has it; accepted for scripts"),
    "--allow-insecure-host": (True, _OFFLINE),
    # poetry sync
    "--compile": (False, "byte code is not compared (.pyc files are not locked)"),
    "--no-directory": (
        False,
        "poetry keeps the project directory's packages installed as they are",
    ),
    "--no-interaction": (False, "driftcheck asks nothing"),
    "--ansi": (False, _OUTPUT),
    "--no-ansi": (False, _OUTPUT),
    "--no-plugins": (False, "poetry's plugins"),
    # pdm sync
    "--only-keep": (False, "driftcheck compares as pdm sync --only-keep does"),
    "--no-isolation": (False, "build settings (driftcheck builds nothing)"),
    "--skip": (True, "pdm's hooks (driftcheck runs nothing)"),
    "--fail-fast": (False, _NO_WRITE),
}
_SHORT_NO_EFFECT = {
    "-n": "--no-cache",  # (uv; poetry's -n is --no-interaction: no effect either way)
    "-i": "--index-url",
    "-f": "--find-links",
    "-k": "--skip",
    "-r": "--reinstall",
}
# Spellings one tool gives a meaning driftcheck cannot follow: refused with the reason.
REFUSED = {
    "-g": "pdm's global project (-g) has no lockfile driftcheck can find: pass --project",
    "--global": "pdm's global project has no lockfile driftcheck can find: pass --project",
    "-C": "-C means --directory to poetry and --config-setting to uv: spell it out",
    "--venv": "pdm's named venvs are not read: pass --python with the venv's directory",
    "--script": "uv's scripts are not projects: driftcheck reads project lockfiles",
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # one line, exit 2, no usage dump
        raise UsageError(message)


def _columns() -> int:
    """The width argparse would take from shutil.get_terminal_size(), minus its margin;
    without importing shutil (with bz2, lzma and zlib) on every run."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 80
    return max(columns - 2, 40)


USAGE = (
    "driftcheck [check] [DIR | LOCKFILE ...] [options]\n"
    "       driftcheck why NAME [options]\n"
    "       driftcheck infer [options]"
)
DESCRIPTIONS = {
    "check": (
        "Check that a Python environment matches its lockfile: report what is missing, "
        "extraneous or mismatched, and exit 1 on drift (2 on any error). Commands: "
        "check (the default; several projects at once with DIR arguments), why NAME, "
        "infer. The options may come before or after the command."
    ),
    "why": (
        "Explain why NAME is or is not expected in the environment: whether and where it "
        "is locked, whether these flags select it and through which dependency path, "
        "what is installed, and which extra or group would select it."
    ),
    "infer": (
        "Work out the extras and groups the environment was synced with (uv.lock), and "
        "print the `uv sync` command that makes it; exit 1 if no selection matches."
    ),
}


def _parser(command: str) -> argparse.ArgumentParser:
    p = _Parser(
        prog="driftcheck",
        usage=USAGE,
        description=DESCRIPTIONS[command],
        argument_default=S,
        formatter_class=lambda prog: argparse.HelpFormatter(prog, width=_columns()),
    )
    p.add_argument(
        "-V",
        "--version",
        action="version",
        version=f"driftcheck {__version__}",
        help="print driftcheck's version and exit",
    )
    p.add_argument("--project", metavar="DIR", help="project root (default: nearest above cwd)")
    p.add_argument(
        "--directory",
        metavar="DIR",
        dest="project",
        help="the same as --project (uv's and poetry's spelling)",
    )
    p.add_argument("-P", dest="project", metavar="DIR", help="the same as --project (poetry)")
    p.add_argument("--lockfile", "-L", metavar="PATH", help="lockfile to read (default: detected)")
    from driftcheck.lockfiles import FORMATS as LOCK_FORMATS
    from driftcheck.reporters import FORMATS as OUTPUT_FORMATS

    p.add_argument(
        "--lock-format",
        choices=tuple(LOCK_FORMATS),
        help="read the lockfile as this format, whatever its name",
    )
    p.add_argument(
        "--python",
        "-p",
        metavar="PATH",
        help="the environment to check: a venv directory, an interpreter, or a prefix",
    )
    p.add_argument(
        "--active",
        action="store_true",
        help="check the active environment ($VIRTUAL_ENV), as uv sync --active",
    )
    p.add_argument(
        "--output-format",
        choices=tuple(OUTPUT_FORMATS),
        help="default: text (also DRIFTCHECK_OUTPUT_FORMAT)",
    )
    p.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE")
    p.add_argument("--json", action="store_true", help="the same as --output-format json")
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
        "--allow",
        action="append",
        metavar="PATTERN",
        help="tolerate an extraneous package (a glob on names; repeatable)",
    )
    p.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        help="colour the text output (default: auto; NO_COLOR, FORCE_COLOR, TERM=dumb)",
    )
    p.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="print nothing when the environment matches (and only the findings when not)",
    )
    p.add_argument(
        "-v",
        "--verbose",
        action="count",
        help="also say which environment and lockfile were read, and why",
    )
    p.add_argument(
        "--no-build-isolation",
        action="store_true",
        help="the project builds without isolation: explain extraneous build dependencies",
    )
    p.add_argument(
        "--no-build-isolation-package",
        action="append",
        metavar="NAME",
        help="the same, for one package",
    )

    g = p.add_argument_group("selection on a uv.lock (the flags of `uv sync`, with uv's meaning)")
    g.add_argument(
        "--extra",
        action="append",
        dest="extras",
        metavar="EXTRA",
        help="install this extra of the selected packages",
    )
    g.add_argument("--all-extras", action="store_true", help="install every extra")
    g.add_argument(
        "--no-extra",
        action="append",
        dest="no_extras",
        metavar="EXTRA",
        help="leave this extra out (with --all-extras)",
    )
    g.add_argument(
        "--group",
        action="append",
        dest="groups",
        metavar="GROUP",
        help="install this dependency group",
    )
    g.add_argument(
        "--no-group",
        action="append",
        dest="no_groups",
        metavar="GROUP",
        help="leave this group out, even if default",
    )
    g.add_argument(
        "--only-group",
        action="append",
        dest="only_groups",
        metavar="GROUP",
        help="install only this group (not the project)",
    )
    g.add_argument("--all-groups", action="store_true", help="install every group")
    g.add_argument(
        "--no-default-groups",
        action="store_true",
        help="leave out the default groups ([tool.uv] default-groups)",
    )
    g.add_argument(
        "--dev", action="store_const", const="include", dest="dev", help="the same as --group dev"
    )
    g.add_argument(
        "--no-dev",
        action="store_const",
        const="exclude",
        dest="dev",
        help="the same as --no-group dev",
    )
    g.add_argument(
        "--only-dev",
        action="store_const",
        const="only",
        dest="dev",
        help="the same as --only-group dev",
    )
    g.add_argument(
        "--package",
        action="append",
        dest="packages",
        metavar="NAME",
        help="select this workspace member (default: the project)",
    )
    g.add_argument("--all-packages", action="store_true", help="select every workspace member")
    g.add_argument(
        "--no-install-project", action="store_true", help="the project itself is not installed"
    )
    g.add_argument(
        "--no-install-workspace", action="store_true", help="no workspace member is installed"
    )
    g.add_argument(
        "--no-install-local",
        action="store_true",
        help="no local (path, directory) package is installed",
    )
    g.add_argument(
        "--no-install-package",
        action="append",
        dest="no_install_packages",
        metavar="NAME",
        help="this package is not installed",
    )
    g.add_argument(
        "--no-editable", action="store_true", help="editables are installed as regular packages"
    )
    g.add_argument("--inexact", action="store_true", help="do not report extraneous packages")
    g.add_argument(
        "--exact",
        action="store_false",
        dest="inexact",
        help="report extraneous packages (the default)",
    )

    po = p.add_argument_group("selection on a poetry.lock (poetry sync's flags and meaning)")
    po.add_argument(
        "--with",
        action="append",
        dest="with_groups",
        metavar="GROUPS",
        help="also install these optional groups",
    )
    po.add_argument(
        "--without",
        action="append",
        dest="without_groups",
        metavar="GROUPS",
        help="leave these groups out",
    )
    po.add_argument(
        "--only",
        action="append",
        dest="only_groups_poetry",
        metavar="GROUPS",
        help="install only these groups",
    )
    po.add_argument(
        "-E",
        "--extras",
        action="append",
        dest="poetry_extras",
        metavar="EXTRAS",
        help="install these extras",
    )
    po.add_argument("--no-root", action="store_true", help="the project itself is not installed")
    po.add_argument("--only-root", action="store_true", help="install only the project itself")

    pd = p.add_argument_group("selection on a pdm.lock (pdm sync's flags and meaning)")
    pd.add_argument(
        "-G",
        action="append",
        dest="pdm_groups",
        metavar="GROUP",
        help="install this group or extra (:all for every one)",
    )
    pd.add_argument(
        "--prod", "--production", action="store_true", dest="prod", help="leave the dev groups out"
    )
    pd.add_argument(
        "-d", action="store_true", dest="pdm_dev", help="include the dev groups (the default)"
    )
    pd.add_argument("--no-default", action="store_true", help="leave the default group out")
    pd.add_argument("--no-self", action="store_true", help="the project itself is not installed")
    pd.add_argument(
        "--clean",
        action="store_true",
        help="report as extraneous only what the lock does not hold (pdm sync "
        "--clean); the default is --only-keep",
    )

    nx = p.add_argument_group(
        "accepted from uv sync, poetry sync and pdm sync, with no effect (why, in brackets)"
    )
    for flag, (takes_value, why) in NO_EFFECT.items():
        shorts = [s for s, long in _SHORT_NO_EFFECT.items() if long == flag]
        kind: dict[str, Any] = (
            {"action": "append", "metavar": "VALUE"} if takes_value else {"action": "store_true"}
        )
        nx.add_argument(
            *shorts, flag, dest=f"ignored{flag.replace('-', '_')}", help=f"({why})", **kind
        )
    if command == "why":
        p.add_argument("name", metavar="NAME", help="the package to explain")
    elif command == "check":
        p.add_argument(
            "dirs",
            nargs="*",
            metavar="DIR|LOCKFILE",
            help="projects to check (several at once), or the lockfile to check",
        )
    return p


def _takes_value(parser: argparse.ArgumentParser) -> set[str]:
    """The option strings that consume the next argument."""
    return {
        option
        for action in parser._actions
        if action.nargs is None
        and action.option_strings
        and not isinstance(
            action,
            (
                argparse._StoreTrueAction,
                argparse._StoreFalseAction,
                argparse._StoreConstAction,
                argparse._CountAction,
                argparse._VersionAction,
                argparse._HelpAction,
                argparse._AppendConstAction,
            ),
        )
        for option in action.option_strings
    }


def split_command(args: list[str]) -> tuple[str, list[str]]:
    """The command (``check`` if none is named) and the other arguments: a command may
    come anywhere, before or after the options (``driftcheck --project app why six``)."""
    valued = _takes_value(_parser("check"))
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            break
        if arg.startswith("-"):
            if arg in valued:  # (its value is the next argument, whatever it says)
                i += 1
        elif arg in COMMANDS:
            return arg, args[:i] + args[i + 1 :]
        else:
            break  # (a positional that is not a command: a directory or a lockfile)
        i += 1
    return "check", args


def parse(command: str, args: list[str]) -> argparse.Namespace:
    """Parse ``args`` for ``command``; options not given are absent (SUPPRESS)."""
    for arg in args:
        if arg == "--":
            break
        refused = REFUSED.get(arg.split("=", 1)[0])
        if refused is not None:
            raise UsageError(refused)
    ns = _parser(command).parse_args(args)
    if getattr(ns, "json", False):
        other = getattr(ns, "output_format", "json")
        if other != "json":
            raise UsageError(f"--json and --output-format {other} ask for two formats")
        ns.output_format = "json"
    if "json" in vars(ns):
        del ns.json
    for key in [k for k in vars(ns) if k.startswith("ignored_")]:
        delattr(ns, key)
    return ns
