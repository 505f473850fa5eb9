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
