"""Hypothesis profiles: ``ci`` (the default), ``medium`` and ``long`` (docs/fuzzing.md).

python -m pytest tests/test_markers.py tests/test_fuzz.py --hypothesis-profile=long
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "medium", max_examples=10_000, deadline=None, suppress_health_check=list(HealthCheck)
)
settings.register_profile(
    "long", max_examples=100_000, deadline=None, suppress_health_check=list(HealthCheck)
)
settings.load_profile(os.environ.get("DRIFTCHECK_HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def _no_internal_errors() -> Iterator[None]:
    """Fail any test during which the CLI's last-resort handler caught an exception:
    every bad input must have its own message (a test of the handler itself empties
    ``CAUGHT`` before it returns)."""
    from driftcheck import cli

    cli.CAUGHT.clear()
    yield
    caught = list(cli.CAUGHT)
    cli.CAUGHT.clear()
    assert not caught, f"driftcheck's last-resort handler caught {caught!r}"
