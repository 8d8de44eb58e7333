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
        pytest.param(["--url", "https://vnexpress.net/a-1.html"], "no site profile",
                     id="foreign-host"),
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
