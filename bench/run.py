"""Benchmark driftcheck against `uv sync --check --frozen`, alternating A B A B.

    python bench/run.py                 # 200, 1,000 and 5,000 packages, 15 pairs each
    python bench/run.py --real          # also a real project synced from PyPI (~150+ packages)
    python bench/run.py --quick         # one small size, 2 pairs: proves the bench still works
    python bench/run.py --markdown FILE # write the results table (docs/performance.md)
    python bench/run.py --instructions  # also count instructions (valgrind's callgrind)

Projects are generated (bench/generate.py) into a temporary directory, never
committed. Each run is timed as a whole process (wall clock) and its peak RSS read
from the kernel (wait4). The ratio reported is the median of the per-pair ratios
driftcheck/uv, after one warm-up pair.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from formats import FORMATS, write_formats
from generate import generate

REAL_PROJECT_DEPS = [
    "sphinx",
    "jupyterlab",
    "pandas",
    "requests",
    "pytest",
    "fastapi",
    "matplotlib",
    "boto3",
]


def _uv() -> str:
    from uv import find_uv_bin

    return str(find_uv_bin())


def _driftcheck() -> str:
    found = shutil.which("driftcheck", path=str(Path(sys.executable).parent))
    if not found:
        raise SystemExit("driftcheck is not installed next to this Python")
    return found


def setup_warnings() -> list[str]:
    """What makes a run's numbers wrong: driftcheck imported from an editable install
    (its finder and a source tree, not the installed package pre-commit gets), or
    bytecode not written (every module compiled on every run)."""
    import importlib.metadata

    warnings = []
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        warnings.append("PYTHONDONTWRITEBYTECODE is set: each run compiles every module")
    import sysconfig

    installed = importlib.metadata.distributions(
        name="pydriftcheck", path=[sysconfig.get_paths()["purelib"]]
    )  # (the install next to this Python, whose command the benchmark runs)
    direct_urls = [d.read_text("direct_url.json") or "{}" for d in installed]
    if any(json.loads(u).get("dir_info", {}).get("editable") for u in direct_urls):
        warnings.append("driftcheck is an editable install: install it with `pip install .`")
    return warnings


def measure(cmd: list[str], cwd: Path) -> tuple[float, int, int]:
    """(seconds, peak RSS in KiB, exit code) of one run."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT")
    }
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
    )
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    return elapsed, int(usage.ru_maxrss), os.waitstatus_to_exitcode(status)


# The least any Python checker must do: start the interpreter, import re and tomllib,
# parse pyproject.toml, read uv.lock, run one regex over it and list site-packages.
# It checks nothing; its time is the floor under any CPython implementation.
FLOOR = """
import os, re, sys, tomllib
with open("pyproject.toml", "rb") as f:
    tomllib.load(f)
with open("uv.lock", "rb") as f:
    text = f.read().decode()
re.findall(r'(?m)^name = "([^"]+)"\\nversion = "([^"]+)"', text)
lib = os.path.join(".venv", "lib")
for d in os.listdir(lib):
    os.listdir(os.path.join(lib, d, "site-packages"))
"""


def compare(project: Path, pairs: int) -> dict[str, float]:
    ours = [_driftcheck()]
    theirs = [_uv(), "sync", "--check", "--frozen", "--offline"]
    floor = [sys.executable, "-c", FLOOR]
    verify = [*ours, "--verify-files"]
    measure(ours, project), measure(theirs, project), measure(floor, project)  # warm-up
    verify_times = [measure(verify, project)[0] for _ in range(3)]
    ratios, floor_ratios, dc_times, uv_times, floor_times, dc_rss, uv_rss = ([] for _ in range(7))
    for _ in range(pairs):
        a = measure(ours, project)
        b = measure(theirs, project)
        c = measure(floor, project)
        if a[2] not in (0, 1) or b[2] not in (0, 1) or c[2] != 0:
            raise SystemExit(
                f"{project}: a run failed (driftcheck {a[2]}, uv {b[2]}, floor {c[2]})"
            )
        ratios.append(a[0] / b[0])
        floor_ratios.append(c[0] / b[0])
        dc_times.append(a[0])
        uv_times.append(b[0])
        floor_times.append(c[0])
        dc_rss.append(a[1])
        uv_rss.append(b[1])
    return {
        "ratio": statistics.median(ratios),
        "driftcheck_ms": statistics.median(dc_times) * 1000,
        "uv_ms": statistics.median(uv_times) * 1000,
        "floor_ms": statistics.median(floor_times) * 1000,
        "verify_ms": statistics.median(verify_times) * 1000,
        "floor_ratio": statistics.median(floor_ratios),
        "driftcheck_rss_mb": max(dc_rss) / 1024,
        "uv_rss_mb": max(uv_rss) / 1024,
    }


def compare_formats(project: Path, pairs: int) -> list[tuple[str, float, dict[str, float]]]:
    """Each other format's check against the uv.lock check, alternating (A B A B ...)."""
    ours = [_driftcheck(), "--lockfile", "uv.lock"]  # (several lockfiles are there now)
    rows = []
    for lock in (project / name for name in FORMATS):
        # no project, as for uv
        flags = {"poetry.lock": ["--no-root"], "pdm.lock": ["--no-self"]}.get(lock.name, [])
        other = [_driftcheck(), "--lockfile", lock.name, *flags]
        measure(ours, project), measure(other, project)  # warm-up
        ratios, times, base_times, rss = [], [], [], []
        for _ in range(pairs):
            a = measure(other, project)
            b = measure(ours, project)
            if a[2] != 1 or b[2] != 1:
                raise SystemExit(f"{lock}: a run did not report the drift ({a[2]}, {b[2]})")
            ratios.append(a[0] / b[0])
            times.append(a[0])
            base_times.append(b[0])
            rss.append(a[1])
        rows.append(
            (
                lock.name,
                lock.stat().st_size / 1e6,
                {
                    "ratio": statistics.median(ratios),
                    "ms": statistics.median(times) * 1000,
                    "uv_lock_ms": statistics.median(base_times) * 1000,
                    "rss_mb": max(rss) / 1024,
                },
            )
        )
    return rows


def instructions(cmd: list[str], cwd: Path) -> float | None:
    """Millions of instructions one run executes, counted by callgrind (None without
    valgrind). Unlike wall time on a shared machine, the count repeats exactly."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        return None
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    err = subprocess.run(
        [valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null", *cmd],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    ).stderr
    for line in err.splitlines():
        if "Collected :" in line:
            return int(line.rsplit(":", 1)[1]) / 1e6
    return None


def count_both(project: Path) -> tuple[float | None, float | None]:
    uv_cmd = [_uv(), "sync", "--check", "--frozen", "--offline"]
    return instructions([_driftcheck()], project), instructions(uv_cmd, project)


def _fresh(kind: str, project: Path, pairs: int) -> Any:
    """Run ``compare`` or ``compare_formats`` in a new, small Python process.

    The kernel starts a child's peak RSS (``ru_maxrss``) at the size of the process that
    forked it, so runs must be started by a process that does not hold the generated
    projects: started from here, every run would show this process's own peak. The
    measuring process itself peaks at ~13 MB, below every figure measured.
    """
    out = subprocess.run(
        [sys.executable, __file__, "--measure", kind, str(project), str(pairs)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out)


def real_project(root: Path) -> Path:
    """A real project resolved and synced from PyPI by uv (needs the index)."""
    project = root / "real"
    project.mkdir()
    deps = ",\n".join(f'    "{d}"' for d in REAL_PROJECT_DEPS)
    (project / "pyproject.toml").write_text(
        f'[project]\nname = "real"\nversion = "0"\nrequires-python = ">=3.10"\n'
        f"dependencies = [\n{deps},\n]\n\n[tool.uv]\npackage = false\n"
    )
    subprocess.run([_uv(), "sync", "-q"], cwd=project, check=True)
    subprocess.run([_uv(), "pip", "install", "-q", "attrs"], cwd=project, check=True)  # a drift
    return project


def _imported(code: str, cwd: Path) -> dict[str, int]:
    """Module -> self import time (us) of one run of ``code``, from ``-X importtime``."""
    err = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    ).stderr.splitlines()
    out = {}
    for line in err:
        parts = line.split("|")
        if len(parts) == 3 and parts[0].split(":")[-1].strip().isdigit():
            out[parts[2].strip()] = int(parts[0].split(":")[-1])
    return out


def import_time_ms(project: Path) -> float:
    """Time spent importing during a real check, beyond what the bare interpreter imports."""
    run = _imported("import sys; from driftcheck.cli import main; sys.exit(main())", project)
    bare = _imported("pass", project)
    return sum(t for name, t in run.items() if name not in bare) / 1000


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--real", action="store_true")
    parser.add_argument("--pairs", type=int, default=15)
    parser.add_argument("--instructions", action="store_true")
    parser.add_argument("--markdown", metavar="FILE")
    parser.add_argument("--measure", nargs=3, metavar=("KIND", "PROJECT", "PAIRS"))
    args = parser.parse_args()
    if args.measure:  # the small measuring process (see _fresh)
        kind, project_dir, pair_count = args.measure
        measured = {"compare": compare, "formats": compare_formats}[kind]
        print(json.dumps(measured(Path(project_dir), int(pair_count))))
        return 0
    for warning in setup_warnings():
        print(f"bench: warning: {warning}; the times will not be representative", file=sys.stderr)
    sizes = [50] if args.quick else [200, 1000, 5000]
    pairs = 2 if args.quick else args.pairs
    rows = []
    counted: dict[str, tuple[float | None, float | None]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for size in sizes:
            project = generate(root / f"p{size}", size)
            lock_mb = (project / "uv.lock").stat().st_size / 1e6
            rows.append((f"{size:,} (synthetic)", lock_mb, _fresh("compare", project, pairs)))
            if args.instructions:
                counted[rows[-1][0]] = count_both(project)
            if size == sizes[0]:
                imports = import_time_ms(project)
            if size == sizes[-1]:
                write_formats(project)
                formats = _fresh("formats", project, pairs)
        if args.real and not args.quick:
            project = real_project(root)
            count = (project / "uv.lock").read_text().count("[[package]]")
            lock_mb = (project / "uv.lock").stat().st_size / 1e6
            rows.append(
                (f"{count:,} (real, from PyPI)", lock_mb, _fresh("compare", project, pairs))
            )
            if args.instructions:
                counted[rows[-1][0]] = count_both(project)
    lines = [
        "| locked packages | lock size | driftcheck wall | uv wall | ratio (median of pairs) | floor wall | floor/uv | driftcheck peak RSS | uv peak RSS | driftcheck --verify-files |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for label, lock_mb, r in rows:
        lines.append(
            f"| {label} | {lock_mb:.1f} MB | {r['driftcheck_ms']:.0f} ms | {r['uv_ms']:.0f} ms | "
            f"{r['ratio']:.2f} | {r['floor_ms']:.0f} ms | {r['floor_ratio']:.2f} | "
            f"{r['driftcheck_rss_mb']:.0f} MB | {r['uv_rss_mb']:.0f} MB | {r['verify_ms']:.0f} ms |"
        )
    lines.append("")
    lines.append(
        f"Import time during a check ({sizes[0]:,} packages), beyond the bare interpreter's: "
        f"{imports:.0f} ms. {pairs} rounds per size, after one warm-up round."
    )
    if counted:
        lines += [
            "",
            "Instructions of one run (callgrind; uv's include its threads'):",
            "",
            "| locked packages | driftcheck | uv | ratio |",
            "|---|---|---|---|",
        ]
        for label, (ours, theirs) in counted.items():
            ratio = f"{ours / theirs:.2f}" if ours and theirs else "-"
            lines.append(f"| {label} | {ours or 0:.0f} M | {theirs or 0:.0f} M | {ratio} |")
    lines += [
        "",
        f"The other formats at {sizes[-1]:,} packages (bench/formats.py), each run alternating "
        "with the uv.lock check of the same project and `.venv`:",
        "",
        "| lockfile | size | driftcheck wall | uv.lock check wall | ratio to uv.lock "
        "(median of pairs) | peak RSS |",
        "|---|---|---|---|---|---|",
    ]
    for name, size_mb, r in formats:
        lines.append(
            f"| {name} | {size_mb:.1f} MB | {r['ms']:.0f} ms | {r['uv_lock_ms']:.0f} ms | "
            f"{r['ratio']:.2f} | {r['rss_mb']:.0f} MB |"
        )
    table = "\n".join(lines)
    print(table)
    if args.markdown:
        Path(args.markdown).write_text(table + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
