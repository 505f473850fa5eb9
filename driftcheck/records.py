"""``typing.NamedTuple`` class syntax, without importing ``typing`` at run time.

``typing`` takes longer to import than a small check takes to walk its lock, and the
common path needs nothing else from it: annotations are never evaluated (``from
__future__ import annotations``), and type-only imports sit under ``TYPE_CHECKING``.
Type checkers see ``typing.NamedTuple`` itself. At run time a class written as
``class Source(NamedTuple): ...`` becomes the same ``collections.namedtuple`` that
``typing`` would build: fields in order, their defaults, and the class's methods,
properties and docstring. ``tests/test_records.py`` holds the two alike.
"""

from __future__ import annotations

__all__ = ["TYPE_CHECKING", "NamedTuple"]

# Type checkers treat any name TYPE_CHECKING as true; at run time it is False.
TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import NamedTuple as NamedTuple
else:
    from collections import namedtuple

    _NOT_COPIED = frozenset(
        {"__module__", "__qualname__", "__annotations__", "__dict__", "__weakref__"}
    )

    class _NamedTupleMeta(type):
        def __new__(mcs, name, bases, namespace):
            if not bases:  # NamedTuple itself
                return super().__new__(mcs, name, bases, namespace)
            fields = list(namespace.get("__annotations__", {}))
            defaults = [namespace[f] for f in fields if f in namespace]
            if any(f in namespace for f in fields[: len(fields) - len(defaults)]):
                raise TypeError(f"{name}: a field without a default follows one with a default")
            cls = namedtuple(name, fields, defaults=defaults, module=namespace["__module__"])
            for key, value in namespace.items():
                if key not in _NOT_COPIED and key not in fields:
                    setattr(cls, key, value)
            cls.__qualname__ = namespace.get("__qualname__", name)
            return cls

    class NamedTuple(metaclass=_NamedTupleMeta):
        """Base of record classes (see the module docstring)."""
