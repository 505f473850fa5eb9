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
from fakes import add_dist, site_packages
from helpers import driftcheck, driftcheck_json, run, uv_bin, uv_verdict

FORMATS = ("text", "json", "github", "markdown", "sarif")

PYPROJECT = (
    '[project]\nname = "demo"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n'
    'dependencies = ["six==1.17.0", "idna==3.10"]\n\n[tool.uv]\npackage = false\n'
)


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("broken") / "base"
    root.mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT)
    run([uv_bin(), "sync", "-q", "--python", sys.executable], root)
    return root


@pytest.fixture
def project(synced: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "demo"
    shutil.copytree(synced, copy, symlinks=True)
    return copy


def site(project: Path) -> Path:
    return site_packages(project / ".venv")


def findings(project: Path, *args: str) -> dict[str, tuple[str, str]]:
    code, report, err = driftcheck_json(["--project", str(project), *args])
    assert report is not None, err
    assert code == (1 if report["drift"] else 0)
    return {f["name"]: (f["kind"], f["reason"]) for f in report["findings"]}


def agrees_with_uv(project: Path) -> dict[str, tuple[str, str]]:
    """driftcheck's verdict (exit code, names and kinds) equals uv's; returns findings."""
    uv_code, uv_kinds, uv_err = uv_verdict(project, [])
    code, report, err = driftcheck_json(["--project", str(project)])
    assert code == uv_code, (uv_err, err)
    if code == 2:
        return {}
    assert report is not None
    assert {f["name"]: f["kind"] for f in report["findings"]} == uv_kinds, uv_err
    return {f["name"]: (f["kind"], f["reason"]) for f in report["findings"]}


def every_format_works(project: Path, *args: str) -> None:
    for fmt in FORMATS:
        code, out, err = driftcheck(["--output-format", fmt, "--project", str(project), *args])
        assert code == 1 and err == "", (fmt, err)
        assert out


def test_two_dist_infos_for_one_name(project: Path) -> None:
    add_dist(site(project), "six", "1.16.0")
    kind, reason = findings(project)["six"]
    assert kind == "mismatched"
    assert reason.startswith(
        "2 installations of one package: six-1.16.0.dist-info, six-1.17.0.dist-info"
    )


def test_broken_symlink_dist_info(project: Path) -> None:
    """uv skips the entry: a locked package behind it is missing, an unlocked one unseen."""
    shutil.rmtree(site(project) / "six-1.17.0.dist-info")
    (site(project) / "six-1.17.0.dist-info").symlink_to(project / "gone")
    (site(project) / "attrs-1.0.dist-info").symlink_to(project / "gone-too")
    assert agrees_with_uv(project) == {
        "six": (
            "missing",
            "locked 1.17.0 (registry) but not installed (six-1.17.0.dist-info is a broken symlink)",
        )
    }
    assert findings(project, "--verify-files")["attrs"] == (
        "modified",
        "attrs-1.0.dist-info is a broken symlink",
    )
    every_format_works(project, "--verify-files")


def test_dist_info_that_is_a_file(project: Path) -> None:
    shutil.rmtree(site(project) / "six-1.17.0.dist-info")
    (site(project) / "six-1.17.0.dist-info").write_text("")
    assert agrees_with_uv(project)["six"] == (
        "missing",
        "locked 1.17.0 (registry) but not installed (six-1.17.0.dist-info is a file, not a directory)",
    )


@pytest.mark.skipif(sys.platform != "linux", reason="needs a file system that stores raw bytes")
def test_non_utf8_name(project: Path) -> None:
    os.mkdir(os.fsencode(site(project)) + b"/caf\xe9-1.0.dist-info")  # noqa: PTH102 (bytes)
    assert agrees_with_uv(project) == {}  # uv skips it too
    assert findings(project, "--verify-files")["caf-xe9"] == (
        "modified",
        "caf\\xe9-1.0.dist-info: its name is not valid UTF-8",
    )
    every_format_works(project, "--verify-files")
    out = project / "report.txt"
    assert driftcheck(["-o", str(out), "--verify-files", "--project", str(project)])[0] == 1
    assert "caf\\xe9" in out.read_text()


def test_invalid_version_in_folder_name(project: Path) -> None:
    """uv cannot read such an environment (exit 2); neither can driftcheck, and says where."""
    bad = site(project) / "idna-not.a.version.dist-info"
    next(site(project).glob("idna-*.dist-info")).rename(bad)
    assert agrees_with_uv(project) == {}
    code, out, err = driftcheck(["--project", str(project)])
    assert (code, out) == (2, "")
    assert err == (
        f"driftcheck: error: {bad}: invalid version 'not.a.version' in the folder name "
        "(uv cannot read this environment either); remove or reinstall it\n"
    )


def test_missing_metadata_and_record_pass_uv_and_fail_verify_files(project: Path) -> None:
    """uv reads folder names only, so it passes these; --verify-files is the stricter check."""
    (next(site(project).glob("six-*.dist-info")) / "METADATA").unlink()
    (next(site(project).glob("idna-*.dist-info")) / "RECORD").unlink()
    assert agrees_with_uv(project) == {}
    found = findings(project, "--verify-files")
    assert found["six"] == (
        "modified",
        "has no readable METADATA; 1 file(s) differ from RECORD: "
        "six-1.17.0.dist-info/METADATA (missing)",
    )
    assert found["idna"] == ("modified", "has no RECORD, so its files cannot be verified")


def test_unreadable_direct_url_json(project: Path) -> None:
    """An entry inside the dist-info that cannot be read (here a directory; chmod 000
    does the same for a non-root user) is a finding with the file named."""
    (site(project) / "six-1.17.0.dist-info" / "direct_url.json").mkdir()
    kind, reason = findings(project)["six"]
    assert kind == "mismatched"
    assert reason.startswith("direct_url.json is a directory, not a regular file")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads through chmod 000")
def test_unreadable_dist_info(project: Path) -> None:
    info = site(project) / "six-1.17.0.dist-info"
    info.chmod(0)
    try:
        kind, reason = findings(project)["six"]
    finally:
        info.chmod(0o755)
    assert kind == "mismatched"
    assert reason.startswith("direct_url.json cannot be read: Permission denied")


def test_permission_denied_inside_a_dist_info(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same, as root sees it: the OS answers EACCES (simulated where driftcheck opens
    files, since root reads through chmod 000), for the default check and --verify-files."""
    import driftcheck.files

    real_open = driftcheck.files._open
    info = str(site(project) / "six-1.17.0.dist-info")
    Path(info, "direct_url.json").write_text("{}")  # there, but the OS refuses to open it

    def denied(path: str, no_follow: bool) -> int:
        if path.startswith(info):
            raise driftcheck.files.Unreadable("cannot be read: Permission denied")
        return real_open(path, no_follow)

    monkeypatch.setattr(driftcheck.files, "_open", denied)
    assert findings(project)["six"] == (
        "mismatched",
        "direct_url.json cannot be read: Permission denied",
    )
    kind, reason = findings(project, "--verify-files")["six"]
    assert kind == "modified"
    assert "RECORD cannot be read: Permission denied" in reason


def test_invalid_direct_url_json(project: Path) -> None:
    (site(project) / "six-1.17.0.dist-info" / "direct_url.json").write_text("{not json")
    kind, reason = findings(project)["six"]
    assert kind == "mismatched"
    assert reason.startswith("invalid direct_url.json: ")


def test_egg_link_develop_install(project: Path, tmp_path: Path) -> None:
    source = tmp_path / "src" / "legacy"
    (source / "legacy.egg-info").mkdir(parents=True)
    (source / "legacy.egg-info" / "PKG-INFO").write_text("Name: legacy\nVersion: 0.3\n")
    (site(project) / "legacy.egg-link").write_text(f"{source}\n.\n")
    assert agrees_with_uv(project) == {
        "legacy": ("extraneous", "installed, but not in the lockfile")
    }
    _code, report, _ = driftcheck_json(["--project", str(project)])
    assert report is not None
    assert report["findings"][0]["installed"]["version"] == "0.3"
    (site(project) / "dangling.egg-link").write_text(f"{tmp_path / 'nowhere'}\n.\n")
    assert findings(project, "--verify-files")["dangling"] == (
        "modified",
        f"dangling.egg-link points to {tmp_path / 'nowhere'}, which has no egg-info",
    )


def test_site_packages_missing(project: Path) -> None:
    """site-packages (or all of lib/) gone: uv would install everything into it."""
    shutil.rmtree(site(project))
    assert agrees_with_uv(project) == {
        "idna": ("missing", "locked 3.10 (registry) but not installed"),
        "six": ("missing", "locked 1.17.0 (registry) but not installed"),
    }
    shutil.rmtree(project / ".venv" / "lib")
    assert set(agrees_with_uv(project)) == {"idna", "six"}


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
