"""Broken environments are findings (or one-line exit 2), never a traceback.

One test per kind of damage people's venvs really show. Each asserts the finding's
kind and that its reason names the entry on disk.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
from fakes import add_dist, make_project, site_packages
from helpers import driftcheck, driftcheck_json, run, uv_bin

FORMATS = ("text", "json", "github", "markdown", "sarif")


def findings(project: Path, *args: str) -> dict[str, tuple[str, str]]:
    code, report, err = driftcheck_json(["--project", str(project), *args])
    assert report is not None, err
    assert code == (1 if report["drift"] else 0)
    return {f["name"]: (f["kind"], f["reason"]) for f in report["findings"]}


def every_format_works(project: Path) -> None:
    for fmt in FORMATS:
        code, out, err = driftcheck(["--output-format", fmt, "--project", str(project)])
        assert code == 1 and err == "", (fmt, err)
        assert out


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "p", {"six": "1.17.0"}, {"six": "1.17.0"})


def test_two_dist_infos_for_one_name(project: Path) -> None:
    add_dist(site_packages(project / ".venv"), "six", "1.16.0")
    kind, reason = findings(project)["six"]
    assert kind == "mismatched"
    assert reason.startswith(
        "2 installations of one package: six-1.16.0.dist-info, six-1.17.0.dist-info"
    )


def test_broken_symlink_dist_info(project: Path) -> None:
    site = site_packages(project / ".venv")
    shutil.rmtree(site / "six-1.17.0.dist-info")
    (site / "six-1.17.0.dist-info").symlink_to(project / "gone")
    assert findings(project)["six"] == (
        "mismatched",
        "six-1.17.0.dist-info is a broken symlink; uv would reinstall it",
    )
    (site / "attrs-1.0.dist-info").symlink_to(project / "gone-too")
    assert findings(project)["attrs"] == (
        "extraneous",
        "installed, but not in the lockfile (attrs-1.0.dist-info is a broken symlink)",
    )
    every_format_works(project)


def test_dist_info_that_is_a_file(project: Path) -> None:
    site = site_packages(project / ".venv")
    shutil.rmtree(site / "six-1.17.0.dist-info")
    (site / "six-1.17.0.dist-info").write_text("")
    assert findings(project)["six"] == (
        "mismatched",
        "six-1.17.0.dist-info is a file, not a directory; uv would reinstall it",
    )


@pytest.mark.skipif(sys.platform != "linux", reason="needs a file system that stores raw bytes")
def test_non_utf8_name(project: Path) -> None:
    site = site_packages(project / ".venv")
    os.mkdir(os.fsencode(site) + b"/caf\xe9-1.0.dist-info")  # noqa: PTH102 (bytes)
    assert findings(project)["caf-xe9"] == (
        "extraneous",
        "installed, but not in the lockfile (caf\\xe9-1.0.dist-info: its name is not valid UTF-8)",
    )
    every_format_works(project)
    out = project / "report.txt"
    assert driftcheck(["-o", str(out), "--project", str(project)])[0] == 1
    assert "caf\\xe9" in out.read_text()


def test_invalid_version_in_folder_name(project: Path) -> None:
    site = site_packages(project / ".venv")
    (site / "six-1.17.0.dist-info").rename(site / "six-not.a.version.dist-info")
    assert findings(project)["six"] == (
        "mismatched",
        "invalid version 'not.a.version' in six-not.a.version.dist-info, 1.17.0 locked; "
        "uv would reinstall it",
    )


def test_unreadable_direct_url_json(project: Path) -> None:
    """An entry inside the dist-info that cannot be read (here a directory; chmod 000
    does the same for a non-root user) is a finding with the file named."""
    site = site_packages(project / ".venv")
    (site / "six-1.17.0.dist-info" / "direct_url.json").mkdir()
    kind, reason = findings(project)["six"]
    assert kind == "mismatched"
    assert reason.startswith("cannot read direct_url.json: Is a directory")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads through chmod 000")
def test_unreadable_dist_info(project: Path) -> None:
    info = site_packages(project / ".venv") / "six-1.17.0.dist-info"
    info.chmod(0)
    try:
        kind, reason = findings(project)["six"]
    finally:
        info.chmod(0o755)
    assert kind == "mismatched"
    assert reason.startswith("cannot read direct_url.json: Permission denied")


def test_invalid_direct_url_json(project: Path) -> None:
    info = site_packages(project / ".venv") / "six-1.17.0.dist-info"
    (info / "direct_url.json").write_text("{not json")
    kind, reason = findings(project)["six"]
    assert kind == "mismatched"
    assert reason.startswith("invalid direct_url.json: ")


def test_egg_link_develop_install(project: Path, tmp_path: Path) -> None:
    source = tmp_path / "src" / "legacy"
    (source / "legacy.egg-info").mkdir(parents=True)
    (source / "legacy.egg-info" / "PKG-INFO").write_text("Name: legacy\nVersion: 0.3\n")
    site = site_packages(project / ".venv")
    (site / "legacy.egg-link").write_text(f"{source}\n.\n")
    (site / "dangling.egg-link").write_text(f"{tmp_path / 'nowhere'}\n.\n")
    found = findings(project)
    assert found["legacy"] == ("extraneous", "installed, but not in the lockfile")
    assert found["dangling"][1].endswith(
        f"(dangling.egg-link points to {tmp_path / 'nowhere'}, which has no egg-info)"
    )
    _code, report, _ = driftcheck_json(["--project", str(project)])
    legacy = next(f for f in report["findings"] if f["name"] == "legacy")
    assert legacy["installed"]["version"] == "0.3"


def test_egg_link_for_a_locked_package(project: Path, tmp_path: Path) -> None:
    site = site_packages(project / ".venv")
    shutil.rmtree(site / "six-1.17.0.dist-info")
    (tmp_path / "six-src" / "six.egg-info").mkdir(parents=True)
    (tmp_path / "six-src" / "six.egg-info" / "PKG-INFO").write_text("Name: six\nVersion: 1.17.0\n")
    (site / "six.egg-link").write_text(f"{tmp_path / 'six-src'}\n.\n")
    assert findings(project)["six"] == (
        "mismatched",
        "installed as a legacy egg-link (six.egg-link); uv would reinstall it",
    )


def test_site_packages_missing(project: Path) -> None:
    shutil.rmtree(site_packages(project / ".venv"))
    code, out, err = driftcheck(["--project", str(project)])
    assert (code, out) == (2, "")
    assert (
        err
        == f"driftcheck: error: {project / '.venv'}: no site-packages directory found in this venv\n"
    )


def test_supported_markers_excluding_this_platform_agrees_with_uv(tmp_path: Path) -> None:
    """uv refuses such a lock (exit 2); so does driftcheck, naming the markers."""
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "sm"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n'
        'dependencies = ["six"]\n\n[tool.uv]\npackage = false\n'
        "environments = [\"sys_platform == 'plan9'\"]\n"
    )
    run([uv_bin(), "lock", "-q", "--python", sys.executable], tmp_path)
    run([uv_bin(), "venv", "-q", "--python", sys.executable], tmp_path)
    uv = run([uv_bin(), "sync", "--check", "--frozen"], tmp_path, check=False)
    assert uv.returncode == 2 and "supported environments" in uv.stderr
    code, out, err = driftcheck(["--project", str(tmp_path)])
    assert (code, out) == (2, "")
    assert err.startswith(f"driftcheck: error: {tmp_path / 'uv.lock'}:7: ")
    assert err.endswith(
        "this platform is not one of the lock's supported environments: "
        "`sys_platform == 'plan9'` (at 'supported-markers')\n"
    )
