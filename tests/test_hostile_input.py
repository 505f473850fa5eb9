"""Every hostile input issue 18 found, with its exact exit code and message.

Each of these once gave a traceback (and exit 1, the drift code), ran a program from the
repository, hung, or read a file it must not. Each now has its own one-line message,
and none takes more than two seconds.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes import make_project, site_packages
from helpers import driftcheck, driftcheck_json

from driftcheck.nesting import MAX_DEPTH


@pytest.fixture(autouse=True)
def _quick() -> Iterator[None]:
    start = time.monotonic()
    yield
    assert time.monotonic() - start < 2.0, "a hostile input must be refused at once"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "p", {"six": "1.17.0"}, {"six": "1.17.0"})


def _error(code_out_err: tuple[int, str, str]) -> str:
    code, out, err = code_out_err
    assert (code, out) == (2, ""), err
    assert err.count("\n") == 1 and err.startswith("driftcheck: error: "), err
    return err.removeprefix("driftcheck: error: ").rstrip("\n")


def _executable(path: Path, text: str = "#!/bin/sh\nexit 0\n") -> Path:
    path.write_text(text)
    path.chmod(0o755)
    return path


# --- nothing is run -----------------------------------------------------------------


def test_dot_venv_that_is_an_executable_file(project: Path) -> None:
    import shutil

    shutil.rmtree(project / ".venv")
    _executable(project / ".venv")
    assert _error(driftcheck(["--project", str(project)])) == (
        f"{project / '.venv'}: is a file, not an environment directory (driftcheck never "
        "runs it); remove it, or pass --python with the environment's directory"
    )


NOT_READABLE = (
    "not a Python interpreter driftcheck can read from its files (no lib/pythonX.Y beside "
    "it, and its name does not say its version); driftcheck never runs it: pass --python "
    "with the environment's directory (a venv, or a prefix holding "
    "lib/pythonX.Y/site-packages)"
)


def test_python_flag_given_a_script(project: Path, tmp_path: Path) -> None:
    script = _executable(tmp_path / "script.sh")
    assert _error(driftcheck(["--project", str(project), "--python", str(script)])) == (
        f"{script}: {NOT_READABLE}"
    )


def test_python_flag_given_bin_true(project: Path) -> None:
    if not Path("/bin/true").exists():
        pytest.skip("no /bin/true here")
    assert _error(driftcheck(["--project", str(project), "--python", "/bin/true"])) == (
        f"/bin/true: {NOT_READABLE}"
    )


def test_python_flag_empty(project: Path) -> None:
    assert _error(driftcheck(["--project", str(project), "--python", ""])) == (
        "--python was given an empty path"
    )


# --- configuration -------------------------------------------------------------------


def test_config_output_format_unknown(project: Path) -> None:
    with (project / "pyproject.toml").open("a") as file:
        file.write('\n[tool.driftcheck]\noutput-format = "xml"\n')
    assert _error(driftcheck(["--project", str(project)])) == (
        f"{project / 'pyproject.toml'}: 'output-format' must be one of text, json, github, "
        "markdown, sarif, not 'xml'"
    )


def test_config_projects_dot_is_the_root_itself(project: Path) -> None:
    with (project / "pyproject.toml").open("a") as file:
        file.write('\n[tool.driftcheck]\nprojects = ["."]\n')
    code, out, err = driftcheck([], cwd=project)
    assert (code, err) == (0, "")
    assert out.endswith("driftcheck: 1 project checked; all match their lockfiles\n")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('projects = [""]', "projects glob '' must be a path relative to {root}"),
        ('projects = ["/etc"]', "projects glob '/etc' must be a path relative to {root}"),
        ("projects = []", "'projects' is empty; list the project directories"),
        ('projects = "x"', "'projects' must be a list of globs"),
        ('lockfile = ""', "'lockfile' must not be empty"),
        (
            'lock-format = "setup.py"',
            "'lock-format' must be one of uv.lock, pylock.toml, "
            "requirements.txt, poetry.lock, pdm.lock, Pipfile.lock, conda-lock.yml, not "
            "'setup.py'",
        ),
        ('selection = "magic"', "'selection' must be one of flags, infer, not 'magic'"),
        ("python = 3", "'python' must be a str"),
        (
            "max-lockfile-size = -1",
            "'max-lockfile-size' must be a number of bytes or a size like \"512 MiB\", not -1",
        ),
        ("extras = [1]", "'extras' must be a list of strings"),
    ],
)
def test_config_values_are_checked(project: Path, value: str, message: str) -> None:
    with (project / "pyproject.toml").open("a") as file:
        file.write(f"\n[tool.driftcheck]\n{value}\n")
    expected = f"{project / 'pyproject.toml'}: {message.format(root=project)}"
    assert _error(driftcheck([], cwd=project)) == expected


# --- lockfiles that never end, or are not files ---------------------------------------


def test_lockfile_is_a_fifo(project: Path) -> None:
    (project / "uv.lock").unlink()
    os.mkfifo(project / "uv.lock")
    assert _error(driftcheck(["--project", str(project)])) == (
        f"{project / 'uv.lock'}: is a FIFO, not a regular file"
    )


def test_lockfile_is_a_symlink_to_dev_zero(project: Path) -> None:
    (project / "uv.lock").unlink()
    (project / "uv.lock").symlink_to("/dev/zero")
    assert _error(driftcheck(["--project", str(project)])) == (
        f"{project / 'uv.lock'}: is a character device, not a regular file"
    )


def test_lockfile_larger_than_the_limit(project: Path) -> None:
    with (project / "uv.lock").open("r+b") as file:
        file.truncate(300 << 20)  # sparse: nothing is written to disk
    assert _error(driftcheck(["--project", str(project)])) == (
        f"{project / 'uv.lock'}: is 300 MiB, over the limit of 256 MiB"
    )


def test_lockfile_limit_from_config(project: Path) -> None:
    with (project / "pyproject.toml").open("a") as file:
        file.write('\n[tool.driftcheck]\nmax-lockfile-size = "100 B"\n')
    size = (project / "uv.lock").stat().st_size
    assert size > 100
    assert _error(driftcheck(["--project", str(project)])) == (
        f"{project / 'uv.lock'}: is {size} bytes, over the limit of 100 bytes"
    )


def test_lockfile_dangling_symlink(project: Path) -> None:
    (project / "uv.lock").unlink()
    (project / "uv.lock").symlink_to("gone.lock")
    assert _error(driftcheck(["--project", str(project)])) == (
        f"{project / 'uv.lock'}: is a dangling symlink (to gone.lock)"
    )


def test_lockfile_symlink_loop(project: Path) -> None:
    (project / "uv.lock").unlink()
    (project / "uv.lock").symlink_to("uv.lock")
    assert _error(driftcheck(["--project", str(project)])) == (
        f"{project / 'uv.lock'}: is a symlink loop"
    )


def test_lockfile_flag_not_found_before_its_format_is_guessed(project: Path) -> None:
    assert _error(driftcheck(["--project", str(project), "--lockfile", "locks.cfg"])) == (
        f"{project / 'locks.cfg'}: file not found"
    )


def test_project_flag_not_found(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    assert _error(driftcheck(["--project", str(missing)])) == (
        f"{missing}: project directory not found"
    )


# --- nesting --------------------------------------------------------------------------

DEEP = "[" * 5000 + "]" * 5000


@pytest.mark.parametrize(
    ("lock", "text", "line"),
    [
        ("uv.lock", f"version = 1\nrevision = 3\nx = {DEEP}\n", 3),
        ("poetry.lock", f'[metadata]\nlock-version = "2.1"\nx = {DEEP}\n', 3),
        ("pylock.toml", f'lock-version = "1.0"\ncreated-by = "t"\nx = {DEEP}\n', 3),
        ("pdm.lock", f'[metadata]\nlock_version = "4.5.0"\nx = {DEEP}\n', 3),
        ("Pipfile.lock", '{"_meta": {"pipfile-spec": 6},\n"x": ' + DEEP + "}", 2),
        ("conda-lock.yml", "version: 1\nmetadata: " + DEEP + "\n", 2),
    ],
)
def test_deep_nesting(project: Path, lock: str, text: str, line: int) -> None:
    (project / lock).write_text(text)
    args = ["--project", str(project), "--lockfile", lock]
    assert _error(driftcheck(args)) == (
        f"{project / lock}:{line}: nested more than {MAX_DEPTH} levels deep"
    )


def test_nesting_at_the_bound_is_read(project: Path) -> None:
    """100 levels is not too deep (and brackets in strings do not count)."""
    text = (project / "uv.lock").read_text()
    deep = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    (project / "uv.lock").write_text(
        text.replace("revision = 3", f'revision = 3\nx = {deep}\ny = "{"[" * 500}"', 1)
    )
    code, _, err = driftcheck(["--project", str(project)])
    assert (code, err) == (0, "")


def test_deep_marker_parentheses(project: Path) -> None:
    marker = "(" * 500 + "python_version > '3'" + ")" * 500
    text = (project / "uv.lock").read_text()
    (project / "uv.lock").write_text(
        text.replace('{ name = "six" }', f'{{ name = "six", marker = "{marker}" }}')
    )
    message = _error(driftcheck(["--project", str(project)]))
    assert message.startswith(f"{project / 'uv.lock'}:")
    assert message.endswith(
        f"parentheses nested more than {MAX_DEPTH} levels deep (at 'package[0].dependencies[0].marker')"
    )


# --- the environment -------------------------------------------------------------------


def test_dist_info_symlink_loop(project: Path) -> None:
    site = site_packages(project / ".venv")
    (site / "loop-1.0.dist-info").symlink_to("loop-1.0.dist-info")
    code, report, err = driftcheck_json(["--project", str(project)])
    assert (code, err) == (0, "")  # an entry uv skips as well: not a package
    assert report is not None and report["findings"] == []
    code, report, err = driftcheck_json(["--project", str(project), "--verify-files"])
    assert code == 1 and report is not None
    [finding] = report["findings"]
    assert (finding["name"], finding["kind"], finding["reason"]) == (
        "loop",
        "modified",
        "loop-1.0.dist-info is a broken symlink",
    )


def test_dist_info_symlink_out_of_the_environment(project: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere" / "six-1.17.0.dist-info"
    outside.mkdir(parents=True)
    (outside / "INSTALLER").write_text("secret\n")
    site = site_packages(project / ".venv")
    import shutil

    shutil.rmtree(site / "six-1.17.0.dist-info")
    (site / "six-1.17.0.dist-info").symlink_to(outside)
    code, report, err = driftcheck_json(["--project", str(project)])
    assert code == 1 and report is not None, err
    [finding] = report["findings"]
    assert (finding["kind"], finding["reason"]) == (
        "missing",
        "locked 1.17.0 (registry) but not installed (six-1.17.0.dist-info is a symlink "
        "that leads outside the environment)",
    )
    assert "secret" not in str(report)


def _record(project: Path, rows: list[str]) -> None:
    info = site_packages(project / ".venv") / "six-1.17.0.dist-info"
    (info / "RECORD").write_text("".join(f"{row}\n" for row in rows))


def _files(project: Path) -> list[dict[str, str]]:
    code, report, err = driftcheck_json(["--project", str(project), "--verify-files"])
    assert code == 1 and report is not None, err
    [finding] = [f for f in report["findings"] if f["name"] == "six"]
    return finding["files"]


def test_verify_files_never_opens_a_path_outside(project: Path) -> None:
    _record(project, ["/etc/shadow,sha256=AAAA,10", "../../../../../../etc/passwd,sha256=AAAA,1"])
    assert _files(project) == [
        {"path": "/etc/shadow", "status": "outside-environment"},
        {"path": "../../../../../../etc/passwd", "status": "outside-environment"},
    ]


def test_verify_files_never_reads_a_fifo_or_a_device(project: Path, tmp_path: Path) -> None:
    site = site_packages(project / ".venv")
    os.mkfifo(site / "pipe")
    (site / "zero").symlink_to("/dev/zero")
    (site / "dir").mkdir()
    _record(project, ["pipe,sha256=AAAA,1", "zero,sha256=AAAA,", "dir,sha256=AAAA,"])
    assert _files(project) == [
        {"path": "pipe", "status": "not-a-file"},
        {"path": "zero", "status": "outside-environment"},
        {"path": "dir", "status": "not-a-file"},
    ]
    assert stat.S_ISFIFO((site / "pipe").lstat().st_mode)


def test_ctrl_c_is_one_line_and_exit_130(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from driftcheck import check

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(check, "run_check", interrupted)
    assert driftcheck(["--project", str(project)]) == (130, "", "driftcheck: interrupted\n")


def test_the_last_resort_handler(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug is one line and exit 2, never a traceback (and the suite fails if this net
    catches anything in any other test: tests/conftest.py)."""
    from driftcheck import check, cli

    def bug(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(check, "run_check", bug)
    assert driftcheck(["--project", str(project)]) == (
        2,
        "",
        "driftcheck: internal error: ZeroDivisionError: division by zero (please report; "
        "DRIFTCHECK_DEBUG=1 shows the traceback)\n",
    )
    assert len(cli.CAUGHT) == 1
    cli.CAUGHT.clear()
    monkeypatch.setenv("DRIFTCHECK_DEBUG", "1")
    code, _, err = driftcheck(["--project", str(project)])
    assert code == 2 and "Traceback" in err and err.endswith("shows the traceback)\n")
    cli.CAUGHT.clear()


def test_pre_commit_without_a_project_env_says_why_virtual_env_was_ignored(
    project: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import shutil

    from driftcheck.cli import main

    shutil.rmtree(project / ".venv")
    hook_venv = tmp_path / "hook-venv"
    monkeypatch.setenv("PRE_COMMIT", "1")
    monkeypatch.setenv("VIRTUAL_ENV", str(hook_venv))
    monkeypatch.delenv("UV_PROJECT_ENVIRONMENT", raising=False)
    assert main(["--project", str(project)]) == 2
    assert capsys.readouterr().err == (
        f"driftcheck: error: no environment found for {project}: no .venv there and "
        f"UV_PROJECT_ENVIRONMENT unset; VIRTUAL_ENV ({hook_venv}) was ignored: under "
        "pre-commit it is the hook's own venv, not the project's. Create the project's "
        ".venv (uv sync) or pass --python in the hook's args\n"
    )


def test_unknown_extra_names_the_file_that_defines_the_project(project: Path) -> None:
    assert _error(driftcheck(["--project", str(project), "--extra", "gpu"])) == (
        f"{project / 'pyproject.toml'}: Extra `gpu` is not defined in the "
        "`optional-dependencies` table for `demo`"
    )


def test_unknown_package_names_the_file_that_defines_the_workspace(project: Path) -> None:
    assert _error(driftcheck(["--project", str(project), "--package", "nope"])) == (
        f"{project / 'pyproject.toml'}: Package `nope` not found in workspace"
    )
