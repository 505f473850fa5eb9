"""The comparison's own reading of direct_url.json agrees with packaging's."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from packaging.direct_url import DirectUrl, DirectUrlValidationError

from driftcheck.direct_url import _local_directory

URLS = st.sampled_from(
    ["file:///work/app", "file://host/app", "file:app", "https://x.example/a.whl", "file:", ""]
)
VALUES = st.one_of(st.none(), st.booleans(), st.integers(0, 1), st.text(max_size=2))
INFOS = st.one_of(
    st.dictionaries(st.sampled_from(["editable", "other"]), VALUES, max_size=2),
    VALUES,
)
RECORDS = st.one_of(
    st.fixed_dictionaries({"url": URLS, "dir_info": INFOS}),
    st.dictionaries(
        st.sampled_from(["url", "dir_info", "archive_info", "vcs_info", "subdirectory"]),
        st.one_of(URLS, INFOS),
        max_size=4,
    ),
    VALUES,
)


@given(RECORDS)
def test_local_directory_records_read_as_packaging_reads_them(data: Any) -> None:
    ours = _local_directory(data)
    if ours is None:
        return  # packaging decides (and words any error)
    try:
        theirs = DirectUrl.from_dict(data)
    except (DirectUrlValidationError, TypeError, ValueError):
        raise AssertionError(f"accepted what packaging rejects: {data!r}") from None
    assert theirs.dir_info is not None
    assert (ours.url, ours.dir_info.editable) == (theirs.url, theirs.dir_info.editable)
    assert (ours.archive_info, ours.vcs_info, ours.subdirectory) == (
        theirs.archive_info,
        theirs.vcs_info,
        theirs.subdirectory,
    )


def test_the_usual_records_are_read_without_packaging() -> None:
    for editable in (True, False, None):
        info = {} if editable is None else {"editable": editable}
        found = _local_directory({"url": "file:///work/app", "dir_info": info})
        assert found is not None and found.dir_info.editable is editable
