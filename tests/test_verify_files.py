"""``--verify-files``: installed files against RECORD, on venvs real installers wrote.

uv writes RECORD with a hash for every file; pip also lists the ``.pyc`` files it
compiles, without hashes, and the RECORD itself. A fresh install of either must verify
clean; a hand-edited, deleted or added file must be named.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from helpers import driftcheck, driftcheck_json, pip_index_url, run, tree_hash, uv_bin

PYPROJECT = """\
[project]
name = "demo"
version = "0.1.0"
requires-python = ">=3.10"
dependencies = ["six==1.17.0", "attrs==25.3.0"]

[tool.uv]
package = false
"""


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project synced by real uv, locked once per module."""
    root = tmp_path_factory.mktemp("verify") / "base"
    root.mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT)
    run([uv_bin(), "sync", "-q", "--python", sys.executable], root)
    return root


@pytest.fixture
def project(synced: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "demo"
    shutil.copytree(synced, copy, symlinks=True)
    return copy


def site_packages(project: Path) -> Path:
    return next((project / ".venv").glob("lib/python*/site-packages"))


def modified(project: Path) -> dict[str, list[dict[str, str]]]:
    _code, report, _ = driftcheck_json(["--verify-files", "--project", str(project)])
    assert report is not None
    return {f["name"]: f.get("files", []) for f in report["findings"] if f["kind"] == "modified"}


def test_fresh_uv_sync_verifies_clean(project: Path) -> None:
    code, out, err = driftcheck(["--verify-files", "--project", str(project)])
    assert (code, err) == (0, ""), out
    assert modified(project) == {}


def test_fresh_pip_install_with_unhashed_pyc_entries_verifies_clean(tmp_path: Path) -> None:
    """pip compiles .pyc files and lists them (and RECORD) in RECORD without hashes."""
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    run([uv_bin(), "lock", "-q", "--python", sys.executable], tmp_path)
    run([sys.executable, "-m", "venv", str(tmp_path / ".venv")], tmp_path)
    pip = [str(tmp_path / ".venv" / "bin" / "python"), "-m", "pip"]
    run([*pip, "install", "-q", "-i", pip_index_url(), "six==1.17.0", "attrs==25.3.0"], tmp_path)
    record = next(site_packages(tmp_path).glob("attrs-*.dist-info")) / "RECORD"
    text = record.read_text()
    assert ".pyc," in text and "RECORD,," in text.replace("\r", "")  # the case under test
    assert modified(tmp_path) == {}


def test_edited_and_deleted_files_are_named(project: Path) -> None:
    site = site_packages(project)
    (site / "six.py").write_text((site / "six.py").read_text() + "\n# edited\n")
    (site / "attr" / "validators.py").unlink()
    found = modified(project)
    assert found == {
        "attrs": [{"path": "attr/validators.py", "status": "missing"}],
        "six": [{"path": "six.py", "status": "changed"}],
    }
    code, out, _ = driftcheck(["--verify-files", "--project", str(project)])
    assert code == 1
    assert " ! six==1.17.0: 1 file(s) differ from RECORD: six.py (changed)" in out
    assert "attr/validators.py (missing)" in out


def test_same_size_edit_is_caught_by_the_hash(project: Path) -> None:
    path = site_packages(project) / "six.py"
    data = path.read_bytes()
    path.write_bytes(data.replace(b"import", b"IMPORT", 1))
    assert modified(project) == {"six": [{"path": "six.py", "status": "changed"}]}


def test_added_files_inside_the_package_are_named(project: Path) -> None:
    site = site_packages(project)
    (site / "attr" / "backdoor.py").write_text("x = 1\n")
    (site / "attr" / "extra").mkdir()
    (site / "attr" / "extra" / "data.txt").write_text("x\n")
    (site / "attr" / "__pycache__").mkdir(exist_ok=True)
    (site / "attr" / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"\0")  # Python's own
    assert modified(project) == {
        "attrs": [
            {"path": "attr/backdoor.py", "status": "added"},
            {"path": "attr/extra/", "status": "added"},
        ]
    }


def test_missing_record_and_foreign_metadata_are_findings(project: Path) -> None:
    site = site_packages(project)
    six = next(site.glob("six-*.dist-info"))
    (six / "RECORD").unlink()
    attrs = next(site.glob("attrs-*.dist-info"))
    metadata = attrs / "METADATA"
    metadata.write_text(metadata.read_text().replace("Name: attrs", "Name: other", 1))
    code, report, _ = driftcheck_json(["--verify-files", "--project", str(project)])
    reasons = {f["name"]: f["reason"] for f in report["findings"] if f["kind"] == "modified"}
    assert reasons["six"] == "has no RECORD, so its files cannot be verified"
    assert reasons["attrs"].startswith("METADATA names 'other', but its folder is attrs-25.3.0")
    assert report["summary"]["modified"] == 2
    assert code == 1


def test_without_the_flag_the_document_is_unchanged(project: Path) -> None:
    (site_packages(project) / "six.py").write_text("# edited\n")
    code, report, _ = driftcheck_json(["--project", str(project)])
    assert code == 0
    assert "modified" not in report["summary"]


def test_verify_files_writes_nothing(project: Path) -> None:
    (site_packages(project) / "six.py").write_text("# edited\n")
    before = tree_hash(project)
    for fmt in ("text", "json", "github", "markdown", "sarif"):
        code, _, err = driftcheck(
            ["--verify-files", "--output-format", fmt, "--project", str(project)]
        )
        assert code == 1, err
    assert tree_hash(project) == before
    assert not list(project.rglob("__pycache__"))
