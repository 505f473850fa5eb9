"""The fast marker path gives packaging's answer, or hands the marker to packaging.

driftcheck evaluates lockers' usual marker shape itself, so that a check need not import
``packaging.markers`` (about 35 ms). These tests generate markers of every shape, valid
and not, and hold the result (value, or error) equal to ``packaging.markers.Marker``.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.markers import InvalidMarker, Marker, UndefinedComparison
from packaging.specifiers import InvalidSpecifier, SpecifierSet

from driftcheck.markers import (
    GROUP,
    MarkerEvaluator,
    compile_marker,
    releases_equal,
    specifier_contains,
)

VERSION_KEYS = [
    "python_version",
    "python_full_version",
    "implementation_version",
    "platform_release",
]
STRING_KEYS = [
    "os_name",
    "sys_platform",
    "platform_machine",
    "platform_system",
    "platform_version",
    "implementation_name",
    "platform_python_implementation",
]
OPS = ["==", "!=", "<", "<=", ">", ">=", "~=", "===", "in", "not in"]
VERSIONS = [
    "3",
    "3.8",
    "3.9.0",
    "3.11",
    "3.11.7",
    "3.12",
    "4",
    "03.11",
    "3.11.*",
    "3.14rc1",
    "1.0.post1",
    "x",
]
STRINGS = [
    "linux",
    "win32",
    "darwin",
    "x86_64",
    "cpython",
    "CPython",
    "posix",
    "nt",
    "",
    "lin",
    "Linux",
]
EXTRAS = ["extra-3-pkg-gpu", "group-3-pkg-dev", "Foo_Bar", "foo-bar", "cpu"]

ENVIRONMENTS = [
    {
        "implementation_name": "cpython",
        "implementation_version": "3.11.7",
        "os_name": "posix",
        "platform_machine": "x86_64",
        "platform_release": "6.8.0",
        "platform_system": "Linux",
        "platform_version": "#1 SMP",
        "python_full_version": "3.11.7",
        "platform_python_implementation": "CPython",
        "python_version": "3.11",
        "sys_platform": "linux",
    },
    {
        "implementation_name": "cpython",
        "implementation_version": "3.8.0",
        "os_name": "nt",
        "platform_machine": "AMD64",
        "platform_release": "10",
        "platform_system": "Windows",
        "platform_version": "10.0.19041",
        "python_full_version": "3.8.0",
        "platform_python_implementation": "CPython",
        "python_version": "3.8",
        "sys_platform": "win32",
    },
    {  # values outside the fast path: a pre-release Python and a kernel release string
        "implementation_name": "pypy",
        "implementation_version": "7.3.17",
        "os_name": "posix",
        "platform_machine": "arm64",
        "platform_release": "6.8.0-45-generic",
        "platform_system": "Darwin",
        "platform_version": "Darwin Kernel",
        "python_full_version": "3.14.0rc1",
        "platform_python_implementation": "PyPy",
        "python_version": "3.14",
        "sys_platform": "darwin",
    },
]


def quoted(value: str) -> str:
    return f"'{value}'"


atoms = st.one_of(
    st.builds(
        lambda k, op, v: f"{k} {op} {quoted(v)}",
        st.sampled_from(VERSION_KEYS),
        st.sampled_from(OPS),
        st.sampled_from(VERSIONS),
    ),
    st.builds(
        lambda k, op, v, flip: f"{quoted(v)} {op} {k}" if flip else f"{k}{op}{quoted(v)}",
        st.sampled_from(STRING_KEYS + VERSION_KEYS),
        st.sampled_from(OPS),
        st.sampled_from(STRINGS + VERSIONS),
        st.booleans(),
    ),
    st.builds(
        lambda v, op, k: f"{quoted(v)} {op} {k}",
        st.sampled_from(EXTRAS),
        st.sampled_from(["in", "not in", "=="]),
        st.sampled_from(["extras", "dependency_groups"]),
    ),
    st.builds(
        lambda op, v: f"extra {op} {quoted(v)}",
        st.sampled_from(["==", "!="]),
        st.sampled_from(EXTRAS),
    ),
    st.sampled_from(
        ["", "os_name", "unknown_name == 'x'", "'a' == 'b'", "extras == 'x'", "python_version >"]
    ),
)
markers = st.recursive(
    atoms,
    lambda inner: st.one_of(
        st.builds(lambda a, b: f"{a} and {b}", inner, inner),
        st.builds(lambda a, b: f"{a} or {b}", inner, inner),
        st.builds(lambda a: f"({a})", inner),
        st.builds(lambda a: f"({a}", inner),
    ),
    max_leaves=6,
)


def reference(
    marker: str, env: dict[str, str], active: frozenset[str], groups: frozenset[str] = frozenset()
) -> object:
    """packaging's answer, through driftcheck's rewrite of ``extra ==`` to set form."""
    import re

    rewritten = re.sub(
        r"""\bextra\s*(==|!=)\s*'([^']*)'""",
        lambda m: f"'{m.group(2)}' {'in' if m.group(1) == '==' else 'not in'} extras",
        marker,
    )
    try:
        parsed = Marker(rewritten)
    except InvalidMarker:
        return ValueError
    full: dict[str, str | frozenset[str]] = {
        **env,
        "extras": active,
        "dependency_groups": groups,
    }
    try:
        return parsed.evaluate(full, context="lock_file")
    except Exception as exc:  # packaging's own evaluation errors
        return type(exc)


def ours(
    marker: str, env: dict[str, str], active: frozenset[str], groups: frozenset[str] = frozenset()
) -> object:
    try:
        compile_marker(marker)
    except ValueError:
        return ValueError
    try:
        return MarkerEvaluator(env)(marker, active | {GROUP + g for g in groups})
    except Exception as exc:
        return type(exc)


@given(
    markers,
    st.sampled_from(range(len(ENVIRONMENTS))),
    st.frozensets(st.sampled_from(EXTRAS)),
    st.frozensets(st.sampled_from(EXTRAS)),
)
def test_fast_path_agrees_with_packaging(
    marker: str, env_index: int, active: frozenset[str], groups: frozenset[str]
) -> None:
    """Extras and (PEP 751's) dependency groups active at once."""
    env = ENVIRONMENTS[env_index]
    assert ours(marker, env, active, groups) == reference(marker, env, active, groups)


@pytest.mark.parametrize(
    "marker",
    [
        "sys_platform == 'win32'",
        "python_full_version >= '3.11' and platform_machine == 'x86_64'",
        "(python_full_version < '3.10' and sys_platform == 'linux') or implementation_name == 'pypy'",
        "extra == 'extra-3-pkg-gpu' or extra != 'group-3-pkg-dev'",
        "platform_python_implementation != 'PyPy' and python_version < '3.12'",
        "python_full_version == '3.11.*' or python_full_version != '3.12.*'",
    ],
)
def test_usual_lock_markers_never_import_packaging(marker: str) -> None:
    from driftcheck.markers import _Packaging

    compiled, _ = compile_marker(marker)
    assert not isinstance(compiled, _Packaging)
    for env in ENVIRONMENTS[:2]:
        assert ours(marker, env, frozenset()) == reference(marker, env, frozenset())


SPECIFIERS = st.lists(
    st.builds(
        lambda op, v: f"{op}{v}",
        st.sampled_from(["==", "!=", "<", "<=", ">", ">=", "~=", "===", ""]),
        st.sampled_from(VERSIONS),
    ),
    min_size=1,
    max_size=3,
).map(", ".join)


@given(SPECIFIERS, st.sampled_from(["3.8.0", "3.11.7", "3.12.1", "4.0.0", "3.14.0rc1"]))
def test_specifier_fast_path_agrees_with_packaging(spec: str, version: str) -> None:
    fast = specifier_contains(spec, version)
    if fast is None:
        return
    try:
        expected = SpecifierSet(spec).contains(version, prereleases=True)
    except InvalidSpecifier:
        pytest.fail(f"the fast path accepted {spec!r}, which packaging rejects")
    assert fast == expected


def test_undefined_comparison_still_comes_from_packaging() -> None:
    env = ENVIRONMENTS[0]
    assert ours("os_name ~= 'posix'", env, frozenset()) is UndefinedComparison


@given(
    st.sampled_from([*VERSIONS, "1.0", "1.0.0", "1", "01.0", "1.0.1"]),
    st.sampled_from([*VERSIONS, "1.0", "1.0.0", "1"]),
)
def test_plain_release_equality_agrees_with_packaging(a: str, b: str) -> None:
    from packaging.version import InvalidVersion, Version

    fast = releases_equal(a, b)
    if fast is None:
        return
    try:
        assert fast == (Version(a) == Version(b))
    except InvalidVersion:
        pytest.fail(f"the fast path took {a!r} or {b!r}, which packaging rejects")


VERSIONISH = st.text(alphabet=st.sampled_from(list("0123456789.!+abcdeoprstv-_")), max_size=12)


@given(VERSIONISH)
def test_valid_version_is_packagings(text: str) -> None:
    from packaging.version import InvalidVersion, Version

    from driftcheck.markers import valid_version

    try:
        Version(text)
        expected = True
    except InvalidVersion:
        expected = False
    assert valid_version(text) == expected, text


@pytest.mark.parametrize("text", ["2.9.0.post0", "1.0rc1", "3.0.0b2", "2!1.0.dev3+local.1"])
def test_normalised_versions_need_no_packaging(text: str) -> None:
    from driftcheck.markers import _NORMALISED_VERSION

    assert _NORMALISED_VERSION().fullmatch(text)
