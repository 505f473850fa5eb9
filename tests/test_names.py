"""driftcheck.names.canonicalize_name is packaging's, without packaging's import cost."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.utils import canonicalize_name as packaging_canonicalize

from driftcheck.names import canonicalize_name

NAMES = [
    "Django", "zope.interface", "typing_extensions", "ruamel.yaml.clib", "A__B..C--D",
    "backports.tarfile", "Foo-Bar", "pip", "x", "jaraco.context", "PyYAML", "a-_.-b",
    "Ünïcode_Name", "123", "a.b_c-D",
]  # fmt: skip


@pytest.mark.parametrize("name", NAMES)
def test_same_as_packaging(name: str) -> None:
    assert canonicalize_name(name) == packaging_canonicalize(name)


NAMEISH = st.text(alphabet=st.sampled_from(list("aZ09-_.\n é")), max_size=8)


@given(st.lists(NAMEISH, max_size=5))
def test_batch_normalising_is_one_by_one(names: list[str]) -> None:
    from driftcheck.names import canonicalize_names

    assert canonicalize_names(names) == [canonicalize_name(n) for n in names]


@given(st.lists(NAMEISH, min_size=1, max_size=4))
def test_name_and_release_checks_are_the_regular_expressions(texts: list[str]) -> None:
    import re

    from driftcheck.environment import _valid_names
    from driftcheck.markers import plain_release, plain_releases

    name = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
    release = re.compile(r"[0-9]+(?:\.[0-9]+)*")
    for text in texts:
        canonical = canonicalize_name(text)  # (the check is for canonical names)
        valid = "\n" not in canonical and _valid_names(canonical)
        assert valid == bool(name.fullmatch(canonical)), text
        assert plain_release(text) == bool(release.fullmatch(text)), text
    assert plain_releases(texts) == all(release.fullmatch(t) for t in texts)
