"""Scale: a 10,000-package uv.lock against a 10,000-dist environment completes.

The time is printed, never asserted (the benchmark in bench/ is where speed is judged).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest
from helpers import REPO, driftcheck_json

sys.path.insert(0, str(REPO / "bench"))
from generate import generate


def test_ten_thousand_packages(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    start = time.perf_counter()
    project = generate(tmp_path / "p10000", 10_000)
    generated = time.perf_counter() - start
    start = time.perf_counter()
    code, report, err = driftcheck_json(["--project", str(project)])
    elapsed = time.perf_counter() - start
    assert code == 1, err
    assert report is not None
    assert report["checked"] == 10_000
    # The generator's three drifts: one missing, one wrong version, one extraneous.
    assert report["summary"] == {"missing": 1, "extraneous": 1, "mismatched": 1, "allowed": 0}
    with capsys.disabled():
        print(
            f"\n[scale] 10,000 locked packages, 10,000 dists: check {elapsed:.2f} s "
            f"(in-process; generating the project took {generated:.1f} s)"
        )
