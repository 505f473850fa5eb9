"""The error-message catalogue: every bad input the tables test, in docs/errors.md.

The tables themselves (exact message and exit 2 for each input) are run by
test_bad_input.py (uv.lock), test_format_errors.py (five formats) and test_conda.py.
This collects them into one parametrized catalogue: at least 25 inputs, every format
present, each message in the style ``FILE[:LINE]: what is wrong [(at 'place')]`` and
written in docs/errors.md, so the documentation cannot fall behind the code.
"""

from __future__ import annotations

import re

import pytest
from helpers import REPO
from test_bad_input import BAD_LOCKS
from test_conda import BAD as CONDA
from test_format_errors import TABLES

CATALOGUE: list[tuple[str, str]] = [
    ("uv.lock", p.values[1])
    for p in BAD_LOCKS  # type: ignore[attr-defined]
]
CATALOGUE += [(name, message) for name, table in TABLES.items() for _, message in table]
CATALOGUE += [("conda-lock.yml", message) for _, message in CONDA]
DOC = (REPO / "docs" / "errors.md").read_text(encoding="utf-8")
STYLE = re.compile(r"^[^\s:]+(:\d+)?: [^\n]+$")


def test_catalogue_is_broad() -> None:
    assert len(CATALOGUE) >= 25
    formats = {name.split(":")[0] for name, _ in CATALOGUE}
    assert formats == {
        "uv.lock",
        "requirements.txt",
        "pylock.toml",
        "poetry.lock",
        "pdm.lock",
        "Pipfile.lock",
        "conda-lock.yml",
    }


@pytest.mark.parametrize(
    ("lockfile", "message"), CATALOGUE, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CATALOGUE)]
)
def test_message_is_one_line_and_documented(lockfile: str, message: str) -> None:
    assert "\n" not in message
    assert STYLE.match(message.replace("{root}/", "")), message
    spans = (f"- `{message}`", f"- `` {message} ``")  # the second when it holds a backtick
    assert any(span in DOC for span in spans), f"add to docs/errors.md: {message}"


# The messages about files, the command line, the environment and selection that
# tests/test_hostile_input.py, test_replaced_env.py and test_never_runs.py check
# verbatim, with their paths written as docs/errors.md writes them.
GENERAL = [
    "FILE: file not found",
    "FILE: is a dangling symlink (to TARGET)",
    "FILE: is a symlink loop",
    "FILE: is a directory, not a regular file",
    "FILE: is a FIFO, not a regular file",
    "FILE: is a character device, not a regular file",
    "FILE: is N MiB, over the limit of 256 MiB",
    "FILE:LINE: nested more than 100 levels deep",
    "DIR: project directory not found",
    "--python was given an empty path",
    "{root}/pyproject.toml: 'output-format' must be one of text, json, github, markdown, "
    "sarif, not 'xml'",
    "{root}/pyproject.toml: 'KEY' must not be empty",
    "{root}/pyproject.toml: 'max-lockfile-size' must be a number of bytes or a size like "
    '"512 MiB", not -1',
    "{root}/pyproject.toml: 'projects' is empty; list the project directories",
    "projects glob '/etc' must be a path relative to {root}",
    "{root}/.venv: is a file, not an environment directory (driftcheck never runs it); "
    "remove it, or pass --python with the environment's directory",
    "PATH: not a Python interpreter driftcheck can read from its files (no lib/pythonX.Y "
    "beside it, and its name does not say its version); driftcheck never runs it: pass "
    "--python with the environment's directory (a venv, or a prefix holding "
    "lib/pythonX.Y/site-packages)",
    "no environment found for {root}: no .venv there and UV_PROJECT_ENVIRONMENT unset; "
    "VIRTUAL_ENV (PATH) was ignored: under pre-commit it is the hook's own venv, not the "
    "project's. Create the project's .venv (uv sync) or pass --python in the hook's args",
    "its interpreter bin/python is a dangling symlink to TARGET (was that Python removed "
    "or upgraded?)",
    "it was made with Python 3.12.0, but its interpreter is now Python 3.11.7",
    "its Python 3.9.18 does not satisfy the lock's requires-python >=3.10",
    "{root}/pyproject.toml: Extra `gpu` is not defined in the `optional-dependencies` "
    "table for `demo`",
    "{root}/pyproject.toml: Package `nope` not found in workspace",
    "driftcheck: internal error: TYPE: MESSAGE (please report; DRIFTCHECK_DEBUG=1 shows "
    "the traceback)",
]


@pytest.mark.parametrize("message", GENERAL)
def test_general_message_is_documented(message: str) -> None:
    assert message in DOC.replace("\n  ", " ").replace("`` ", "").replace(" ``", ""), message
