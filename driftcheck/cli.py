"""Command line. The only module that prints or chooses an exit code.

Exit codes: 0 in sync, 1 drift, 2 usage or input error (also with ``--exit-zero``).
"""

from __future__ import annotations

import os
import sys

from driftcheck.errors import DriftcheckError, UsageError
from driftcheck.records import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

__all__ = ["main"]

EXIT_OK, EXIT_DRIFT, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130

# Every exception the last-resort handler caught in this process (the test suite fails
# if any test leaves one here: each bad input must have its own message).
CAUGHT: list[BaseException] = []


class _NoArguments:
    """What argparse returns for no arguments: every option defaults to SUPPRESS."""


def _parse(command: str, args: list[str]) -> Any:
    if not args and command != "why":
        # The common case (a hook, a CI step): nothing to parse, and building the
        # parser (argparse, gettext, locale) would cost more than the rest of a small check.
        return _NoArguments()
    from driftcheck.arguments import parse

    return parse(command, args)


def _use_color(choice: str | None, stream: Any) -> bool:
    """``--color``, else NO_COLOR, FORCE_COLOR, TERM=dumb, else whether ``stream`` is a
    terminal (as ruff and uv decide)."""
    if choice == "always":
        return True
    if choice == "never":
        return False
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("TERM") == "dumb":
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def _error_line(message: str, choice: str | None = None) -> str:
    """``driftcheck: error: …``, with ``error`` in bold red where stderr takes colour."""
    word = "error"
    if _use_color(choice, sys.stderr):
        word = "\x1b[1;31merror\x1b[0m"
    return f"driftcheck: {word}: {message}"


_LIST_FLAGS = (
    "extras",
    "no_extras",
    "groups",
    "no_groups",
    "only_groups",
    "packages",
    "no_install_packages",
)
# Passed to the reader as given: their tools split and normalise them their own way.
_RAW_LIST_FLAGS = (
    "with_groups",
    "without_groups",
    "only_groups_poetry",
    "poetry_extras",
    "pdm_groups",
)
_BOOL_FLAGS = (
    "only_root",
    "clean",
    "all_extras",
    "all_groups",
    "no_default_groups",
    "dev",
    "all_packages",
    "no_install_project",
    "no_install_workspace",
    "no_install_local",
    "no_editable",
    "inexact",
    "no_root",
    "prod",
    "pdm_dev",
    "no_default",
    "no_self",
)


def _options(ns: Any) -> tuple[Any, set[str]]:
    from driftcheck.config import AllowRule, Options
    from driftcheck.names import canonicalize_name

    given = set(vars(ns))
    flags: dict[str, Any] = {}
    for name in _LIST_FLAGS:
        if name in given:
            flags[name] = tuple(canonicalize_name(v) for v in getattr(ns, name))
    for name in _RAW_LIST_FLAGS:
        if name in given:
            flags[name] = tuple(getattr(ns, name))
    for name in _BOOL_FLAGS:
        if name in given:
            flags[name] = getattr(ns, name)
    options = Options(
        lockfile=getattr(ns, "lockfile", None),
        lock_format=getattr(ns, "lock_format", None),
        python=getattr(ns, "python", None),
        output_format=getattr(ns, "output_format", None)
        or os.environ.get("DRIFTCHECK_OUTPUT_FORMAT")
        or "text",
        allow=tuple(AllowRule(pattern=a.lower()) for a in getattr(ns, "allow", [])),
        flags=flags,
        no_build_isolation=bool(
            getattr(ns, "no_build_isolation", False)
            or getattr(ns, "no_build_isolation_package", None)
        ),
        exit_zero=getattr(ns, "exit_zero", False),
        verify_files=getattr(ns, "verify_files", False),
        selection=getattr(ns, "selection", "flags"),
        active=getattr(ns, "active", False),
    )
    if "DRIFTCHECK_OUTPUT_FORMAT" in os.environ:
        given.add("output_format")
    return options, given


def _write(text: str) -> None:
    """Print the report; a name on disk that is not valid UTF-8 is shown escaped.

    A reader that stops early (``driftcheck --json | head``) closes the pipe: the rest of
    the report is dropped, and the exit code still tells the verdict.
    """
    if sys.stdout is None:  # (started with stdout closed: nowhere to print)
        return
    try:
        try:
            sys.stdout.write(text)
        except UnicodeEncodeError:
            encoding = sys.stdout.encoding or "utf-8"
            sys.stdout.write(text.encode(encoding, "backslashreplace").decode(encoding))
        sys.stdout.flush()
    except BrokenPipeError:
        # (stdout now points at nothing, so the flush at exit cannot fail again)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


COMMANDS = ("check", "why", "infer")


def _configured(
    root: str, options: Any, given: set[str], pyproject: Any = None
) -> tuple[str, Any, Any]:
    """The project root, the options with its ``[tool.driftcheck]`` applied, and its
    pyproject.

    A uv workspace member without a lockfile of its own is checked as uv checks it from
    its directory: against the workspace root's uv.lock, with that member selected
    (``--package MEMBER``, unless packages are chosen otherwise).
    """
    from driftcheck.config import apply_config
    from driftcheck.project import read_pyproject

    pyproject = pyproject or read_pyproject(root)
    member = None
    if not options.lockfile and not _has_lockfile(root):
        from driftcheck.project import workspace_of

        found = workspace_of(root, pyproject)
        if found is not None and "lockfile" not in (pyproject.tool_driftcheck or {}):
            root, pyproject, member = found  # (the workspace root's configuration applies)
    config = pyproject.tool_driftcheck
    if config is not None:
        options = apply_config(config, f"{pyproject.path}", options, given)
    if member is not None and not (
        options.flags.get("packages") or options.flags.get("all_packages")
    ):
        options = options._replace(flags={**options.flags, "packages": (member,)})
    if options.python and not os.path.isabs(options.python) and "python" not in given:
        options = options._replace(python=os.path.join(root, options.python))
    return root, options, pyproject


def _has_lockfile(root: str) -> bool:
    from driftcheck.lockfiles import DETECTED

    return any(os.path.lexists(os.path.join(root, name)) for name in DETECTED)


def _deliver(out: str, to_file: str | None) -> None:
    if to_file:
        try:
            with open(to_file, "w", encoding="utf-8", errors="backslashreplace") as file:
                file.write(out)
        except OSError as exc:
            raise UsageError(f"{to_file}: cannot write the report: {exc.strerror}") from None
    else:
        _write(out)


def main(argv: Sequence[str] | None = None) -> int:
    """Run driftcheck; returns the exit code."""
    # A check builds tens of thousands of small objects and few reference cycles: the
    # cyclic collector, run again and again over all of them, was 8 % of a check
    # (the command turns it off before importing anything: driftcheck._entry).
    import gc

    collecting = gc.isenabled()
    gc.disable()
    try:
        return _main(sys.argv[1:] if argv is None else argv)
    except KeyboardInterrupt:
        print("driftcheck: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # the net under every specific message: never a traceback
        return _internal_error(exc)
    finally:
        if collecting:
            gc.enable()


def _internal_error(exc: Exception) -> int:
    """One line for an exception nothing else caught (a bug), and exit 2."""
    CAUGHT.append(exc)
    if os.environ.get("DRIFTCHECK_DEBUG") == "1":
        import traceback

        traceback.print_exception(exc, file=sys.stderr)
    detail = " ".join(f"{type(exc).__name__}: {exc}".split())[:500]
    print(
        f"driftcheck: internal error: {detail} "
        "(please report; DRIFTCHECK_DEBUG=1 shows the traceback)",
        file=sys.stderr,
    )
    return EXIT_ERROR


def _main(argv: Sequence[str]) -> int:
    args = list(argv)
    command = "check"
    color_choice = None
    try:
        if args:
            from driftcheck.arguments import split_command

            command, args = split_command(args)
        ns = _parse(command, args)
        color_choice = getattr(ns, "color", None)
        options, given = _options(ns)
        from driftcheck.reporters import FORMATS

        if options.output_format not in FORMATS:
            raise UsageError(f"unknown output format {options.output_format!r}")
        if options.selection == "infer" and set(options.flags) - {"inexact"}:
            flags = ", ".join(sorted(options.flags))
            raise UsageError(f"--selection infer works the selection out; drop {flags}")
        from driftcheck.project import find_project_root

        to_file = getattr(ns, "output", None)
        color = not to_file and _use_color(color_choice, sys.stdout)
        dirs = list(getattr(ns, "dirs", []))
        if len(dirs) == 1 and _is_lockfile(dirs[0]):
            # `driftcheck path/to/uv.lock`: that lockfile, in its own directory
            if "lockfile" in given:
                raise UsageError("a lockfile as the argument and --lockfile: give one")
            options = options._replace(lockfile=os.path.abspath(dirs[0]))
            given.add("lockfile")
            if "project" not in given:
                ns.project = os.path.dirname(os.path.abspath(dirs[0]))
                given.add("project")
            dirs = []
        root = _project_dir(ns.project) if "project" in given else find_project_root(_cwd())
        from driftcheck.project import read_pyproject

        pyproject = None if dirs else read_pyproject(root)
        many = dirs or (pyproject is not None and "projects" in (pyproject.tool_driftcheck or {}))
        if command == "check" and many:
            from driftcheck.many import check_many, project_dirs, render_many

            projects = project_dirs(root, dirs, "project" in given, pyproject)
            results = check_many(projects, options, given, _configured)
            for result in results:
                if result.error:
                    print(_error_line(result.error, color_choice), file=sys.stderr)
            _deliver(render_many(results, options.output_format, color=color), to_file)
            return _exit_many(results, options.exit_zero)
        root, options, pyproject = _configured(root, options, given, pyproject)
        if command == "why":
            return _why(root, options, pyproject, ns.name, to_file)
        if options.selection not in ("flags", "infer"):
            raise UsageError(f"selection must be 'flags' or 'infer', not {options.selection!r}")
        if command == "infer":
            from driftcheck.infer import run_infer

            out, drift = run_infer(root, options, pyproject, color=color)
            _deliver(out, to_file)
            return EXIT_DRIFT if drift and not options.exit_zero else EXIT_OK
        from driftcheck.check import run_check
        from driftcheck.reporters import render

        report = run_check(root, options, pyproject)
        for warning in report.warnings:
            print(f"driftcheck: warning: {warning}", file=sys.stderr)
        quiet = getattr(ns, "quiet", False) and options.output_format == "text"
        if not (quiet and not report.findings):
            out = render(report, options.output_format, color=color)
            if getattr(ns, "verbose", 0) and options.output_format == "text":
                out = _verbose(report) + out
            _deliver(out, to_file)
    except DriftcheckError as exc:
        print(_error_line(exc.one_line(), color_choice), file=sys.stderr)
        return EXIT_ERROR
    if report.drift and not options.exit_zero:
        return EXIT_DRIFT
    return EXIT_OK


def _is_lockfile(path: str) -> bool:
    """A positional argument names a lockfile (not a project directory)."""
    if os.path.isdir(path):
        return False
    from driftcheck.lockfiles import DETECTED

    name = os.path.basename(path)
    return os.path.lexists(path) or name in DETECTED or name.endswith((".lock", ".toml", ".txt"))


def _verbose(report: Any) -> str:
    from driftcheck.paths import shown

    return (
        f"driftcheck: read {shown(report.lockfile)} ({report.lock_format}) and the "
        f"environment {shown(report.environment)} (Python {report.python})\n"
    )


def _why(root: str, options: Any, pyproject: Any, name: str, to_file: str | None) -> int:
    from driftcheck.check import prepare
    from driftcheck.why import explain, render_text

    answer = explain(prepare(root, options, pyproject), name)
    if options.output_format == "json":
        import json

        document = {"schema_version": 1, "command": "why", **answer}
        _deliver(json.dumps(document, indent=2) + "\n", to_file)
    elif options.output_format == "text":
        _deliver(render_text(answer), to_file)
    else:
        raise UsageError("why prints text or json")
    return EXIT_OK


def _cwd() -> str:
    try:
        return os.getcwd()
    except OSError:
        raise UsageError("the current directory no longer exists; cd to the project") from None


def _project_dir(given: str) -> str:
    """``--project DIR`` as an absolute path, refused unless it is a directory."""
    if not given:
        raise UsageError("--project was given an empty path")
    if not os.path.isdir(given):
        from driftcheck.files import missing_reason

        reason = missing_reason(given)
        if reason == "file not found":
            reason = "not found" if not os.path.lexists(given) else "is not a directory"
        raise UsageError(f"{given}: project directory {reason}")
    return os.path.abspath(given)


def _exit_many(results: Sequence[Any], exit_zero: bool) -> int:
    if any(r.error for r in results):
        return EXIT_ERROR
    if any(r.report.drift for r in results) and not exit_zero:
        return EXIT_DRIFT
    return EXIT_OK
