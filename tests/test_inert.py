"""driftcheck never runs code from the target environment and never writes to it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from helpers import REPO, run, tool_env, tree_hash, uv_bin
from uv_projects import make_base


@pytest.mark.differential
def test_pth_and_sitecustomize_never_run(tmp_path: Path) -> None:
    project = make_base("app", tmp_path)
    uv = uv_bin()
    run([uv, "venv", "-q", "--python", sys.executable, ".venv"], project)
    run([uv, "sync", "-q", "--frozen"], project)
    site = next((project / ".venv").glob("lib/python*/site-packages"))
    traps = tmp_path / "traps"
    traps.mkdir()
    (site / "zz_trap.pth").write_text(
        f"import pathlib; pathlib.Path({str(traps / 'pth-ran')!r}).touch()\n"
    )
    (site / "sitecustomize.py").write_text(
        f"import pathlib; pathlib.Path({str(traps / 'sitecustomize-ran')!r}).touch()\n"
    )
    (site / "usercustomize.py").write_text(
        f"import pathlib; pathlib.Path({str(traps / 'usercustomize-ran')!r}).touch()\n"
    )
    # Positive control: the traps do fire when the target's Python starts normally.
    subprocess.run([str(project / ".venv" / "bin" / "python"), "-c", "pass"], check=True)
    assert sorted(p.name for p in traps.iterdir()) == ["pth-ran", "sitecustomize-ran"]
    for p in traps.iterdir():
        p.unlink()

    before = tree_hash(project)
    python = str(project / ".venv" / "bin" / "python")
    where = ["--project", str(project)]
    for args in (
        where,
        [*where, "--json"],
        [*where, "--python", python],
        [*where, "--verify-files", "--python", python],
        ["why", "idna", *where, "--python", python],
        ["infer", *where, "--python", python],
        [*where, "--selection", "infer", "--python", python],
        ["check", str(project), "--python", python],
    ):
        result = subprocess.run(
            [sys.executable, "-m", "driftcheck", *args],
            env=tool_env(PYTHONPATH=str(REPO)),
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
    assert list(traps.iterdir()) == []
    assert tree_hash(project) == before
