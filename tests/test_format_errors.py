"""Invalid-input tables for every reader: exit 2, one line, the file and the place named."""

from __future__ import annotations

import venv
from pathlib import Path

import pytest
from helpers import driftcheck

REQUIREMENTS = [
    (
        "flask>=2\n",
        "requirements.txt:1: 'flask>=2' is not pinned: a requirements file is a lock only when every requirement is pinned with == (or is a path or URL)",
    ),
    (
        "six==1.17.0\nflask\n",
        "requirements.txt:2: 'flask' is not pinned: a requirements file is a lock only when every requirement is pinned with == (or is a path or URL)",
    ),
    (
        "six==1.*\n",
        "requirements.txt:1: 'six==1.*' is not pinned: a requirements file is a lock only when every requirement is pinned with == (or is a path or URL)",
    ),
    (
        "six===1.17.0 ; python_version >>> '3'\n",
        "requirements.txt:1: invalid requirement \"six===1.17.0 ; python_version >>> '3'\": Expected a marker variable or quoted string",
    ),
    ("--frobnicate\n", "requirements.txt:1: unknown option --frobnicate"),
    ("-r missing.txt\n", "missing.txt: file not found"),
    ("-e\n", "requirements.txt:1: -e needs a path"),
    (
        "pkg @ git+https://git.example/pkg.git@main\n",
        "requirements.txt:1: git URL 'git+https://git.example/pkg.git@main' is not pinned to a full commit",
    ),
    (
        "six==1.17.0\nsix==1.16.0\n",
        "requirements.txt:2: 'six' is pinned twice, differently (also at line 1)",
    ),
    (
        "./nowhere\n",
        "requirements.txt:1: cannot tell the package name of {root}/nowhere; write it as 'NAME @ file://…'",
    ),
    (b"six==1.17.0\n\xff\n", "requirements.txt:2: not valid UTF-8"),
]

PYLOCK = [
    (
        'lock-version = "2.0"\ncreated-by = "x"\npackages = []\n',
        "pylock.toml: pylock version 2.0 is not supported (at 'lock-version')",
    ),
    (
        'created-by = "x"\npackages = []\n',
        "pylock.toml: Missing required value (at 'lock-version')",
    ),
    (
        'lock-version = "1.0"\npackages = []\n',
        "pylock.toml: Missing required value (at 'created-by')",
    ),
    (
        'lock-version = "1.0"\ncreated-by = "x"\n[[packages]]\nversion = "1"\n',
        "pylock.toml:3: Missing required value (at 'packages[0].name')",
    ),
    (
        'lock-version = "1.0"\ncreated-by = "x"\n[[packages]]\nname = "a"\nversion = 1\n',
        "pylock.toml:4: Unexpected type int (expected str) (at 'packages[0].version')",
    ),
    (
        'lock-version = "1.0"\ncreated-by = "x"\n[[packages]]\nname = "a"\nmarker = "os_name >>> 1"\n',
        "pylock.toml:4: Expected a marker variable or quoted string (at 'packages[0].marker')",
    ),
    (
        'lock-version = "1.0"\ncreated-by = "x"\nrequires-python = ">=3.99"\npackages = []\n',
        "pylock.toml: python_full_version '{python}' in provided environment does not satisfy the Python version requirement '>=3.99'",
    ),
    (
        'lock-version = "1.0"\n[[packages\n',
        "pylock.toml:2: invalid TOML: Expected ']]' at the end of an array declaration",
    ),
]

POETRY = [
    (
        '[[package]]\nname = "a"\nversion = "1.0"\n',
        "poetry.lock: missing [metadata] table; is this a poetry.lock? (at 'metadata')",
    ),
    (
        '[metadata]\nlock-version = "9.0"\n',
        "poetry.lock: unsupported lock-version '9.0'; driftcheck reads poetry.lock 1.1, 2.0, 2.1 (at 'metadata.lock-version')",
    ),
    (
        '[[package]]\nname = "a"\n\n[metadata]\nlock-version = "2.1"\n',
        "poetry.lock:2: 'version' must be a string, not missing (at 'package[0].version')",
    ),
    (
        '[[package]]\nname = "a"\nversion = "x y"\n\n[metadata]\nlock-version = "2.1"\n',
        "poetry.lock:2: package 'a': invalid version 'x y' (at 'package[0].version')",
    ),
    (
        '[[package]]\nname = "a"\nversion = "1"\ngroups = "main"\n\n[metadata]\nlock-version = "2.1"\n',
        "poetry.lock:2: package 'a': 'groups' must be a list of strings (at 'package[0].groups')",
    ),
    (
        '[[package]]\nname = "a"\nversion = "1"\nmarkers = "python_version >>> 3"\n\n[metadata]\nlock-version = "2.1"\n',
        "poetry.lock:2: package 'a': invalid marker 'python_version >>> 3': Expected a marker variable or quoted string (at 'package[0].markers')",
    ),
    (
        '[[package]]\nname = "a"\nversion = "1"\n[package.source]\ntype = "svn"\nurl = "x"\n\n[metadata]\nlock-version = "2.1"\n',
        "poetry.lock:2: package 'a': unknown source type 'svn' (at 'package[0].source.type')",
    ),
    (
        "package = 1\n[metadata]\nlock-version = '2.1'\n",
        "poetry.lock: 'package' must be an array of tables (at 'package')",
    ),
]

PDM = [
    (
        '[[package]]\nname = "a"\nversion = "1"\n',
        "pdm.lock: missing [metadata] table; is this a pdm.lock? (at 'metadata')",
    ),
    (
        '[metadata]\nlock_version = "3.1"\n',
        "pdm.lock: unsupported lock_version '3.1'; driftcheck reads pdm.lock 4.x (at 'metadata.lock_version')",
    ),
    (
        '[metadata]\nlock_version = "4.5.0"\ngroups = "default"\n',
        "pdm.lock: 'groups' must be a list of strings (at 'metadata.groups')",
    ),
    (
        '[metadata]\nlock_version = "4.5.0"\nstrategy = true\n',
        "pdm.lock: 'strategy' must be a list of strings (at 'metadata.strategy')",
    ),
    (
        '[metadata]\nlock_version = "4.5.0"\n\n[[package]]\nversion = "1"\n',
        "pdm.lock:4: 'name' must be a string (at 'package[0].name')",
    ),
    (
        '[metadata]\nlock_version = "4.5.0"\n\n[[package]]\nname = "a"\nversion = "one"\n',
        "pdm.lock:5: package 'a': invalid version 'one' (at 'package[0].version')",
    ),
    (
        '[metadata]\nlock_version = "4.5.0"\n\n[[package]]\nname = "a"\n',
        "pdm.lock:5: package 'a': no 'version' and no path, git or url (at 'package[0]')",
    ),
    (
        '[metadata]\nlock_version = "4.5.0"\n\n[[package]]\nname = "a"\nversion = "1"\ngroups = ["default", 3]\n',
        "pdm.lock:5: package 'a': 'groups' must be a list of strings (at 'package[0].groups')",
    ),
    (
        '[metadata]\nlock_version = "4.5.0"\n\n[[package]]\nname = "a"\nversion = "1"\nmarker = "os_name ~~ 1"\n',
        "pdm.lock:5: package 'a': invalid marker 'os_name ~~ 1': Expected marker operator, one of <=, <, !=, ==, >=, >, ~=, ===, in, not in (at 'package[0].marker')",
    ),
]

_META = '"_meta": {"pipfile-spec": 6}'
PIPFILE = [
    ("{", "Pipfile.lock:1: invalid JSON: Expecting property name enclosed in double quotes"),
    (
        '{"default": {}}',
        "Pipfile.lock: missing '_meta' object; is this a Pipfile.lock? (at '_meta')",
    ),
    (
        '{"_meta": {"pipfile-spec": 5}}',
        "Pipfile.lock: unsupported pipfile-spec 5; driftcheck reads pipfile-spec 6 (at '_meta.pipfile-spec')",
    ),
    ("{" + _META + ', "default": []}', "Pipfile.lock: 'default' must be an object (at 'default')"),
    (
        "{" + _META + ',\n"default": {\n"six": "1.17.0"}}',
        "Pipfile.lock:3: entry 'six' must be an object (at 'default.six')",
    ),
    (
        "{" + _META + ',\n"default": {\n"six": {"version": ">=1"}}}',
        "Pipfile.lock:3: 'six': 'version' must be a pin like '==1.2.3', not '>=1' (at 'default.six.version')",
    ),
    (
        "{" + _META + ',\n"default": {\n"six": {"version": "==one"}}}',
        "Pipfile.lock:3: 'six': invalid version '==one' (at 'default.six.version')",
    ),
    (
        "{" + _META + ',\n"default": {\n"six": {"version": "==1", "markers": "os_name ~~ 1"}}}',
        "Pipfile.lock:3: 'six': invalid marker 'os_name ~~ 1': Expected marker operator, one of <=, <, !=, ==, >=, >, ~=, ===, in, not in (at 'default.six.markers')",
    ),
    (
        "{"
        + _META
        + ',\n"develop": {\n"lib": {"git": "https://git.example/lib.git", "ref": "main"}}}',
        "Pipfile.lock:3: 'lib': git entry without a full commit 'ref' (at 'develop.lib.ref')",
    ),
]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "bad"\nversion = "0"\n')
    venv.create(tmp_path / ".venv", with_pip=False)
    return tmp_path


def _check(project: Path, name: str, content: str | bytes, message: str) -> None:
    path = project / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    code, out, err = driftcheck(["--lockfile", name], cwd=project)
    assert (code, out) == (2, "")
    import sys

    python = "{}.{}.{}".format(*sys.version_info[:3])
    expected = message.format(root=project, python=python)
    assert err == f"driftcheck: error: {expected}\n"


TABLES = {
    "requirements.txt": REQUIREMENTS,
    "pylock.toml": PYLOCK,
    "poetry.lock": POETRY,
    "pdm.lock": PDM,
    "Pipfile.lock": PIPFILE,
}
CASES = [
    pytest.param(name, content, message, id=f"{name}-{i}")
    for name, table in TABLES.items()
    for i, (content, message) in enumerate(table)
]


@pytest.mark.parametrize(("name", "content", "message"), CASES)
def test_bad_lockfile(project: Path, name: str, content: str | bytes, message: str) -> None:
    _check(project, name, content, message)


def test_pipfile_entry_line_is_where_its_key_starts_a_line() -> None:
    """A finding's line: the section's entry, not the same name as a value or elsewhere."""
    from driftcheck.lockfiles.pipfile import _Lines

    text = (
        '{\n "_meta": {"requires": {"six": "1"}},\n "default": {\n'
        '  "x": {"version": "==1", "index": "six"},\n'
        '  "six" : {"version": "==1"}\n },\n'
        ' "develop": {\n  "six": {},\n  "y": {}\n }\n}\n'
    )
    lines = _Lines(text)
    assert lines.of("default", "six") == 5
    assert lines.of("develop", "six") == 8
    assert lines.of("develop", "y") == 9
    assert lines.of("default", "absent") is None
    assert lines.of("default", 'a"b') is None
    assert lines.of("missing-section", "six") is None
