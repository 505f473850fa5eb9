"""Many projects in one call: a monorepo of real uv projects, one drifted."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import jsonschema
import pytest
from helpers import REPO, driftcheck, run, uv_bin

SCHEMA_V1 = json.loads((REPO / "docs" / "schema" / "report-v1.json").read_text())
SCHEMA_V2 = json.loads((REPO / "docs" / "schema" / "report-v2.json").read_text())


@pytest.fixture(scope="module")
def monorepo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("mono")
    (root / "pyproject.toml").write_text('[tool.driftcheck]\nprojects = ["services/*"]\n')
    for name, deps in (("api", '"six"'), ("worker", '"idna"'), ("web", "")):
        project = root / "services" / name
        project.mkdir(parents=True)
        (project / "pyproject.toml").write_text(
            f'[project]\nname = "{name}"\nversion = "0"\nrequires-python = ">=3.10"\n'
            f"dependencies = [{deps}]\n\n[tool.uv]\npackage = false\n"
        )
        run([uv_bin(), "sync", "-q", "--python", sys.executable], project)
    run([uv_bin(), "pip", "install", "-q", "attrs"], root / "services" / "worker")  # the drift
    return root


def test_three_projects_one_drifted(monorepo: Path) -> None:
    dirs = [str(monorepo / "services" / n) for n in ("api", "worker", "web")]
    code, out, err = driftcheck(["check", *dirs])
    assert (code, err) == (1, "")
    lines = out.splitlines()
    assert [line for line in lines if line.startswith("== ")] == [f"== {d} ==" for d in dirs]
    assert lines[-1] == f"driftcheck: 3 projects checked; drift in {dirs[1]}"
    assert [line for line in lines if "does not match" in line] == [
        f"driftcheck: {dirs[1]}/.venv does not match uv.lock (uv.lock): 1 extraneous"
    ]
    assert f"hint: run `uv sync --frozen --project {dirs[1]}` to restore sync" in lines


def test_json_v2_lists_each_project_in_order(monorepo: Path) -> None:
    dirs = [str(monorepo / "services" / n) for n in ("web", "api", "worker")]
    code, out, _ = driftcheck(["check", "--json", *dirs])
    assert code == 1
    document = json.loads(out)
    jsonschema.validate(document, SCHEMA_V2)
    assert [p["project"] for p in document["projects"]] == dirs
    assert [p["report"]["drift"] for p in document["projects"]] == [False, False, True]
    for project in document["projects"]:
        jsonschema.validate(project["report"], SCHEMA_V1)
    again = driftcheck(["check", "--json", *dirs])[1]
    assert again == out  # concurrent, and still deterministic


def test_projects_from_config_glob(monorepo: Path) -> None:
    code, out, err = driftcheck(["--json"], cwd=monorepo)
    assert (code, err) == (1, "")
    document = json.loads(out)
    names = [Path(p["project"]).name for p in document["projects"]]
    assert names == ["api", "web", "worker"]  # sorted glob matches
    assert [Path(p["project"]).name for p in document["projects"] if p["report"]["drift"]] == [
        "worker"
    ]


def test_a_broken_project_is_an_error_in_its_section(monorepo: Path, tmp_path: Path) -> None:
    code, out, err = driftcheck(["check", str(monorepo / "services" / "api"), str(tmp_path)])
    assert code == 2
    assert err.startswith("driftcheck: error: ") and err.count("\n") == 1
    assert "errors in" in out.splitlines()[-1]


def test_every_format_renders_many(monorepo: Path) -> None:
    dirs = [str(monorepo / "services" / n) for n in ("api", "worker")]
    for fmt in ("text", "github", "markdown", "sarif"):
        code, out, err = driftcheck(["check", "--output-format", fmt, *dirs])
        assert (code, err) == (1, ""), fmt
        assert "attrs" in out
    sarif = json.loads(driftcheck(["check", "--output-format", "sarif", *dirs])[1])
    assert len(sarif["runs"]) == 2
