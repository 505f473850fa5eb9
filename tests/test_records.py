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


def test_namedtuple_construction_errors_and_copies_match_typing() -> None:
    import copy
    import pickle

    ours, theirs = _pair(records.NamedTuple), _pair(typing.NamedTuple)
    for cls in (ours, theirs):
        assert cls(1, 2, "c") == cls(x=1, y=2, label="c") == cls(1, label="c")._replace(y=2)
        assert cls._make([1, 2, None]) == (1, 2, None)
        for bad in ((), (1, 2, 3, 4)):
            with pytest.raises(TypeError):
                cls(*bad)
        with pytest.raises(TypeError):
            cls(1, x=2)
        with pytest.raises(TypeError):
            cls(1, z=2)
        with pytest.raises(ValueError, match="unexpected field"):
            cls(1)._replace(z=3)
        with pytest.raises(TypeError):
            cls._make([1])
        point = cls(1, 2, "c")
        assert copy.deepcopy(point) == point and type(copy.copy(point)) is cls
    assert pickle.loads(pickle.dumps(Source(kind="git", url="u"))) == Source("git", "u")


def test_tuple_new_gives_the_same_record() -> None:
    """The hot loops build records with tuple.__new__ and every field given."""
    assert tuple.__new__(Source, ("registry", None, None, None, None)) == Source("registry")
    assert repr(tuple.__new__(Source, ("registry", None, None, None, None))) == repr(
        Source("registry")
    )
