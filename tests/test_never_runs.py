"""driftcheck never starts a process, for any command, format, output format or --python.

Each run happens in a child interpreter with an audit hook (``sys.addaudithook``) that
refuses every way to start a process (and any network connection, and any file opened
for writing inside the project), so a single attempt fails the run. The interpreters
and scripts it is pointed at are traps: executable files that would leave a mark if
anything ran them.
"""

from __future__ import annotations

import itertools
import json
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from fakes import add_dist
from helpers import REPO, tool_env, tree_hash
from test_proofs import FORMATS, LOCKS, _project

# The child: install the hook, then run driftcheck's main() once per argument list.
CHILD = r"""
import io, json, os, sys, contextlib

PROCESS = ("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn",
           "os.fork", "os.forkpty", "os.startfile", "pty.spawn", "os.popen")
NETWORK = ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname")
WRITING = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
guarded = sys.argv[1]
refused = []

def hook(event, args):
    if event in PROCESS or event in NETWORK:
        refused.append(event)
        raise RuntimeError(f"audit: {event} refused")
    if event == "open" and args[0] is not None and not isinstance(args[0], int):
        path, mode, flags = os.fsdecode(args[0]), args[1] or "", args[2] or 0
        writes = any(c in mode for c in "wax+") or flags & WRITING
        if writes and os.path.abspath(path).startswith(guarded):
            refused.append(f"write {path}")
            raise RuntimeError(f"audit: writing {path} refused")

sys.addaudithook(hook)
if sys.argv[2:] == ["control"]:  # the hook itself works: these must all be refused
    import subprocess
    for attempt in (lambda: subprocess.run(["true"]), lambda: os.system("true"),
                    lambda: open(os.path.join(guarded, "x"), "w")):
        try:
            attempt()
        except RuntimeError:
            pass
    print(json.dumps(refused))
    sys.exit(0)
from driftcheck.cli import CAUGHT, main

results = []
for args in json.load(sys.stdin):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(args)
    results.append({"args": args, "code": code, "out": out.getvalue(), "err": err.getvalue()})
imported = sorted(
    name for name, module in list(sys.modules.items())
    if (getattr(module, "__file__", None) or "").startswith(guarded)
)
print(json.dumps({"results": results, "refused": refused, "caught": [repr(e) for e in CAUGHT],
                  "imported": imported}))
"""

TRAP = "#!/bin/sh\ntouch '{mark}'\nexit 0\n"


def _trap(path: Path, mark: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(TRAP.format(mark=mark))
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def _bare_interpreter(root: Path, mark: Path) -> Path:
    """A Python installation outside any venv (a prefix with lib/python3.11), whose
    interpreter is a trap."""
    site = root / "lib" / "python3.11" / "site-packages"
    site.mkdir(parents=True)
    add_dist(site, "six", "1.17.0")
    return _trap(root / "bin" / "python3.11", mark)


def _runs(project: Path, lock: str, pythons: dict[str, Path]) -> list[tuple[list[str], set[int]]]:
    """Every command and output format, with --python at each of ``pythons`` (and none),
    with the exit codes each may give."""
    where = ["--project", str(project), "--lockfile", lock]
    runs: list[tuple[list[str], set[int]]] = []
    choices: list[tuple[str, Path | None]] = [("none", None), *pythons.items()]
    if lock == "conda-lock.yml":  # (a conda-lock check always names its prefix)
        choices = [c for c in choices if c[1] is not None]
    for (kind, python), fmt in itertools.product(choices, FORMATS):
        args = [*where, *(["--python", str(python)] if python else []), "--output-format", fmt]
        codes = {2} if kind == "script" else {0, 1}
        runs.append((args, codes))
        runs.append(([*args, "--verify-files"], codes))
        if fmt in ("text", "json"):
            runs.append((["why", "six", *args], {2} if kind == "script" else {0}))
            infer = {0, 1} if lock == "uv.lock" else {2}
            runs.append((["infer", *args], {2} if kind == "script" else infer))
    runs.append((["check", str(project), *where[2:]], {1}))
    return runs


@pytest.mark.parametrize("lock", sorted(LOCKS))
def test_nothing_is_ever_run(tmp_path: Path, lock: str) -> None:
    mark = tmp_path / "a-trap-ran"
    project = _project(tmp_path / "p", lock)
    pythons = {
        "venv": project / ".venv",
        "interpreter": _bare_interpreter(tmp_path / "python-install", mark),
        "script": _trap(tmp_path / "tool.sh", mark),
    }
    # The venv's own interpreter is a trap too.
    (project / ".venv" / "bin" / "python").unlink()
    _trap(project / ".venv" / "bin" / "python", mark)
    runs = _runs(project, lock, pythons)
    before = tree_hash(tmp_path)
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(tmp_path)],
        input=json.dumps([args for args, _ in runs]),
        capture_output=True,
        text=True,
        env=tool_env(PYTHONPATH=str(REPO)),
        timeout=300,
        check=False,
    )
    assert child.returncode == 0, child.stderr
    report = json.loads(child.stdout)
    assert report["refused"] == []
    assert report["caught"] == []
    assert report["imported"] == []
    for (args, codes), result in zip(runs, report["results"], strict=True):
        assert result["code"] in codes, (args, result["err"])
        assert "Traceback" not in result["err"], result["err"]
        if result["code"] == 2:
            assert result["err"].count("\n") >= 1 and "internal error" not in result["err"]
    assert not mark.exists()
    assert tree_hash(tmp_path) == before


def test_a_dot_venv_that_is_a_program_is_refused(tmp_path: Path) -> None:
    mark = tmp_path / "ran"
    project = _project(tmp_path / "p", "uv.lock")
    import shutil

    shutil.rmtree(project / ".venv")
    _trap(project / ".venv", mark)
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(tmp_path)],
        input=json.dumps([["--project", str(project)]]),
        capture_output=True,
        text=True,
        env=tool_env(PYTHONPATH=str(REPO)),
        timeout=60,
        check=False,
    )
    [result] = json.loads(child.stdout)["results"]
    assert result["code"] == 2
    assert result["err"] == (
        f"driftcheck: error: {project / '.venv'}: is a file, not an environment directory "
        "(driftcheck never runs it); remove it, or pass --python with the environment's "
        "directory\n"
    )
    assert not mark.exists()


def test_the_audit_hook_refuses_what_it_should(tmp_path: Path) -> None:
    """Control: the child's hook does refuse a process, a shell and a write."""
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(tmp_path), "control"],
        capture_output=True,
        text=True,
        env=tool_env(PYTHONPATH=str(REPO)),
        timeout=60,
        check=False,
    )
    assert json.loads(child.stdout) == [
        "subprocess.Popen",
        "os.system",
        f"write {tmp_path / 'x'}",
    ]
