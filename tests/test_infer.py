"""``driftcheck infer``: recover the extras and groups real uv synced an environment with."""

from __future__ import annotations

import json
import random
import shutil
import sys
import time
from pathlib import Path

import pytest
from fakes import make_project
from helpers import driftcheck, driftcheck_json, run, uv_bin

# Four extras and three groups, each with a dependency of its own (so each is visible).
EXTRAS = {"crypto": "six", "net": "idna", "cfg": "iniconfig", "plug": "pluggy"}
GROUPS = {"dev": "itsdangerous", "lint": "tomli-w", "docs": "markupsafe"}
PYPROJECT = f"""\
[project]
name = "multi"
version = "0.1.0"
requires-python = ">=3.10"
dependencies = ["certifi"]

[project.optional-dependencies]
{chr(10).join(f'{e} = ["{d}"]' for e, d in EXTRAS.items())}

[dependency-groups]
{chr(10).join(f'{g} = ["{d}"]' for g, d in GROUPS.items())}

[tool.uv]
package = false
"""
OPTIONS = [("extra", e) for e in EXTRAS] + [("group", g) for g in GROUPS]


def sync_flags(chosen: list[tuple[str, str]]) -> list[str]:
    """How a person would sync exactly ``chosen`` (dev is a default group)."""
    flags = [f"--extra={v}" for k, v in chosen if k == "extra"]
    groups = [v for k, v in chosen if k == "group"]
    if "dev" not in groups:
        flags.append("--no-dev")
    flags += [f"--group={g}" for g in groups if g != "dev"]
    return flags


def subsets() -> list[list[tuple[str, str]]]:
    rng = random.Random(7)
    return [sorted(rng.sample(OPTIONS, rng.randint(3, 6))) for _ in range(8)]


@pytest.fixture(scope="module")
def locked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("infer") / "multi"
    root.mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT)
    run([uv_bin(), "lock", "-q", "--python", sys.executable], root)
    return root


@pytest.mark.parametrize("chosen", subsets(), ids=lambda c: "+".join(v for _, v in c))
def test_infer_recovers_the_synced_selection(
    locked: Path, tmp_path: Path, chosen: list[tuple[str, str]]
) -> None:
    project = tmp_path / "multi"
    shutil.copytree(locked, project)
    run([uv_bin(), "venv", "-q", "--python", sys.executable], project)
    run([uv_bin(), "sync", "-q", "--frozen", *sync_flags(chosen)], project)

    code, out, err = driftcheck(["infer", "--json", "--project", str(project)])
    assert (code, err) == (0, "")
    document = json.loads(out)
    selection = document["report"]["selection"]
    assert sorted(selection["extras"]) == sorted(v for k, v in chosen if k == "extra")
    groups = {v for k, v in chosen if k == "group"}
    assert (
        set(selection["groups"]) | ({"dev"} if not selection["no_default_groups"] else set())
        == groups
    )
    assert document["report"]["findings"] == []
    assert document["exhaustive"] is True

    # The same as a check: no drift, and the inferred selection named in the report.
    code, report, _ = driftcheck_json(["--selection", "infer", "--project", str(project)])
    assert code == 0 and report is not None
    assert report["selection"]["inferred"] == " ".join(document["flags"])
    # Without it, the plain check sees the extras and groups as drift (uv does too).
    plain, _, _ = driftcheck(["--project", str(project)])
    assert plain == 1


def test_text_output_names_the_uv_command(locked: Path, tmp_path: Path) -> None:
    project = tmp_path / "multi"
    shutil.copytree(locked, project)
    run([uv_bin(), "venv", "-q", "--python", sys.executable], project)
    run([uv_bin(), "sync", "-q", "--frozen", "--extra=net", "--group=docs"], project)
    code, out, _ = driftcheck(["infer", "--project", str(project)])
    assert code == 0
    assert out.splitlines()[0].endswith(
        "was synced with: uv sync --frozen --extra net --group docs"
    )
    # The printed command, run as printed, is a no-op: the env already matches it.
    command = out.splitlines()[0].split("was synced with: ", 1)[1].split()
    run([uv_bin(), *command[1:], "--check"], project)


def test_twenty_extras_use_the_greedy_search(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    extras = {f"x{i:02d}": {f"dep-{i:02d}": "1.0"} for i in range(20)}
    synced = ["x03", "x07", "x11", "x19"]
    installed = {"six": "1.17.0"} | {f"dep-{x[1:]}": "1.0" for x in synced}
    project = make_project(tmp_path / "p", {"six": "1.17.0"}, installed, extras=extras)
    start = time.perf_counter()
    code, out, err = driftcheck(["infer", "--json", "--project", str(project)])
    elapsed = time.perf_counter() - start
    assert (code, err) == (0, "")
    document = json.loads(out)
    assert document["exhaustive"] is False and document["options"] == 20
    assert document["report"]["selection"]["extras"] == synced
    with capsys.disabled():
        print(
            f"\n[infer] 20 extras: {elapsed * 1000:.0f} ms, {document['selections_checked']} exact checks"
        )


def test_infer_is_for_uv_locks(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("six==1.17.0\n")
    make_project(tmp_path / "p", {}, {})
    (tmp_path / "p" / "uv.lock").unlink()
    (tmp_path / "p" / "requirements.txt").write_text("six==1.17.0\n")
    code, out, err = driftcheck(
        ["infer", "--project", str(tmp_path / "p"), "--lockfile", "requirements.txt"]
    )
    assert (code, out) == (2, "")
    assert err.endswith("infer reads uv.lock only (this is a requirements.txt)\n")
