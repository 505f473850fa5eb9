"""The ``driftcheck`` command: the cyclic garbage collector is off before the rest of
driftcheck is imported.

Importing and running a check makes tens of thousands of small objects and almost no
reference cycles; the collector, run again and again over all of them, cost 8 % of
a check. The process ends when the check does, so nothing is lost by not collecting.
(``driftcheck.cli.main``, called in-process, turns it off only for the run.)
"""

from __future__ import annotations

import gc
import sys

__all__ = ["main"]


def main() -> int:
    gc.disable()
    from driftcheck.cli import main as run

    return run(sys.argv[1:])
