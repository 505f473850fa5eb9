"""driftcheck.names.canonicalize_name is packaging's, without packaging's import cost."""

from __future__ import annotations

import pytest
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
