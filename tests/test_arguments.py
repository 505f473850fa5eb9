"""The command line fits the tools it sits beside: every flag of `uv sync`, `poetry sync`
and `pdm sync` is accepted, with its meaning or with none (and the reason); commands
and options go in any order; conflicting flags are errors."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from fakes import add_dist, make_project, site_packages
from helpers import driftcheck, driftcheck_json

from driftcheck.arguments import NO_EFFECT, REFUSED, parse, split_command


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "p", {"six": "1.17.0"}, {"six": "1.17.0"})


def _report(args: list[str], project: Path) -> tuple[int, str]:
    code, report, _ = driftcheck_json([*args, "--project", str(project)])
    return code, json.dumps(report and {k: v for k, v in report.items() if k != "selection"})


@pytest.mark.parametrize("flag", sorted(NO_EFFECT))
def test_every_flag_without_effect_is_accepted_and_changes_nothing(
    flag: str, project: Path
) -> None:
    takes_value, why = NO_EFFECT[flag]
    assert why  # (each says why it has no effect; --help prints it)
    args = [flag, "x"] if takes_value else [flag]
    assert _report(args, project) == _report([], project)


UV_SYNC_MEANINGS = {
    "--extra": "extras",
    "--all-extras": "all_extras",
    "--no-extra": "no_extras",
    "--group": "groups",
    "--no-group": "no_groups",
    "--only-group": "only_groups",
    "--all-groups": "all_groups",
    "--no-default-groups": "no_default_groups",
    "--dev": "dev",
    "--no-dev": "dev",
    "--only-dev": "dev",
    "--package": "packages",
    "--all-packages": "all_packages",
    "--no-install-project": "no_install_project",
    "--no-install-workspace": "no_install_workspace",
    "--no-install-local": "no_install_local",
    "--no-install-package": "no_install_packages",
    "--no-editable": "no_editable",
    "--inexact": "inexact",
    "--exact": "inexact",
}
POETRY_SYNC_MEANINGS = {
    "--with": "with_groups",
    "--without": "without_groups",
    "--only": "only_groups_poetry",
    "-E": "poetry_extras",
    "--extras": "poetry_extras",
    "--all-extras": "all_extras",
    "--all-groups": "all_groups",
    "--no-root": "no_root",
    "--only-root": "only_root",
}
PDM_SYNC_MEANINGS = {
    "-G": "pdm_groups",
    "--prod": "prod",
    "--production": "prod",
    "-d": "pdm_dev",
    "--no-default": "no_default",
    "--no-self": "no_self",
    "--clean": "clean",
}
VALUED = {
    "--extra",
    "--no-extra",
    "--group",
    "--no-group",
    "--only-group",
    "--package",
    "--no-install-package",
    "--with",
    "--without",
    "--only",
    "-E",
    "--extras",
    "-G",
}


@pytest.mark.parametrize(
    ("flag", "dest"),
    [*UV_SYNC_MEANINGS.items(), *POETRY_SYNC_MEANINGS.items(), *PDM_SYNC_MEANINGS.items()],
)
def test_every_selection_flag_has_its_meaning(flag: str, dest: str) -> None:
    ns = parse("check", [flag, "x"] if flag in VALUED else [flag])
    assert dest in vars(ns)


@pytest.mark.parametrize(
    ("args", "dest", "value"),
    [
        (["--directory", "app"], "project", "app"),
        (["-P", "app"], "project", "app"),
        (["-L", "x.lock"], "lockfile", "x.lock"),
        (["-p", ".venv"], "python", ".venv"),
        (["--active"], "active", True),
        (["-q"], "quiet", True),
        (["-v"], "verbose", 1),
        (["--no-build-isolation-package", "x"], "no_build_isolation_package", ["x"]),
    ],
)
def test_other_tool_flags_with_a_meaning(args: list[str], dest: str, value: object) -> None:
    assert getattr(parse("check", args), dest) == value


@pytest.mark.parametrize("flag", sorted(REFUSED))
def test_flags_whose_meaning_driftcheck_cannot_follow_say_so(flag: str, project: Path) -> None:
    code, out, err = driftcheck([flag, "x", "--project", str(project)])
    assert (code, out) == (2, "")
    assert err == f"driftcheck: error: {REFUSED[flag]}\n"


@pytest.mark.parametrize(
    ("args", "command", "rest"),
    [
        (["--project", "app", "why", "six"], "why", ["--project", "app", "six"]),
        (["why", "six", "--project", "app"], "why", ["six", "--project", "app"]),
        (["why", "--project", "app", "six"], "why", ["--project", "app", "six"]),
        (["--json", "infer"], "infer", ["--json"]),
        (["infer", "--json"], "infer", ["--json"]),
        # (an option's value is never a command)
        (["--lockfile", "why", "check"], "check", ["--lockfile", "why"]),
        (["--lockfile", "why"], "check", ["--lockfile", "why"]),
        (["app", "why"], "check", ["app", "why"]),
    ],
)
def test_commands_and_options_in_any_order(args: list[str], command: str, rest: list[str]) -> None:
    assert split_command(args) == (command, rest)


def test_why_after_options(project: Path) -> None:
    code, out, _ = driftcheck(["--project", str(project), "why", "six"])
    assert code == 0 and out.startswith("six is locked at 1.17.0")


def test_why_a_name_neither_locked_nor_installed(project: Path) -> None:
    code, out, err = driftcheck(["why", "nonesuch", "--project", str(project)])
    assert (code, out) == (2, "")
    assert (
        err.startswith("driftcheck: error: ") and "nonesuch is neither locked nor installed" in err
    )


def test_a_lockfile_as_the_argument(project: Path, tmp_path: Path) -> None:
    code, out, err = driftcheck([str(project / "uv.lock")], cwd=tmp_path)
    assert (code, err) == (0, ""), err
    assert out.endswith("1 package checked\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--json", "--output-format", "text"],
            "--json and --output-format text ask for two formats",
        ),
        (
            ["--selection", "infer", "--extra", "x"],
            "--selection infer works the selection out; drop extras",
        ),
        (["--python", ""], "--python was given an empty path"),
    ],
)
def test_conflicting_flags_are_errors(args: list[str], message: str, project: Path) -> None:
    assert driftcheck([*args, "--project", str(project)]) == (
        2,
        "",
        f"driftcheck: error: {message}\n",
    )


def test_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    from driftcheck import __version__
    from driftcheck.cli import main

    for flag in ("-V", "--version"):
        with pytest.raises(SystemExit) as exit_:
            main([flag])
        assert exit_.value.code == 0
        assert capsys.readouterr().out == f"driftcheck {__version__}\n"
    with pytest.raises(SystemExit):
        main(["--help"])
    help_text = capsys.readouterr().out
    assert help_text.startswith("usage: driftcheck [check] [DIR | LOCKFILE ...] [options]\n")
    assert "driftcheck why NAME" in help_text and "driftcheck infer" in help_text
    # every option has a line of help
    import argparse

    from driftcheck.arguments import _parser

    for action in _parser("check")._actions:
        assert action.help, action.option_strings
    with pytest.raises(SystemExit):
        main(["why", "--help"])
    assert "Explain why NAME is or is not expected" in capsys.readouterr().out
    assert argparse  # (the parser is argparse's)


def test_term_dumb_means_no_colour(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from driftcheck.cli import _use_color

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert _use_color(None, Tty())
    monkeypatch.setenv("TERM", "dumb")
    assert not _use_color(None, Tty())


def test_error_is_coloured_like_ruff(project: Path) -> None:
    from driftcheck.cli import main

    err = io.StringIO()
    with redirect_stdout(io.StringIO()), redirect_stderr(err):
        code = main(["--color", "always", "--project", str(project / "nowhere")])
    assert code == 2
    assert err.getvalue().startswith("driftcheck: \x1b[1;31merror\x1b[0m: ")


def test_plurals(project: Path) -> None:
    add_dist(site_packages(project / ".venv"), "attrs", "25.1.0")
    code, out, _ = driftcheck(["--project", str(project), "--allow", "attrs"])
    assert code == 0 and "1 package checked" in out


def test_quiet_prints_nothing_in_sync(project: Path) -> None:
    assert driftcheck(["-q", "--project", str(project)]) == (0, "", "")
