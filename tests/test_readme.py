"""The README's quick start holds: two commands, CI runs the test one, the example works."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from helpers import REPO, driftcheck, run, uv_bin


def _quick_start_commands() -> list[str]:
    text = (REPO / "README.md").read_text()
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block
    return [
        line for line in block.group(1).splitlines() if line.strip() and not line.startswith("#")
    ]


def test_quick_start_has_exactly_two_commands() -> None:
    commands = _quick_start_commands()
    assert len(commands) == 2
    assert "driftcheck" in commands[0] and "examples/demo" in commands[0]
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command() -> None:
    assert _quick_start_commands()[1] in (REPO / ".ci" / "run").read_text().splitlines()


@pytest.mark.differential
def test_the_example_is_in_sync_after_uv_sync(tmp_path: Path) -> None:
    demo = tmp_path / "demo"
    shutil.copytree(REPO / "examples" / "demo", demo, ignore=shutil.ignore_patterns(".venv"))
    run([uv_bin(), "sync", "-q", "--frozen"], demo)
    code, out, _ = driftcheck([], cwd=demo)
    assert code == 0
    assert out == "driftcheck: .venv matches uv.lock (uv.lock), 2 packages checked\n"
    run([uv_bin(), "pip", "install", "-q", "--no-deps", "-e", "greeting"], demo)
    code, out, _ = driftcheck([], cwd=demo)
    assert code == 1
    assert " ~ greeting==1.0.0: editable install, locked as non-editable" in out
