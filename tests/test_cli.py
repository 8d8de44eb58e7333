"""``newsbot parse``: exit codes, UTF-8 JSON on stdout, one reason line on stderr.

Runs ``newsbot.cli.main`` in-process for the table of inputs, and the installed
console script once in a subprocess to prove the real stdout bytes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from newsbot.cli import EXIT_NOT_PARSEABLE, EXIT_OK, EXIT_USAGE, main

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "baohaiduong"
LEGACY_URL = (
    "https://baohaiduong.vn/kinh-te/khoi-cong-cau-vuot-song-thai-binh-noi-hai-huyen-phia-bac-160231"
)
CURRENT_URL = "https://baohaiduong.vn/ra-mat-cau-lac-bo-ca-tru-phuong-nhi-chau-401122.html"
UNKNOWN_URL = "https://baohaiduong.vn/nong-dan-thanh-ha-thu-hoach-vai-som-512345.html"


def run(capsysbinary: Any, *argv: str) -> tuple[int, bytes, bytes]:
    code = main(["parse", *argv])
    out, err = capsysbinary.readouterr()
    return code, out, err


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def assert_utf8_json(out: bytes) -> Any:
    text = out.decode("utf-8")  # raises if not UTF-8
    assert "\\u" not in text
    return json.loads(text)


# (fixture, url, kind, a key of the JSON and its value)
# fmt: off
OK_ROWS: list[Any] = [
    pytest.param("legacy-article.html", LEGACY_URL, "article", "title",
                 "Khởi công cầu vượt sông Thái Bình nối hai huyện phía Bắc", id="legacy-article"),
    pytest.param("current-article.html", CURRENT_URL, "article", "author", "Thanh Hương, Đức Anh",
                 id="current-article"),
    pytest.param("unknown-layout-article.html", UNKNOWN_URL, "article", "published_at",
                 "2025-05-20T06:30:00+07:00", id="unknown-layout-article"),
    pytest.param("legacy-section.html", "https://baohaiduong.vn/chuyen-muc/kinh-te/5?page=2",
                 "listing", "next_page", "https://baohaiduong.vn/chuyen-muc/kinh-te/5?page=3",
                 id="legacy-listing"),
    pytest.param("current-section.html", "https://baohaiduong.vn/van-hoa/p2", "listing",
                 "next_page", "https://baohaiduong.vn/van-hoa/p3", id="current-listing"),
    pytest.param("sitemap-index.xml", "https://baohaiduong.vn/sitemap.xml", "sitemap", "sitemaps",
                 ["https://baohaiduong.vn/sitemap-2024-05.xml",
                  "https://baohaiduong.vn/sitemap-2024-04.xml"],
                 id="sitemap-index"),
]
# fmt: on


@pytest.mark.parametrize(("fixture", "url", "kind", "key", "value"), OK_ROWS)
def test_parse_ok(capsysbinary, fixture: str, url: str, kind: str, key: str, value: Any):
    code, out, err = run(capsysbinary, str(FIXTURES / fixture), "--url", url, "--kind", kind)
    assert code == EXIT_OK, err
    assert err == b""
    assert assert_utf8_json(out)[key] == value


def test_rss_entries_with_dates(capsysbinary):
    code, out, _ = run(
        capsysbinary,
        str(FIXTURES / "legacy-rss.xml"),
        "--url",
        "https://baohaiduong.vn/rss/kinh-te.rss",
        "--kind",
        "rss",
    )
    assert code == EXIT_OK
    entries = assert_utf8_json(out)["entries"]
    assert [e["published_at"] for e in entries] == [
        "2022-03-15T08:05:09+07:00",
        "2022-03-14T16:40:00+07:00",
        "2022-03-13T09:15:00+07:00",
        None,
    ]


def test_article_json_is_readable_vietnamese(capsysbinary):
    _, out, _ = run(capsysbinary, str(FIXTURES / "legacy-article.html"), "--url", LEGACY_URL)
    assert "Khởi công cầu vượt".encode() in out
    record = assert_utf8_json(out)
    assert list(record)[:3] == ["url", "source_id", "site"]
    assert record["provenance"]["body"] == "layout:legacy"


def test_no_provenance_flag(capsysbinary):
    _, out, _ = run(
        capsysbinary, str(FIXTURES / "legacy-article.html"), "--url", LEGACY_URL, "--no-provenance"
    )
    assert "provenance" not in assert_utf8_json(out)


def test_standard_input(capsysbinary, monkeypatch):
    import io

    data = (FIXTURES / "current-article.html").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    code, out, _ = run(capsysbinary, "-", "--url", CURRENT_URL)
    assert code == EXIT_OK
    assert assert_utf8_json(out)["source_id"] == "401122"


# (bytes or fixture name, url, kind, words the reason must contain)
# fmt: off
REFUSED: list[Any] = [
    pytest.param(b"", LEGACY_URL, "article", "empty", id="empty-file"),
    pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), LEGACY_URL, "article",
                 "binary", id="binary-bytes"),
    pytest.param("legacy-section.html", "https://baohaiduong.vn/chuyen-muc/kinh-te/5", "article",
                 "listing", id="listing-as-article"),
    pytest.param(b"<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1>"
                 b"</body></html>", LEGACY_URL, "article", "error page", id="bare-error-page"),
    pytest.param("error-404.html", LEGACY_URL, "article", "error page", id="error-page-with-text"),
    pytest.param("legacy-article.html", LEGACY_URL, "listing", "listing", id="article-as-listing"),
    pytest.param("legacy-article.html", "https://baohaiduong.vn/rss/home.rss", "rss", "feed",
                 id="html-as-feed"),
    pytest.param(b"<urlset></urlset>", "https://baohaiduong.vn/sitemap.xml", "sitemap", "sitemap",
                 id="empty-sitemap"),
]
# fmt: on


@pytest.mark.parametrize(("raw", "url", "kind", "reason"), REFUSED)
def test_not_parseable_exit_3(tmp_path, capsysbinary, raw: Any, url: str, kind: str, reason: str):
    path = str(FIXTURES / raw) if isinstance(raw, str) else write(tmp_path, "page.html", raw)
    code, out, err = run(capsysbinary, path, "--url", url, "--kind", kind)
    assert code == EXIT_NOT_PARSEABLE
    assert out == b""
    lines = err.decode("utf-8").splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"{url}: not a parseable ")
    assert reason in lines[0]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(["--url", "https://vnexpress.net/a-1.html", "--kind", "listing"],
                     "no site profile", id="foreign-host-listing"),
        pytest.param(["--url", LEGACY_URL, "--site", "khong-co"], "no site profile",
                     id="unknown-site"),
    ],
)  # fmt: skip
def test_usage_errors_exit_2(capsysbinary, argv: list[str], message: str):
    code, out, err = run(capsysbinary, str(FIXTURES / "legacy-article.html"), *argv)
    assert code == EXIT_USAGE
    assert out == b""
    assert message in err.decode("utf-8")


def test_missing_file_exit_2(tmp_path, capsysbinary):
    code, _, err = run(capsysbinary, str(tmp_path / "khong-co.html"), "--url", LEGACY_URL)
    assert code == EXIT_USAGE
    assert "cannot read" in err.decode("utf-8")


def _console_script() -> list[str]:
    script = Path(sys.executable).with_name("newsbot")
    return [str(script)] if script.exists() else [sys.executable, "-m", "newsbot.cli"]


def test_console_script_subprocess(tmp_path):
    ok = subprocess.run(
        [*_console_script(), "parse", str(FIXTURES / "current-article.html"), "--url", CURRENT_URL],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    assert_utf8_json(ok.stdout)
    assert "Nhị Châu".encode() in ok.stdout

    listing = str(FIXTURES / "current-section.html")
    refused = subprocess.run(
        [*_console_script(), "parse", listing, "--url", "https://baohaiduong.vn/van-hoa/p2"],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert refused.returncode == 3
    assert refused.stdout == b""
    lines = refused.stderr.decode("utf-8").splitlines()
    assert len(lines) == 1
    assert "https://baohaiduong.vn/van-hoa/p2" in lines[0] and "listing" in lines[0]


def _legacy(edit: Any) -> bytes:
    return edit((FIXTURES / "legacy-article.html").read_text(encoding="utf-8")).encode("utf-8")


BROKEN_JSONLD = '<script type="application/ld+json">{"@type": "NewsArticle", "headline": </script>'
PADDING = "<p>Bạn đọc bình luận: cảm ơn phóng viên.</p>\n" * 250_000  # > 10 MB


# fmt: off
PARSEABLE: list[Any] = [
    pytest.param(lambda t: t.replace("</head>", BROKEN_JSONLD + "</head>"),
                 lambda r: "JSON-LD" in r["problems"]["structured"], id="broken-jsonld"),
    pytest.param(lambda t: t[: t.index("nhà thầu bảo đảm")],
                 lambda r: r["body"].endswith("yêu cầu"), id="truncated-mid-body"),
    pytest.param(lambda t: t.replace('<div class="col-right', PADDING + '<div class="col-right'),
                 lambda r: r["author"] == "HOÀNG LINH", id="ten-megabyte-page"),
]
# fmt: on


@pytest.mark.parametrize(("edit", "check"), PARSEABLE)
def test_malformed_but_parseable_exit_0(tmp_path, capsysbinary, edit: Any, check: Any):
    path = write(tmp_path, "page.html", _legacy(edit))
    code, out, err = run(capsysbinary, path, "--url", LEGACY_URL)
    assert code == EXIT_OK, err
    record = assert_utf8_json(out)
    assert record["title"] == "Khởi công cầu vượt sông Thái Bình nối hai huyện phía Bắc"
    assert check(record)


# --- stats per site, sections, help -------------------------------------------------

GOOD = {"title": 1.0, "published_at": 1.0, "body": 0.98}
BROKEN = {"title": 0.1, "published_at": 0.9, "body": 0.05}


def _stored_run(store: Any, site: str, run_id: str, coverage: dict, status: str = "finished"):
    from tests.store.factories import article

    store.start_run(run_id, site, {})
    n = 1 if site == "baohaiduong" else 2
    record = article(n, site=site)
    store.write_batch([record], run_id)
    counts = {"seen": 10, "article_pages": 10} if coverage else {"seen": 0, "article_pages": 0}
    errors = [] if coverage else [{"url": "https://baohaiduong.vn/", "reason": "HTTP 429"}]
    store.finish_run(run_id, status, counts, coverage, {}, errors)


@pytest.fixture
def two_sites(store_target):
    """Site A (baohaiduong) broke in its latest run; site B (an other paper) crawled later
    and is fine: the latest run of any spider is B's, which used to hide A's break."""
    from newsbot.store import open_store

    with open_store(store_target) as store:
        _stored_run(store, "baohaiduong", "20240101T000000Z-aaaaaa", GOOD)
        _stored_run(store, "baohaiduong", "20240102T000000Z-aaaaab", BROKEN)
        _stored_run(store, "otherpaper", "20240103T000000Z-bbbbbb", GOOD)
    return store_target


def stats(capsys: Any, *argv: str) -> tuple[int, str, str]:
    code = main(["stats", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_stats_exits_1_when_any_site_dropped_even_if_the_latest_run_is_fine(two_sites, capsys):
    code, out, err = stats(capsys, "--store", two_sites)
    assert code == 1
    assert "== baohaiduong ==" in out and "== otherpaper ==" in out
    [alert] = err.splitlines()
    assert "baohaiduong" in alert and "20240102T000000Z-aaaaab" in alert
    assert "otherpaper" not in alert


@pytest.mark.parametrize(("site", "status"), [("otherpaper", 0), ("baohaiduong", 1)])
def test_stats_site_judges_that_site_only(two_sites, capsys, site, status):
    code, out, _ = stats(capsys, "--store", two_sites, "--site", site, "--json")
    assert code == status
    report = json.loads(out)
    assert report["site"] == site and report["ok"] is (status == 0)
    assert report["last_run"]["spider"] == site
    assert report["articles"] == 1, "only that site's articles"


def test_stats_json_lists_every_site(two_sites, capsys):
    code, out, _ = stats(capsys, "--store", two_sites, "--json")
    report = json.loads(out)
    assert code == 1 and report["ok"] is False
    assert {s: r["ok"] for s, r in report["sites"].items()} == {
        "baohaiduong": False,
        "otherpaper": True,
    }


def test_stats_alerts_on_a_latest_run_that_fetched_nothing_it_needed(store_target, capsys):
    from newsbot.store import open_store

    with open_store(store_target) as store:
        _stored_run(store, "baohaiduong", "20240101T000000Z-aaaaaa", GOOD)
        # A 429 storm: no article fetched, so coverage still judges the run before it.
        _stored_run(store, "baohaiduong", "20240102T000000Z-aaaaab", {}, "nothing_fetched")
    code, _, err = stats(capsys, "--store", store_target)
    assert code == 1
    assert "fetched nothing it needed: nothing_fetched (HTTP 429)" in err


def test_stats_unknown_site_and_missing_store_exit_2(two_sites, tmp_path, capsys):
    code, _, err = stats(capsys, "--store", two_sites, "--site", "nope")
    assert code == EXIT_USAGE and "unknown site 'nope'" in err and "otherpaper" in err
    code, _, err = stats(capsys, "--store", str(tmp_path / "none.db"))
    assert code == EXIT_USAGE and "no store at" in err


def test_sections_lists_key_first_then_name_and_portal_slug(capsysbinary):
    from newsbot.feeds.layout import feed_stem
    from newsbot.sites import get_site

    assert main(["sections", "--site", "baohaiduong", "--json"]) == EXIT_OK
    rows = json.loads(capsysbinary.readouterr().out)["baohaiduong"]
    assert [r["slug"] for r in rows] == list(get_site("baohaiduong").sections)
    assert list(rows[0]) == ["key", "name", "slug", "feed"]
    science = next(r for r in rows if r["name"] == "Khoa học - Giáo dục")
    assert science["slug"] == "khoa-hoc---giao-duc"
    assert science["key"] == science["feed"] == "khoa-hoc-giao-duc" == feed_stem(science["name"])
    politics = next(r for r in rows if r["name"] == "Chính trị")
    assert politics["key"] == politics["slug"] == politics["feed"] == "chinh-tri"
    assert main(["sections"]) == EXIT_OK
    text = capsysbinary.readouterr().out.decode("utf-8")
    assert "baohaiduong  chinh-tri " in text and "Khoa học - Giáo dục" in text
    # The key comes first; where the portal's slug differs, the listing says so.
    line = next(x for x in text.splitlines() if "Khoa học - Giáo dục" in x)
    assert line.startswith("baohaiduong  khoa-hoc-giao-duc ")
    assert line.endswith("(portal: khoa-hoc---giao-duc)")
    politics_line = next(x for x in text.splitlines() if "Chính trị" in x and "baohaiduong" in x)
    assert "portal:" not in politics_line
    assert main(["sections", "--site", "nope"]) == EXIT_USAGE


def test_help_is_plain_text_with_exit_statuses_and_version(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert "``" not in out and "exit status:" in out
    for code in (0, 1, 2, 3, 75, 130):
        assert f"{code:>3}  " in out
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.startswith("newsbot 0.")


def test_schema_command_prints_the_shipped_schema(capsysbinary):
    from newsbot.record import shipped_json_schema

    assert main(["schema"]) == EXIT_OK
    assert json.loads(capsysbinary.readouterr().out) == shipped_json_schema()


def test_ctrl_c_is_status_130_with_one_line(monkeypatch, capsys):
    import newsbot.cli as cli

    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "cmd_sections", interrupted)
    assert main(["sections"]) == 130
    assert capsys.readouterr().err == "newsbot: interrupted\n"


def test_finding_10_parse_says_when_a_lying_charset_was_corrected(tmp_path, capsysbinary):
    # The legacy page's own bytes (UTF-8) under a meta that says windows-1252.
    page = _legacy(lambda t: t.replace("charset=utf-8", "charset=windows-1252"))
    assert b"charset=windows-1252" in page
    code, out, err = run(capsysbinary, write(tmp_path, "page.html", page), "--url", LEGACY_URL)
    assert code == EXIT_OK, err
    assert assert_utf8_json(out)["title"] == (
        "Khởi công cầu vượt sông Thái Bình nối hai huyện phía Bắc"
    )
    assert err.decode("utf-8").splitlines() == [
        f"{LEGACY_URL}: charset corrected: declared charset windows-1252, decoded as utf-8"
    ]
