"""Reading a distribution's ``direct_url.json`` (PEP 610): imported only where one exists.

Most installed distributions have none; the project's own (an editable install) and
other local or direct-URL installs do.
"""

from __future__ import annotations

from driftcheck.records import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from typing import Any

__all__ = ["read_direct_url"]


def read_direct_url(path: str) -> tuple[Any, str | None]:
    """Parse the file at ``path``: (DirectUrl or None, problem or None)."""
    import os

    from driftcheck.files import Unreadable, read_regular

    try:
        # (inside the dist-info's site-packages, like every file of the environment)
        raw = read_regular(path, within=os.path.dirname(os.path.dirname(path)))
    except Unreadable as exc:
        if exc.reason == "file not found":
            return None, None
        return None, f"direct_url.json {exc.reason}"
    from driftcheck.nesting import load_json

    try:
        data = load_json(raw.decode("utf-8"))
    except ValueError as exc:  # (UnicodeDecodeError, JSONDecodeError and TooDeep too)
        return None, f"invalid direct_url.json: {' '.join(str(exc).split())}"
    local = _local_directory(data)
    if local is not None:
        return local, None
    from packaging.direct_url import DirectUrl, DirectUrlValidationError

    try:
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        return DirectUrl.from_dict(data), None
    except (ValueError, TypeError, DirectUrlValidationError) as exc:
        return None, f"invalid direct_url.json: {' '.join(str(exc).split())}"


class _DirInfo(NamedTuple):
    editable: bool | None


class _LocalDirectory(NamedTuple):
    """``packaging.direct_url.DirectUrl`` for an install from a local directory."""

    url: str
    dir_info: _DirInfo
    archive_info: None = None
    vcs_info: None = None
    subdirectory: None = None


def _local_directory(data: Any) -> _LocalDirectory | None:
    """The record of an editable or directory install, read as ``packaging`` reads it
    (``tests/test_diff.py`` holds the two alike), or ``None`` for any other shape.

    It is most projects' own record (uv and pip install the project editable), and
    ``packaging.direct_url`` imports ``dataclasses`` and ``inspect``: a third of a run.
    """
    if type(data) is not dict or len(data) != 2 or type(data.get("url")) is not str:
        return None
    info = data.get("dir_info")
    if type(info) is not dict or not set(info) <= {"editable"}:
        return None
    editable = info.get("editable")
    url = data["url"]
    if not (editable is None or type(editable) is bool) or not url.startswith("file:"):
        return None
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme != "file" or not parts.path.startswith("/"):
        return None  # packaging words the error
    return _LocalDirectory(url=url, dir_info=_DirInfo(editable))
