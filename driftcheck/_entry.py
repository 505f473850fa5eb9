"""The ``driftcheck`` command: the cyclic garbage collector is off before the rest of
driftcheck is imported, and the process ends without tearing the interpreter down.

Importing and running a check makes tens of thousands of small objects and almost no
reference cycles; the collector, run again and again over all of them, cost 8 % of
a check. The process ends when the check does, so nothing is lost by not collecting.
(``driftcheck.cli.main``, called in-process, turns it off only for the run.)

Tearing the interpreter down at exit (clearing every module, freeing every object one
by one) cost as much again: a tenth of a 200-package check. driftcheck holds no open
file and registers no exit handler, so once its output is flushed there is nothing
left to do, and the command ends with ``os._exit``. If flushing fails (a closed pipe),
the normal exit runs and reports it as Python always does.
"""

from __future__ import annotations

import gc
import os
import sys

__all__ = ["main"]


def main() -> int:
    gc.disable()
    try:
        from driftcheck.cli import main as run
    except KeyboardInterrupt:  # (Ctrl-C while starting: as driftcheck.cli words it)
        print("driftcheck: interrupted", file=sys.stderr)
        return 130
    code = run(sys.argv[1:])
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):  # (a closed pipe or stream: Python's exit words it)
        return code
    os._exit(code)
