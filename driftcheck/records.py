"""``typing.NamedTuple`` class syntax, without importing ``typing`` at run time.

``typing`` takes longer to import than a small check takes to walk its lock, and the
common path needs nothing else from it: annotations are never evaluated (``from
__future__ import annotations``), and type-only imports sit under ``TYPE_CHECKING``.
Type checkers see ``typing.NamedTuple`` itself.

At run time a class written as ``class Source(NamedTuple): ...`` becomes a tuple
subclass with what ``collections.namedtuple`` gives (fields with their defaults,
``_make``, ``_replace``, ``_asdict``, ``_fields``, ``_field_defaults``,
``__match_args__``, the same ``repr``), plus the class's own methods, properties and
docstring. It is built without ``collections.namedtuple``, which compiles a
``__new__`` for every class: 130 us each, 3 ms of every run for the two dozen record
classes. Hot loops that build thousands of records give every field and call
``tuple.__new__(cls, values)`` directly. ``tests/test_records.py`` holds the two alike.
"""

from __future__ import annotations

__all__ = ["TYPE_CHECKING", "NamedTuple"]

# Type checkers treat any name TYPE_CHECKING as true; at run time it is False.
TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import NamedTuple as NamedTuple
else:
    from operator import itemgetter

    try:
        from _collections import _tuplegetter
    except ImportError:  # pragma: no cover - other interpreters

        def _tuplegetter(index, doc):
            return property(itemgetter(index), doc=doc)

    _NOT_COPIED = frozenset(
        {"__module__", "__qualname__", "__annotations__", "__dict__", "__weakref__"}
    )
    _MISSING = object()
    _tuple_new = tuple.__new__

    def _record_class(name, fields, defaults, namespace):
        count, required = len(fields), len(fields) - len(defaults)
        index = {field: i for i, field in enumerate(fields)}

        def __new__(cls, *args, **kwargs):
            if kwargs or not required <= len(args) <= count:
                values = [*args, *[_MISSING] * (count - len(args))]
                if len(values) > count:
                    raise TypeError(f"{name}() takes {count} arguments, {len(args)} given")
                for key, value in kwargs.items():
                    if key not in index or values[index[key]] is not _MISSING:
                        raise TypeError(f"{name}() got an unexpected or repeated {key!r}")
                    values[index[key]] = value
                for i in range(count):
                    if values[i] is _MISSING:
                        if i < required:
                            raise TypeError(f"{name}() missing argument {fields[i]!r}")
                        values[i] = defaults[i - required]
                args = tuple(values)
            elif len(args) < count:
                args += defaults[len(args) - required :]
            return _tuple_new(cls, args)

        def _make(cls, iterable):
            result = _tuple_new(cls, iterable)
            if len(result) != count:
                raise TypeError(f"Expected {count} arguments, got {len(result)}")
            return result

        def _replace(self, /, **kwargs):
            result = self._make(map(kwargs.pop, fields, self))
            if kwargs:
                raise ValueError(f"Got unexpected field names: {list(kwargs)!r}")
            return result

        def __repr__(self):
            body = ", ".join(f"{f}={v!r}" for f, v in zip(fields, self, strict=True))
            return f"{self.__class__.__name__}({body})"

        def _asdict(self):
            return dict(zip(fields, self, strict=True))

        def __getnewargs__(self):
            return tuple(self)

        body = {
            "__doc__": f"{name}({', '.join(fields)})",
            "__slots__": (),
            "_fields": fields,
            "_field_defaults": dict(zip(fields[required:], defaults, strict=True)),
            "__new__": __new__,
            "_make": classmethod(_make),
            "_replace": _replace,
            "__repr__": __repr__,
            "_asdict": _asdict,
            "__getnewargs__": __getnewargs__,
            "__match_args__": fields,
            "__module__": namespace["__module__"],
        }
        for i, field in enumerate(fields):
            body[field] = _tuplegetter(i, f"Alias for field number {i}")
        for key, value in namespace.items():
            if key not in _NOT_COPIED and key not in index:
                body[key] = value
        cls = type(name, (tuple,), body)
        cls.__qualname__ = namespace.get("__qualname__", name)
        return cls

    class _NamedTupleMeta(type):
        def __new__(mcs, name, bases, namespace):
            if not bases:  # NamedTuple itself
                return super().__new__(mcs, name, bases, namespace)
            fields = tuple(namespace.get("__annotations__", {}))
            defaults = tuple(namespace[f] for f in fields if f in namespace)
            if any(f in namespace for f in fields[: len(fields) - len(defaults)]):
                raise TypeError(f"{name}: a field without a default follows one with a default")
            return _record_class(name, fields, defaults, namespace)

    class NamedTuple(metaclass=_NamedTupleMeta):
        """Base of record classes (see the module docstring)."""
