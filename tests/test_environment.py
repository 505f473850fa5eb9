"""Finding and reading the target environment from files."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from fakes import add_dist, make_venv, site_packages
from helpers import driftcheck_json, require_python, run, uv_bin
from uv_projects import make_base

from driftcheck.environment import find_environment, load_environment, scan_distributions
from driftcheck.errors import EnvironmentError_


def test_order_python_flag_first(tmp_path: Path) -> None:
    (tmp_path / ".venv").mkdir()
    env = {"UV_PROJECT_ENVIRONMENT": "other", "VIRTUAL_ENV": "/x"}
    assert find_environment(tmp_path, "/given", env) == ("/given", "--python")


def test_order_uv_project_environment_is_relative_to_root(tmp_path: Path) -> None:
    (tmp_path / ".venv").mkdir()
    env = {"UV_PROJECT_ENVIRONMENT": "envs/dev", "VIRTUAL_ENV": "/x"}
    assert find_environment(tmp_path, None, env) == (
        str(tmp_path / "envs/dev"),
        "UV_PROJECT_ENVIRONMENT",
    )


def test_order_dot_venv_before_virtual_env(tmp_path: Path) -> None:
    (tmp_path / ".venv").mkdir()
    assert find_environment(tmp_path, None, {"VIRTUAL_ENV": "/x"}) == (
        str(tmp_path / ".venv"),
        ".venv",
    )


def test_virtual_env_used_last(tmp_path: Path) -> None:
    assert find_environment(tmp_path, None, {"VIRTUAL_ENV": "/x"}) == ("/x", "VIRTUAL_ENV")


def test_virtual_env_ignored_under_pre_commit(tmp_path: Path) -> None:
    with pytest.raises(EnvironmentError_, match="no environment found"):
        find_environment(tmp_path, None, {"VIRTUAL_ENV": "/x", "PRE_COMMIT": "1"})


def test_own_environment_never_inspected(tmp_path: Path) -> None:
    with pytest.raises(EnvironmentError_, match="no environment found"):
        find_environment(tmp_path, None, {"VIRTUAL_ENV": sys.prefix})


@pytest.mark.parametrize(
    ("cfg", "version", "uv", "seed"),
    [
        ("version_info = 3.12.4\nimplementation = CPython\nuv = 0.13.9\n", "3.12.4", True, False),
        ("version_info = 3.12.4\nuv = 0.13.9\nseed = true\n", "3.12.4", True, True),
        ("home = /usr/bin\nversion = 3.12.4\n", "3.12.4", False, False),  # python -m venv
        ("version_info = 3.12.4.final.0\nvirtualenv = 20.26.0\n", "3.12.4", False, False),
    ],
)
def test_pyvenv_cfg_variants(tmp_path: Path, cfg: str, version: str, uv: bool, seed: bool) -> None:
    site = tmp_path / "lib" / "python3.12" / "site-packages"
    site.mkdir(parents=True)
    (tmp_path / "pyvenv.cfg").write_text(cfg)
    env = load_environment(tmp_path)
    assert (env.python_full_version, env.uv_created, env.seeded) == (version, uv, seed)
    assert env.site_packages == (str(site),)
    assert env.marker_environment()["python_version"] == "3.12"


def test_interpreter_inside_venv_maps_to_venv(tmp_path: Path) -> None:
    venv = make_venv(tmp_path, {})
    python = venv / "bin" / "python"  # "#!/bin/false": never run, the venv is read from files
    assert load_environment(python).prefix == str(venv)


def test_windows_layout_and_lib64_dedupe(tmp_path: Path) -> None:
    (tmp_path / "Lib" / "site-packages").mkdir(parents=True)
    (tmp_path / "pyvenv.cfg").write_text("version = 3.11.2\n")
    assert load_environment(tmp_path).site_packages == (str(tmp_path / "Lib" / "site-packages"),)
    other = tmp_path / "other"
    (other / "lib" / "python3.11" / "site-packages").mkdir(parents=True)
    (other / "lib64").symlink_to("lib")
    (other / "pyvenv.cfg").write_text("version = 3.11.2\n")
    assert len(load_environment(other).site_packages) == 1


def test_not_an_environment(tmp_path: Path) -> None:
    with pytest.raises(EnvironmentError_, match="not a Python environment"):
        load_environment(tmp_path)


def test_system_interpreter_is_read_from_its_files() -> None:
    # The running interpreter's base (outside any venv): its prefix, never run.
    base = Path(sys.base_prefix) / "bin" / f"python{sys.version_info[0]}.{sys.version_info[1]}"
    if not base.exists():
        pytest.skip("no base interpreter at the usual place")
    env = load_environment(base)
    assert env.python_full_version.startswith(f"{sys.version_info[0]}.{sys.version_info[1]}.")
    assert env.site_packages


def test_scan_reads_names_and_egg_info(tmp_path: Path) -> None:
    venv = make_venv(tmp_path, {"typing-extensions": "4.12.2", "zope.interface": "7.0"})
    site = site_packages(venv)
    (site / "legacy-1.0-py3.11.egg-info").mkdir()
    (site / "single-2.0.egg-info").write_text("Metadata-Version: 1.1\nName: single\nVersion: 2.0\n")
    (site / "noversion.egg-info").mkdir()
    (site / "noversion.egg-info" / "PKG-INFO").write_text("Name: noversion\nVersion: 3.1\n")
    (site / "bare.egg-info").write_text("Metadata-Version: 1.1\nName: bare\nVersion: 4.0\n")
    (site / "not_a_dist").mkdir()
    found = {(d.name, d.version, d.layout) for d in scan_distributions(load_environment(venv))}
    assert found == {
        ("typing-extensions", "4.12.2", "dist-info"),
        ("zope-interface", "7.0", "dist-info"),
        ("legacy", "1.0", "egg-info"),
        ("single", "2.0", "egg-info-file"),
        ("noversion", "3.1", "egg-info"),
        ("bare", "4.0", "egg-info-file"),
    }


def test_two_dist_infos_for_one_name_is_drift(tmp_path: Path) -> None:
    from fakes import make_project

    project = make_project(tmp_path / "p", {"six": "1.17.0"}, {"six": "1.17.0"})
    add_dist(site_packages(project / ".venv"), "six", "1.16.0")
    code, report, _ = driftcheck_json(["--project", str(project)])
    assert code == 1 and report is not None
    [finding] = report["findings"]
    assert finding["kind"] == "mismatched"
    assert finding["reason"].startswith("2 installations of one package")


@pytest.mark.differential
def test_venv_of_another_python_version(tmp_path: Path) -> None:
    """A 3.10 (or 3.12) venv checked by driftcheck running on this Python."""
    other = next(
        (v for v in ("3.10", "3.12", "3.13") if v != "{}.{}".format(*sys.version_info[:2])), None
    )
    assert other
    python = require_python(other)
    project = make_base("app", tmp_path)
    run([uv_bin(), "venv", "-q", "--python", python, ".venv"], project)
    run([uv_bin(), "sync", "-q", "--frozen"], project)
    code, report, err = driftcheck_json(["--project", str(project)])
    assert code == 0, err
    assert report is not None
    assert report["environment"]["python"].startswith(other + ".")
    assert report["environment"]["python"] != "{}.{}.{}".format(*sys.version_info[:3])


def test_host_platform_values_are_platform_modules() -> None:
    """The marker environment's platform values, read without importing ``platform``."""
    import platform

    from driftcheck.environment import _host_uname

    expected = (platform.system(), platform.release(), platform.version(), platform.machine())
    assert _host_uname() == expected
