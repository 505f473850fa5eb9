"""Commands spelled for a POSIX shell (the fix command every drifted report ends with)."""

from __future__ import annotations

__all__ = ["join"]

# The characters shlex.quote leaves unquoted.
_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-")


def join(words: list[str]) -> str:
    """``shlex.join(words)``; shlex is imported only when a word needs quoting."""
    if all(word and _SAFE.issuperset(word) for word in words):
        return " ".join(words)
    import shlex

    return shlex.join(words)
