"""``driftcheck why NAME`` on real uv projects: a forked lock, a marker-excluded package,
a group-only package, and a stray."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers import driftcheck, run, uv_bin
from uv_projects import make_base


@pytest.fixture(scope="module")
def bases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("why-bases")
    return {name: make_base(name, root) for name in ("app", "forked")}


def synced(bases: dict[str, Path], name: str, tmp_path: Path, *flags: str) -> Path:
    project = tmp_path / name
    shutil.copytree(bases[name], project)
    run([uv_bin(), "venv", "-q", "--python", sys.executable], project)
    run([uv_bin(), "sync", "-q", "--frozen", *flags], project)
    return project


def why(project: Path, name: str, *flags: str) -> dict[str, Any]:
    code, out, err = driftcheck(["why", name, "--json", "--project", str(project), *flags])
    assert (code, err) == (0, "")
    document: dict[str, Any] = json.loads(out)
    assert document["command"] == "why"
    return document


def test_forked_lock(bases: dict[str, Path], tmp_path: Path) -> None:
    """idna is locked twice, split by Python version: both forks shown, this one chosen."""
    project = synced(bases, "forked", tmp_path)
    answer = why(project, "idna")
    assert [v["version"] for v in answer["locked"]] == ["3.6", "3.7"]
    here = {v["version"]: v["resolution_markers_true"] for v in answer["locked"]}
    assert here == {"3.6": [True], "3.7": [False]}  # this test runs on 3.11
    assert answer["expected"] is True
    assert answer["required_by"] == ["forked", "idna"]
    edges = [path[-1] for path in answer["paths"]]
    assert {(e["marker"], e["marker_true"]) for e in edges} == {
        ("python_full_version < '3.12'", True),
        ("python_full_version >= '3.12'", False),
    }
    code, out, _ = driftcheck(["why", "idna", "--project", str(project)])
    assert code == 0
    assert out.splitlines()[0] == f"idna is locked at 3.6, 3.7 in {project / 'uv.lock'}"
    assert "expected here, through forked -> idna" in out


def test_marker_excluded_package(bases: dict[str, Path], tmp_path: Path) -> None:
    """tomli is wanted below Python 3.11 only: locked, on a path, and not expected here."""
    project = synced(bases, "app", tmp_path)
    answer = why(project, "tomli")
    assert answer["locked"] and answer["expected"] is False
    assert answer["installed"] == []
    assert [[(e["source"], e["target"], e["via"]) for e in p] for p in answer["paths"]] == [
        [("app", "tomli", None)]
    ]
    edge = answer["paths"][0][0]
    assert (edge["marker"], edge["marker_true"]) == ("python_full_version < '3.11'", False)
    _code, out, _ = driftcheck(["why", "tomli", "--project", str(project)])
    assert "  app -[python_full_version < '3.11': false]-> tomli" in out
    assert "not expected here with these flags" in out
    assert out.splitlines()[-1] == "not installed"


def test_group_only_package_installed_by_hand(bases: dict[str, Path], tmp_path: Path) -> None:
    """idna is in the docs group (not a default one): installed by hand, why says which
    group would select it, and who installed it."""
    project = synced(bases, "app", tmp_path)
    run([uv_bin(), "pip", "install", "-q", "idna"], project)
    answer = why(project, "idna")
    assert answer["expected"] is False
    assert [[(e["source"], e["via"]) for e in p] for p in answer["paths"]] == [
        [("app", "group docs")]
    ]
    assert answer["would_select"] == ["--group docs"]
    assert answer["installed"][0]["installer"] == "uv"
    _code, out, _ = driftcheck(["why", "idna", "--project", str(project)])
    assert out.splitlines()[-1] == "it would be selected by: --group docs"


def test_not_locked_at_all(bases: dict[str, Path], tmp_path: Path) -> None:
    project = synced(bases, "app", tmp_path)
    run([uv_bin(), "pip", "install", "-q", "attrs"], project)
    code, out, _ = driftcheck(["why", "attrs", "--project", str(project)])
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"attrs is not in {project / 'uv.lock'}"
    assert lines[-2].startswith("installed: ") and lines[-2].endswith(", installer uv)")
    assert lines[-1] == "nothing in the lock selects it"


def test_other_formats_get_the_generic_answer(tmp_path: Path) -> None:
    from fakes import make_venv

    (tmp_path / "requirements.txt").write_text("six==1.17.0\nidna==3.10\n")
    make_venv(tmp_path, {"six": "1.17.0"})
    args = ["--project", str(tmp_path), "--lockfile", "requirements.txt"]
    code, out, _ = driftcheck(["why", "idna", *args])
    assert code == 0
    assert out.splitlines() == [
        f"idna is locked at 3.10 in {tmp_path / 'requirements.txt'}",
        "expected here, through idna",
        "not installed",
    ]
    code, out, err = driftcheck(["why", "idna", "--output-format", "sarif", *args])
    assert (code, out, err) == (2, "", "driftcheck: error: why prints text or json\n")
