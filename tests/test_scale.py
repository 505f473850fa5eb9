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


def test_every_format_at_scale(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The generated project, locked in each other format (bench/formats.py): the same
    three drifts, each on the line of its entry. Times are printed, never asserted; a
    reader that is quadratic in the number of entries shows here (Pipfile.lock once
    took 39 s at 5,000)."""
    from formats import write_formats
    from pylock_equivalence import assert_pylock_paths_agree
    from uv_fast_equivalence import assert_skipping_files_equivalent

    project = generate(tmp_path / "p2000", 2_000)
    times = []
    for lock in [project / "uv.lock", *write_formats(project)]:
        # as for uv: no project
        flags = {"poetry.lock": ["--no-root"], "pdm.lock": ["--no-self"]}.get(lock.name, [])
        start = time.perf_counter()
        code, report, err = driftcheck_json(
            ["--project", str(project), "--lockfile", str(lock), *flags]
        )
        times.append(f"{lock.name} {time.perf_counter() - start:.2f} s")
        assert code == 1, err
        assert report is not None
        assert report["summary"] == {"missing": 1, "extraneous": 1, "mismatched": 1, "allowed": 0}
        text = lock.read_text().splitlines()
        for finding in report["findings"]:
            if finding["kind"] != "extraneous":
                line = finding["expected"]["line"]
                assert finding["name"] in text[line - 1], (lock.name, finding)
        if lock.name in ("poetry.lock", "pdm.lock"):
            # (all but the project's own table are in the locker's usual layout)
            assert assert_skipping_files_equivalent(lock) >= 2_000 - 1, lock.name
        if lock.name == "pylock.toml":
            assert assert_pylock_paths_agree(["--project", str(project), "--lockfile", str(lock)])
    with capsys.disabled():
        print(f"\n[scale] 2,000 packages in every format (in-process): {', '.join(times)}")
