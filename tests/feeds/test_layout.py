"""Feed file names (issue 11 finding 3): bounded, unique, never a name the layout uses."""

import pytest

from newsbot.feeds.layout import MAX_STEM, feed_stem, run_file, site_stem

LONG = "Tin tức tổng hợp " * 30  # 510 characters, a slug of 480


@pytest.mark.parametrize(
    ("section", "taken", "stem"),
    [
        pytest.param("Khoa học - Giáo dục", {}, "khoa-hoc-giao-duc", id="plain-slug"),
        pytest.param("All", {}, "section-all", id="kept-apart-from-all-feed"),
        pytest.param("Index", {}, "section-index", id="kept-apart-from-index-json"),
        pytest.param("index", {"section-index": "Index"}, "section-index-", id="index-twice"),
        pytest.param("中文", {}, "section-", id="no-ascii-gets-hash-name"),
        pytest.param(
            "Giáo Dục", {"giao-duc": "Giáo dục"}, "giao-duc-", id="slug-taken-by-other-section"
        ),
        pytest.param("Giáo dục", {"giao-duc": "Giáo dục"}, "giao-duc", id="slug-owned-by-itself"),
        pytest.param(LONG, {}, "tin-tuc-tong-hop-tin-tuc", id="long-name-cut-with-hash"),
    ],
)
def test_feed_stem(section, taken, stem):
    got = feed_stem(section, taken)
    assert got.startswith(stem)
    assert got == feed_stem(section, taken), "names must be stable between runs"
    assert len(got) <= MAX_STEM
    assert got not in {"all", "index"}
    if stem.endswith("-"):
        assert len(got) == len(stem) + 8


def test_long_names_differing_at_the_end_get_different_stems():
    a, b = feed_stem(LONG + "A"), feed_stem(LONG + "B")
    assert a != b and len(a) == len(b) == MAX_STEM
    # Atomic writes put ".<name>.<random>.newsbot-tmp" around it: still a legal file name.
    assert len(f".{a}.atom.abcdefgh.newsbot-tmp".encode()) < 255


@pytest.mark.parametrize(
    ("site", "folder"),
    [
        pytest.param("baohaiduong", "baohaiduong", id="plain"),
        pytest.param("runs", "site-runs", id="kept-apart-from-runs-dir"),
        pytest.param("by-date", "site-by-date", id="kept-apart-from-by-date-dir"),
        pytest.param("../etc", "etc", id="no-path-escape"),
    ],
)
def test_site_stem(site, folder):
    assert site_stem(site) == folder


@pytest.mark.parametrize(
    "run_id",
    [
        pytest.param("../escape", id="parent-directory"),
        pytest.param("a/b", id="slash"),
        pytest.param(".hidden", id="hidden-file"),
        pytest.param("", id="empty"),
    ],
)
def test_run_id_must_be_a_file_name(tmp_path, run_id):
    with pytest.raises(ValueError):
        run_file(tmp_path, run_id)
