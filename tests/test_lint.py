"""The code stays clean: ruff (lint and format) and mypy --strict, as configured."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest
from helpers import REPO


def _run(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} is not installed (it comes with the [test] extra)")
    return subprocess.run(
        [sys.executable, "-m", module, *args], cwd=REPO, capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize(
    "args",
    [
        ("ruff", "check", "driftcheck", "tests"),
        ("ruff", "format", "--check", "driftcheck", "tests"),
    ],
    ids=["ruff-check", "ruff-format"],
)
def test_ruff(args: tuple[str, ...]) -> None:
    result = _run(*args)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict() -> None:
    result = _run("mypy", "driftcheck")
    assert result.returncode == 0, result.stdout + result.stderr
