"""The benchmark still works (quick mode). Timings are printed, never asserted."""

from __future__ import annotations

import subprocess
import sys

import pytest
from helpers import REPO, tool_env

pytestmark = pytest.mark.differential


def test_bench_quick_mode() -> None:
    result = subprocess.run(
        [sys.executable, str(REPO / "bench" / "run.py"), "--quick"],
        capture_output=True,
        text=True,
        check=False,
        env=tool_env(),
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "| 50 (synthetic) |" in result.stdout
    for lockfile in ("requirements.txt", "pylock.toml", "poetry.lock", "pdm.lock"):
        assert f"| {lockfile} |" in result.stdout
    assert "| Pipfile.lock |" in result.stdout
    assert "| conda-lock.yml |" in result.stdout
    print(result.stdout)
