"""action.yml's composite steps, run in order by a simulated runner on a real project.

The runner does what GitHub's does for a composite action: GITHUB_ACTION_PATH,
GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and RUNNER_TEMP are set, `${{ inputs.* }}` is
substituted in each step's `env:` and `working-directory`, and `run:` goes to bash.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml
from helpers import REPO, run, tool_env, tree_hash, uv_bin
from uv_projects import make_base

pytestmark = pytest.mark.differential

ACTION = yaml.safe_load((REPO / "action.yml").read_text())
_EXPR = re.compile(r"\$\{\{\s*inputs\.([a-z-]+)\s*\}\}")


def _run_action(workspace: Path, runner_temp: Path, inputs: dict[str, str]) -> dict[str, object]:
    values = {k: str(v.get("default", "")) for k, v in ACTION["inputs"].items()}
    values.update(inputs)
    output = runner_temp / f"output-{len(list(runner_temp.glob('output-*')))}"
    summary = runner_temp / "summary.md"
    output.write_text("")
    base = tool_env(
        GITHUB_ACTION_PATH=str(REPO),
        GITHUB_OUTPUT=str(output),
        GITHUB_STEP_SUMMARY=str(summary),
        GITHUB_WORKSPACE=str(workspace),
        RUNNER_TEMP=str(runner_temp),
    )
    stdout = ""
    code = 0
    for step in ACTION["runs"]["steps"]:
        if (
            step["run"].startswith('bash "$GITHUB_ACTION_PATH/action/install.sh"')
            and (runner_temp / "driftcheck-venv" / "bin" / "driftcheck").exists()
        ):
            continue  # installed by an earlier run in this session
        env = dict(base)
        for key, value in (step.get("env") or {}).items():
            env[key] = _EXPR.sub(lambda m: values[m.group(1)], str(value))
        cwd = workspace / _EXPR.sub(
            lambda m: values[m.group(1)], step.get("working-directory", ".")
        )
        result = subprocess.run(
            ["bash", "-e", "-c", step["run"]],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        stdout += result.stdout
        code = result.returncode
        if code != 0:
            stdout += result.stderr
            break
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
    return {
        "code": code,
        "stdout": stdout,
        "outputs": outputs,
        "summary": summary.read_text() if summary.exists() else "",
    }


@pytest.fixture(scope="module")
def runner_temp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("runner-temp")


def test_no_input_is_interpolated_into_script_text() -> None:
    for step in ACTION["runs"]["steps"]:
        assert "${{" not in step["run"], step["run"]


def test_action_on_a_drifted_project(tmp_path: Path, runner_temp: Path) -> None:
    workspace = tmp_path / "workspace"
    project = make_base("app", workspace)
    run([uv_bin(), "venv", "-q", ".venv"], project)
    run([uv_bin(), "sync", "-q", "--frozen"], project)
    run([uv_bin(), "pip", "install", "-q", "attrs", "iniconfig==2.0.0"], project)
    run([uv_bin(), "pip", "uninstall", "-q", "typing_extensions"], project)
    before = tree_hash(project / ".venv")

    result = _run_action(workspace, runner_temp, {"working-directory": "app"})
    assert result["code"] == 1, result["stdout"]
    outputs = result["outputs"]
    assert outputs["drift"] == "true"
    assert (outputs["missing"], outputs["extraneous"], outputs["mismatched"]) == ("1", "1", "1")
    report = Path(str(outputs["report"]))
    assert report.is_file() and '"schema_version": 1' in report.read_text()

    lock_lines = (project / "uv.lock").read_text().splitlines()
    ini_line = lock_lines.index('name = "iniconfig"') + 1
    annotations = [
        line for line in str(result["stdout"]).splitlines() if line.startswith("::error")
    ]
    assert (
        f"::error file=app/uv.lock,line={ini_line},title=driftcheck%3A iniconfig is mismatched::"
        in "\n".join(annotations)
    )
    assert (
        "::error file=app/uv.lock,title=driftcheck%3A attrs is extraneous::attrs: installed, but not in the lockfile"
        in annotations
    )
    summary = str(result["summary"])
    assert summary.startswith("## driftcheck") and "| `typing-extensions` |" in summary
    assert "uv sync --frozen" in summary
    assert tree_hash(project / ".venv") == before, "the action changed the checked environment"

    # fail-on-drift false reports without failing; summary false writes none.
    (runner_temp / "summary.md").unlink()
    result = _run_action(
        workspace,
        runner_temp,
        {"working-directory": "app", "fail-on-drift": "false", "summary": "false"},
    )
    assert result["code"] == 0 and result["outputs"]["drift"] == "true" and result["summary"] == ""


def test_hostile_inputs_stay_arguments(tmp_path: Path, runner_temp: Path) -> None:
    workspace = tmp_path / "workspace"
    project = make_base("app", workspace)
    run([uv_bin(), "venv", "-q", ".venv"], project)
    run([uv_bin(), "sync", "-q", "--frozen"], project)
    result = _run_action(
        workspace,
        runner_temp,
        {
            "working-directory": "app",
            "extras": "$(touch pwned1) `touch pwned2`",
            "args": '"; touch pwned3; echo "',
            "allow": "*; touch pwned4",
        },
    )
    assert not list(project.glob("pwned*")) and not list(workspace.glob("pwned*"))
    assert result["code"] == 2, result["stdout"]
    assert "::error title=driftcheck::" in str(result["stdout"])
