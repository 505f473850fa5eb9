"""The command line surface: outputs, colour, exit codes, --allow, config."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fakes import make_project, site_packages
from helpers import REPO, driftcheck, driftcheck_json

SCHEMA = json.loads((REPO / "docs" / "schema" / "report-v1.json").read_text())


@pytest.fixture
def drifted(tmp_path: Path) -> Path:
    """demo -> flask -> itsdangerous; six stray, click wrong, itsdangerous missing."""
    project = tmp_path / "p"
    project.mkdir()
    (project / "pyproject.toml").write_text('[project]\nname = "demo"\nversion = "0.1.0"\n')
    (project / "uv.lock").write_text(
        """version = 1
revision = 3
requires-python = ">=3.10"

[[package]]
name = "click"
version = "8.1.7"
source = { registry = "https://index.example/simple" }

[[package]]
name = "demo"
version = "0.1.0"
source = { virtual = "." }
dependencies = [{ name = "flask" }]

[[package]]
name = "flask"
version = "3.0.0"
source = { registry = "https://index.example/simple" }
dependencies = [{ name = "click" }, { name = "itsdangerous" }]

[[package]]
name = "itsdangerous"
version = "2.2.0"
source = { registry = "https://index.example/simple" }
"""
    )
    from fakes import make_venv

    make_venv(project, {"click": "8.0.0", "flask": "3.0.0", "six": "1.17.0"})
    return project


def test_text_report(drifted: Path) -> None:
    code, out, err = driftcheck(["--project", str(drifted)])
    assert (code, err) == (1, "")
    lines = out.splitlines()
    assert lines[0].endswith(
        "does not match uv.lock (uv.lock): 1 missing, 1 extraneous, 1 mismatched"
    )
    assert lines[1:4] == [
        " ~ click 8.0.0 -> 8.1.7: version 8.0.0 installed, 8.1.7 locked [required by demo -> flask]",
        " + itsdangerous==2.2.0: locked 2.2.0 (registry) but not installed [required by demo -> flask]",
        " - six==1.17.0: installed, but not in the lockfile [installer: uv]",
    ]
    # (run from elsewhere: the hint names the project, to run as printed from here)
    assert lines[4] == f"hint: run `uv sync --frozen --project {drifted}` to restore sync"
    assert "\x1b[" not in out


def test_json_report_matches_schema(drifted: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    code, report, _ = driftcheck_json(["--project", str(drifted)])
    assert code == 1 and report is not None
    jsonschema.validate(report, SCHEMA)
    assert report["schema_version"] == 1
    assert report["drift"] is True
    assert report["summary"] == {"missing": 1, "extraneous": 1, "mismatched": 1, "allowed": 0}
    assert report["lockfile"]["format"] == "uv.lock"
    missing = next(f for f in report["findings"] if f["kind"] == "missing")
    assert missing["required_by"] == ["demo", "flask", "itsdangerous"]
    assert missing["expected"] == {
        "version": "2.2.0",
        "source": {"kind": "registry", "url": "https://index.example/simple"},
        "line": 23,
    }
    assert missing["installed"] is None
    extraneous = next(f for f in report["findings"] if f["kind"] == "extraneous")
    assert extraneous["installed"]["installer"] == "uv"
    assert extraneous["expected"] is None


def test_in_sync_json_validates(tmp_path: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    project = make_project(tmp_path / "p", {"six": "1.17.0"}, {"six": "1.17.0"})
    code, report, _ = driftcheck_json(["--project", str(project)])
    assert code == 0 and report is not None
    jsonschema.validate(report, SCHEMA)
    assert report["drift"] is False and report["findings"] == [] and report["fix"] is None


@pytest.mark.parametrize(
    ("env", "args", "colored"),
    [
        ({}, [], False),
        ({"FORCE_COLOR": "1"}, [], True),
        ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, [], False),
        ({}, ["--color", "always"], True),
        ({"FORCE_COLOR": "1"}, ["--color", "never"], False),
    ],
)
def test_color(
    drifted: Path,
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
    args: list[str],
    colored: bool,
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    _, out, _ = driftcheck(["--project", str(drifted), *args])
    assert ("\x1b[" in out) is colored


def test_exit_zero_reports_but_passes(drifted: Path) -> None:
    code, out, _ = driftcheck(["--project", str(drifted), "--exit-zero"])
    assert code == 0 and "does not match" in out


def test_exit_zero_still_fails_on_errors(tmp_path: Path) -> None:
    (tmp_path / "uv.lock").write_text("version = 9\n")
    code, _, _ = driftcheck(["--project", str(tmp_path), "--exit-zero"])
    assert code == 2


def test_allow_glob_tolerates_extraneous(tmp_path: Path) -> None:
    project = make_project(
        tmp_path / "p", {"six": "1.17.0"}, {"six": "1.17.0", "setuptools": "75.0", "types-six": "1"}
    )
    code, report, _ = driftcheck_json(
        ["--project", str(project), "--allow", "setuptools", "--allow", "types-*"]
    )
    assert code == 0 and report is not None
    assert report["drift"] is False
    assert report["summary"]["allowed"] == 2
    assert all(f["allowed"] for f in report["findings"])


def test_allow_never_hides_missing_or_mismatched(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", {"six": "1.17.0", "idna": "3.7"}, {"six": "1.16.0"})
    code, report, _ = driftcheck_json(["--project", str(project), "--allow", "*"])
    assert code == 1 and report is not None
    assert {f["kind"] for f in report["findings"]} == {"missing", "mismatched"}


def test_config_sets_defaults_and_cli_overrides(tmp_path: Path) -> None:
    project = make_project(
        tmp_path / "p",
        {"six": "1.17.0"},
        {"six": "1.17.0", "idna": "3.7", "setuptools": "75.0"},
        pyproject_extra=(
            "\n[tool.driftcheck]\nextras = ['net']\noutput-format = 'json'\n"
            "allow = [{ name = 'setuptools', reason = 'build dep of the C extension' }]\n"
        ),
        extras={"net": {"idna": "3.7"}},
    )
    code, out, _ = driftcheck(["--project", str(project)])
    report = json.loads(out)
    assert code == 0
    assert report["selection"]["extras"] == ["net"]
    [allowed] = report["findings"]
    assert allowed["allow_reason"] == "build dep of the C extension"
    # The command line wins over the config.
    code, out, _ = driftcheck(
        ["--project", str(project), "--output-format", "text", "--no-extra", "net"]
    )
    assert code == 1 and out.startswith("driftcheck:")
    code, out, _ = driftcheck(["--project", str(project), "--output-format", "text"])
    assert " = setuptools==75.0: allowed: build dep of the C extension" in out


def test_unknown_config_key_is_named(tmp_path: Path) -> None:
    project = make_project(
        tmp_path / "p", {}, {}, pyproject_extra="\n[tool.driftcheck]\nextra = ['x']\n"
    )
    code, _, err = driftcheck(["--project", str(project)])
    assert code == 2
    assert (
        err
        == f"driftcheck: error: {project / 'pyproject.toml'}: unknown key 'extra' in [tool.driftcheck]\n"
    )


def test_no_build_isolation_hint(tmp_path: Path) -> None:
    project = make_project(
        tmp_path / "p",
        {},
        {"cython": "3.0.0"},
        pyproject_extra="\n[tool.uv]\nno-build-isolation-package = ['pkg']\n",
    )
    code, report, _ = driftcheck_json(["--project", str(project)])
    assert code == 1 and report is not None
    reason = report["findings"][0]["reason"]
    assert "probably a build dependency left in place" in reason
    assert "[tool.driftcheck] allow" in reason and "dependency group" in reason


def test_allow_snippet_declares_what_it_names(tmp_path: Path) -> None:
    """The snippet, pasted into pyproject.toml as printed, makes the check pass."""
    project = make_project(
        tmp_path / "p",
        {},
        {"cython": "3.0.0", "setuptools": "80.0.0"},
        pyproject_extra="\n[tool.uv]\nno-build-isolation-package = ['pkg']\n",
    )
    code, out, _ = driftcheck(["--project", str(project), "--allow", "setuptools"])
    assert code == 1
    assert out.splitlines()[-7:] == [
        "hint: to keep them, declare them in pyproject.toml:",
        "  [tool.driftcheck]",
        "  allow = [",
        '      { name = "cython", reason = "build dependency (the project builds without isolation)" },',
        '      { name = "setuptools", reason = "allowed on the command line; say why" },',
        "  ]",
        f"hint: run `uv sync --frozen --project {project}` to restore sync",
    ]
    _, report, _ = driftcheck_json(["--project", str(project), "--allow", "setuptools"])
    assert report is not None
    with (project / "pyproject.toml").open("a") as file:
        file.write("\n" + report["allow_snippet"] + "\n")
    code, out, _ = driftcheck(["--project", str(project)])
    assert code == 0, out
    assert "hint: to keep them" not in out


def test_output_format_from_environment(drifted: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DRIFTCHECK_OUTPUT_FORMAT", "json")
    _, out, _ = driftcheck(["--project", str(drifted)])
    assert json.loads(out)["schema_version"] == 1


def test_locked_but_unselected_is_explained(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", {}, {"idna": "3.7"}, extras={"net": {"idna": "3.7"}})
    _, report, _ = driftcheck_json(["--project", str(project)])
    assert report is not None
    assert report["findings"][0]["reason"] == "locked, but not selected by these flags"


def test_egg_info_satisfies_nothing(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", {"six": "1.17.0"}, {})
    (site_packages(project / ".venv") / "six-1.17.0-py3.11.egg-info").mkdir()
    _, report, _ = driftcheck_json(["--project", str(project)])
    assert report is not None
    assert report["findings"][0]["reason"].startswith("installed as a legacy egg-info")


def test_git_commit_mismatch(tmp_path: Path) -> None:
    project = tmp_path / "p"
    project.mkdir()
    (project / "pyproject.toml").write_text('[project]\nname = "demo"\nversion = "0"\n')
    (project / "uv.lock").write_text(
        'version = 1\n\n[[package]]\nname = "demo"\nversion = "0"\nsource = { virtual = "." }\n'
        'dependencies = [{ name = "lib" }]\n\n[[package]]\nname = "lib"\nversion = "1.0"\n'
        'source = { git = "https://git.example/lib.git?rev=main#' + "a" * 40 + '" }\n'
    )
    from fakes import make_venv

    make_venv(
        project,
        {"lib": "1.0"},
        direct_urls={
            "lib": {
                "url": "https://git.example/lib.git",
                "vcs_info": {"vcs": "git", "commit_id": "b" * 40},
            }
        },
    )
    _, report, _ = driftcheck_json(["--project", str(project)])
    assert report is not None
    [finding] = report["findings"]
    assert finding["kind"] == "mismatched"
    assert finding["reason"] == f"commit {'b' * 12} installed, {'a' * 12} locked"
    assert finding["installed"]["source"]["kind"] == "git"


def test_python_dash_m_and_version() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "driftcheck", "--version"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    from driftcheck import __version__

    assert result.stdout == f"driftcheck {__version__}\n"


def test_check_subcommand_spelling(drifted: Path) -> None:
    assert driftcheck(["check", "--project", str(drifted)])[0] == 1


def _command(args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """The command as a hook runs it (``python -m driftcheck`` takes the same entry)."""
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    return subprocess.run(
        [sys.executable, "-m", "driftcheck", *args],
        text=True,
        check=False,
        env={**env, "PYTHONPATH": str(REPO)},
        **kwargs,
    )


def test_command_delivers_the_whole_report_and_the_verdict(drifted: Path) -> None:
    """The command ends without tearing the interpreter down (driftcheck._entry): what it
    printed is all there, and the exit code is the check's."""
    result = _command(["--json", "--project", str(drifted)], capture_output=True)
    assert result.returncode == 1, result.stderr
    assert json.loads(result.stdout)["drift"] is True
    assert result.stderr == ""
    result = _command(["--lockfile", "nope.lock", "--project", str(drifted)], capture_output=True)
    assert result.returncode == 2
    assert result.stderr.startswith("driftcheck: error: ")


def test_reader_that_stops_early_leaves_the_verdict(drifted: Path) -> None:
    """``driftcheck --json | head -c 1``: no traceback, and the exit code still tells."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # (the reader is gone before the report is written)
    try:
        result = _command(
            ["--json", "--project", str(drifted)], stdout=write_end, stderr=subprocess.PIPE
        )
    finally:
        os.close(write_end)
    assert (result.returncode, result.stderr) == (1, "")
    closed = _command(
        ["--project", str(drifted)], stderr=subprocess.PIPE, preexec_fn=lambda: os.close(1)
    )
    assert (closed.returncode, closed.stderr) == (1, "")  # started with no stdout at all
