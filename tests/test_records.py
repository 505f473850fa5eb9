"""The run-time stand-ins that keep typing and shlex off the common path behave as the
real ones do."""

from __future__ import annotations

import shlex
import typing

import pytest
from hypothesis import given
from hypothesis import strategies as st

from driftcheck import records, shell
from driftcheck.models import Finding, Source


def _pair(base: type) -> type:
    class Point(base):  # type: ignore[valid-type, misc]
        """A point."""

        x: int
        y: int = 0
        label: str | None = None

        @property
        def norm(self) -> int:
            return abs(self.x) + abs(self.y)

        def moved(self, dx: int) -> Point:
            return self._replace(x=self.x + dx)  # type: ignore[no-any-return]

    return Point


def test_namedtuple_class_syntax_matches_typing() -> None:
    ours, theirs = _pair(records.NamedTuple), _pair(typing.NamedTuple)
    for cls in (ours, theirs):
        p = cls(3, label="a")
        assert p == (3, 0, "a") and isinstance(p, tuple)
        assert p.norm == 3 and p.moved(2) == (5, 0, "a")
        assert p._replace(y=4).y == 4 and p._asdict() == {"x": 3, "y": 0, "label": "a"}
    assert ours._fields == theirs._fields
    assert ours._field_defaults == theirs._field_defaults
    assert ours.__match_args__ == theirs.__match_args__
    assert ours.__doc__ == theirs.__doc__ == "A point."
    assert repr(ours(1)) == repr(theirs(1)) == "Point(x=1, y=0, label=None)"
    assert ours.__module__ == theirs.__module__ == __name__
    assert ours.__qualname__ == theirs.__qualname__


def test_namedtuple_refuses_a_default_before_a_required_field() -> None:
    with pytest.raises(TypeError):

        class Bad(records.NamedTuple):  # type: ignore[misc]
            a: int = 0
            b: int  # type: ignore[misc]


def test_project_records_are_plain_namedtuples() -> None:
    source = Source(kind="registry")
    assert source.describe() == "registry" and source._replace(kind="git").kind == "git"
    finding = Finding(kind="missing", name="a", reason="r")
    assert finding.files == () and not finding.allowed


WORDS = st.lists(st.text(alphabet=st.sampled_from(list("ab_-=./:@% '\"$é\n")), max_size=5))


@given(WORDS)
def test_shell_join_is_shlex_join(words: list[str]) -> None:
    assert shell.join(words) == shlex.join(words)
