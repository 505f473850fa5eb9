"""driftcheck: does this environment match its lockfile?"""

__all__ = ["__version__"]

__version__ = "0.1.0"
