"""Lockfile auto-detection: none, one, several; forcing a reader; flags by format."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes import lock_text, make_venv
from helpers import driftcheck, driftcheck_json

POETRY_LOCK = """
[[package]]
name = "six"
version = "1.17.0"
optional = false
groups = ["main"]

[metadata]
lock-version = "2.1"
python-versions = ">=3.10"
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "demo"\nversion = "0.1.0"\n\n[tool.poetry]\npackage-mode = false\n'
    )
    make_venv(tmp_path, {"six": "1.17.0"})
    return tmp_path


def test_none_found(project: Path) -> None:
    code, _, err = driftcheck([], cwd=project)
    assert code == 2 and "no lockfile found" in err and "pass --lockfile" in err


@pytest.mark.parametrize(
    ("name", "content", "fmt"),
    [
        ("uv.lock", lock_text("demo", {"six": "1.17.0"}), "uv.lock"),
        ("poetry.lock", POETRY_LOCK, "poetry.lock"),
        (
            "pylock.toml",
            'lock-version = "1.0"\ncreated-by = "t"\n[[packages]]\nname = "six"\nversion = "1.17.0"\nindex = "https://index.example/simple"\n[[packages.wheels]]\nname = "six-1.17.0-py2.py3-none-any.whl"\nurl = "https://files.example/six-1.17.0-py2.py3-none-any.whl"\nhashes = {sha256 = "00"}\n',
            "pylock.toml",
        ),
        (
            "pylock.dev.toml",
            'lock-version = "1.0"\ncreated-by = "t"\npackages = []\n',
            "pylock.toml",
        ),
    ],
)
def test_exactly_one_is_used(project: Path, name: str, content: str, fmt: str) -> None:
    (project / name).write_text(content)
    code, report, err = driftcheck_json([], cwd=project)
    assert report is not None, err
    assert report["lockfile"] == {"path": str(project / name), "format": fmt}
    assert code == (1 if name == "pylock.dev.toml" else 0)


def test_several_found_lists_them(project: Path) -> None:
    (project / "uv.lock").write_text(lock_text("demo", {"six": "1.17.0"}))
    (project / "poetry.lock").write_text(POETRY_LOCK)
    code, _, err = driftcheck([], cwd=project)
    assert code == 2
    assert err == (
        f"driftcheck: error: {project}: several lockfiles found (uv.lock, poetry.lock); "
        "pick one with --lockfile or [tool.driftcheck] lockfile\n"
    )


def test_config_picks_one_of_several(project: Path) -> None:
    (project / "uv.lock").write_text(lock_text("demo", {"six": "1.17.0"}))
    (project / "poetry.lock").write_text(POETRY_LOCK)
    with (project / "pyproject.toml").open("a") as f:
        f.write('\n[tool.driftcheck]\nlockfile = "poetry.lock"\n')
    code, report, _ = driftcheck_json([], cwd=project)
    assert code == 0 and report is not None and report["lockfile"]["format"] == "poetry.lock"


def test_requirements_are_never_guessed(project: Path) -> None:
    (project / "requirements.txt").write_text("six==1.17.0\n")
    assert driftcheck([], cwd=project)[0] == 2
    code, report, _ = driftcheck_json(["--lockfile", "requirements.txt"], cwd=project)
    assert code == 0 and report is not None and report["lockfile"]["format"] == "requirements.txt"


def test_lock_format_forces_a_reader(project: Path) -> None:
    (project / "deps.lock").write_text("six==1.17.0\n")
    code, _, err = driftcheck(["--lockfile", "deps.lock"], cwd=project)
    assert code == 2 and "cannot tell the lockfile format" in err
    code, report, _ = driftcheck_json(
        ["--lockfile", "deps.lock", "--lock-format", "requirements.txt"], cwd=project
    )
    assert code == 0 and report is not None and report["lockfile"]["format"] == "requirements.txt"


@pytest.mark.parametrize(
    ("lock", "args", "message"),
    [
        ("poetry.lock", ["--extra", "x"], "--extra does not apply to a poetry.lock"),
        ("uv.lock", ["--with", "docs"], "--with does not apply to a uv.lock"),
        ("uv.lock", ["-G", "docs"], "-G does not apply to a uv.lock"),
        ("requirements.txt", ["--extra", "x"], "--extra does not apply to a requirements file"),
    ],
)
def test_flags_of_another_tool_are_refused(
    project: Path, lock: str, args: list[str], message: str
) -> None:
    content = {"poetry.lock": POETRY_LOCK, "requirements.txt": "six==1.17.0\n"}
    (project / lock).write_text(content.get(lock, lock_text("demo", {"six": "1.17.0"})))
    code, _, err = driftcheck(["--lockfile", lock, *args], cwd=project)
    assert code == 2
    assert message in err, err
