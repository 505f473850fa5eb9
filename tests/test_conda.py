"""conda-lock.yml: pip packages against dist-info, conda packages against conda-meta.

No conda runs here, so these tests build the environment by hand from a real-shaped
conda-lock file: a prefix with ``conda-meta/*.json`` records (as conda writes them)
and a site-packages whose conda-installed dist-infos say ``INSTALLER = conda``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from fakes import add_dist
from helpers import REPO, driftcheck, driftcheck_json, finding_kinds
from hypothesis import event, given
from hypothesis import strategies as st

from driftcheck.lockfiles.conda import conda_platform

LOCK = (
    (REPO / "tests" / "data" / "conda-lock.yml").read_text().replace("linux-64", conda_platform())
)

RECORDS = {
    "python": ("3.11.7", "hab00c5b_1_cpython"),
    "openssl": ("3.2.0", "hd590300_1"),
    "requests": ("2.31.0", "pyhd8ed1ab_0"),
}


def _record(prefix: Path, name: str, version: str, build: str) -> Path:
    path = prefix / "conda-meta" / f"{name}-{version}-{build}.json"
    path.write_text(
        json.dumps({"name": name, "version": version, "build": build, "channel": "conda-forge"})
    )
    return path


@pytest.fixture
def env(tmp_path: Path) -> Path:
    prefix = tmp_path / "env"
    (prefix / "conda-meta").mkdir(parents=True)
    site = prefix / "lib" / "python3.11" / "site-packages"
    site.mkdir(parents=True)
    for name, (version, build) in RECORDS.items():
        _record(prefix, name, version, build)
    add_dist(site, "requests", "2.31.0", installer="conda")  # conda's, judged on the conda side
    add_dist(site, "six", "1.16.0", installer="pip")
    add_dist(site, "typing_extensions", "4.9.0", installer="pip")
    (tmp_path / "conda-lock.yml").write_text(LOCK)
    return prefix


def check(env: Path, *args: str) -> tuple[int, dict[str, str]]:
    code, report, err = driftcheck_json(["--project", str(env.parent), "--python", str(env), *args])
    assert report is not None, err
    return code, finding_kinds(report)


def test_in_sync(env: Path) -> None:
    code, report, _ = driftcheck_json(["--project", str(env.parent), "--python", str(env)])
    assert (code, finding_kinds(report)) == (0, {})
    assert report is not None and report["environment"]["python"] == "3.11.7"
    assert report["lockfile"]["format"] == "conda-lock.yml"


def test_conda_package_missing(env: Path) -> None:
    next((env / "conda-meta").glob("openssl-*.json")).unlink()
    assert check(env) == (1, {"openssl": "missing"})


def test_conda_package_other_version_or_build(env: Path) -> None:
    next((env / "conda-meta").glob("openssl-*.json")).unlink()
    _record(env, "openssl", "3.2.0", "hd590300_0")
    assert check(env) == (1, {"openssl": "mismatched"})


def test_conda_package_extraneous(env: Path) -> None:
    _record(env, "zlib", "1.3", "h4ab18f5_1")
    assert check(env) == (1, {"zlib": "extraneous"})


def test_pip_package_missing_and_stray(env: Path) -> None:
    site = env / "lib" / "python3.11" / "site-packages"
    next(site.glob("six-*.dist-info")).rename(site / "gone")
    add_dist(site, "attrs", "23.2.0", installer="pip")
    assert check(env) == (1, {"six": "missing", "attrs": "extraneous"})


def test_pip_package_wrong_version(env: Path) -> None:
    site = env / "lib" / "python3.11" / "site-packages"
    next(site.glob("typing_extensions-*.dist-info")).rename(
        site / "typing_extensions-4.8.0.dist-info"
    )
    assert check(env) == (1, {"typing-extensions": "mismatched"})


def test_optional_category_by_extra(env: Path) -> None:
    assert check(env, "--extra", "test") == (1, {"pytest": "missing"})
    _record(env, "pytest", "8.0.0", "pyhd8ed1ab_0")
    assert check(env, "--extra", "test") == (0, {})
    assert check(env) == (1, {"pytest": "extraneous"})


def test_platform_absent_from_lock(env: Path) -> None:
    (env.parent / "conda-lock.yml").write_text(LOCK.replace(conda_platform(), "win-32"))
    code, _, err = driftcheck(["--project", str(env.parent), "--python", str(env)])
    assert code == 2
    assert (
        f"no packages for this platform ({conda_platform()}); the lock has osx-arm64, win-32" in err
    )


BAD = [
    (
        "version: [\n",
        "conda-lock.yml:2: invalid YAML: expected the node content, but found '<stream end>'",
    ),
    ("- a\n- b\n", "conda-lock.yml: not a conda-lock file (no mapping at the top)"),
    (
        "version: 2\npackage: []\n",
        "conda-lock.yml: unsupported version 2; driftcheck reads conda-lock version 1 (at 'version')",
    ),
    ("version: 1\npackage: {}\n", "conda-lock.yml: 'package' must be a list (at 'package')"),
    (
        "version: 1\npackage:\n- 3\n",
        "conda-lock.yml: each package must be a mapping (at 'package[0]')",
    ),
    (
        "version: 1\npackage:\n- name: a\n  version: 1.0\n  manager: pip\n  platform: linux-64\n",
        "conda-lock.yml: 'version' must be a string (at 'package[0].version')",
    ),
    (
        "version: 1\npackage:\n- name: a\n  version: '1'\n  manager: brew\n  platform: linux-64\n",
        "conda-lock.yml: unknown manager 'brew' (at 'package[0].manager')",
    ),
]


@pytest.mark.parametrize(("content", "message"), BAD)
def test_bad_conda_lock(env: Path, content: str, message: str) -> None:
    (env.parent / "conda-lock.yml").write_text(content)
    code, out, err = driftcheck(["--python", str(env)], cwd=env.parent)
    assert (code, out) == (2, "")
    assert err == f"driftcheck: error: {message}\n"


def test_findings_name_the_entry_line_for_this_platform(env: Path) -> None:
    """The lock has an entry per platform; a finding points at this platform's."""
    next((env / "conda-meta").glob("openssl-*.json")).unlink()
    site = env / "lib" / "python3.11" / "site-packages"
    next(site.glob("six-*.dist-info")).rename(site / "gone")
    code, report, err = driftcheck_json(["--project", str(env.parent), "--python", str(env)])
    assert code == 1 and report is not None, err
    lines = LOCK.splitlines()
    for finding in report["findings"]:
        line = finding["expected"]["line"]
        assert lines[line - 1] == f"- name: {finding['name']}", finding
        entry = lines[line : line + 4]
        assert f"  platform: {conda_platform()}" in entry, (finding, entry)


# --- the layout reader (conda_fast) against yaml.safe_load ---------------------------


def _by_yaml(text: str) -> list[dict[str, object]] | None:
    import yaml

    from driftcheck.lockfiles.conda_fast import FIELDS

    try:
        data = yaml.safe_load(text)
        return [{k: v for k, v in p.items() if k in FIELDS} for p in data["package"]]
    except Exception:
        return None


def assert_layout_reader_agrees(text: str) -> bool:
    """The layout reader answers what yaml reads, or declines. True when it answered."""
    from driftcheck.lockfiles import conda_fast

    fast = conda_fast.packages(text)
    if fast is not None:
        assert fast == _by_yaml(text), text
    return fast is not None


def test_layout_reader_reads_the_fixture_and_the_benchmark_lock(tmp_path: Path) -> None:
    import sys

    sys.path.insert(0, str(REPO / "bench"))
    from formats import write_formats
    from generate import generate

    assert assert_layout_reader_agrees(LOCK)
    project = generate(tmp_path / "p", 30)
    write_formats(project)
    assert assert_layout_reader_agrees((project / "conda-lock.yml").read_text())


_VALUES = [
    *["pip", "conda", "main", "dev", "linux-64", "1.2.3", "1.10", "1.0", "2", "1.0rc1", "1e5"],
    *["1.0e+5", "0x1f", "0b11", "2.9.0.post0", "2.1.0+cu118", "true", "false", "True", "on"],
    *["no", "null", "~", "", "'quoted'", "'it''s'", "'1.0'", '"double"', "[a]", "{}", "a: b"],
    *["https://files.example/a.whl", "a #c", "x:", ".inf", "2001-12-14", "1:20", "<<", "pkg "],
]
_KEYS = ["name", "version", "manager", "platform", "category", "optional", "url", "build"]


@given(st.data())
def test_layout_reader_agrees_with_yaml(data: st.DataObject) -> None:
    lines = LOCK.splitlines()
    for _ in range(data.draw(st.integers(0, 4))):
        i = data.draw(st.integers(0, len(lines) - 1))
        key = data.draw(st.sampled_from(_KEYS))
        value = data.draw(st.sampled_from(_VALUES))
        lead = data.draw(st.sampled_from(["  ", "- ", "    ", ""]))
        change = data.draw(st.sampled_from(["replace", "insert", "delete", "duplicate"]))
        line = f"{lead}{key}: {value}".rstrip() if value else f"{lead}{key}:"
        if change == "replace":
            lines[i] = line
        elif change == "insert":
            lines.insert(i, line)
        elif change == "delete" and len(lines) > 1:
            del lines[i]
        else:
            lines.insert(i, lines[i])
    event("answered" if assert_layout_reader_agrees("\n".join(lines) + "\n") else "declined")


def test_conda_platform_reads_the_machine_as_platform_does() -> None:
    import os
    import platform

    from driftcheck.lockfiles.conda import conda_platform

    if hasattr(os, "uname"):
        assert os.uname().machine == platform.machine()
    assert conda_platform().split("-")[0] in ("linux", "osx", "win", sys.platform)
