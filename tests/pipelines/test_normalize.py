"""NormalizePipeline: one row per text quirk seen on Vietnamese news pages."""

from __future__ import annotations

import pytest

from newsbot.pipelines.normalize import NormalizePipeline, normalize_record


@pytest.mark.parametrize(
    "field, raw, expected",
    [
        pytest.param("title", "Tie\u0302\u0301u đề", "Tiếu đề", id="nfd-composed-to-nfc"),
        pytest.param("title", "  Hải\u00a0Dương \t mới ", "Hải Dương mới", id="nbsp-and-tabs"),
        pytest.param("title", "Hải\u200b Dương\ufeff", "Hải Dương", id="zero-width-and-bom"),
        pytest.param("lead", "Dòng một\nDòng hai", "Dòng một Dòng hai", id="lead-one-line"),
        pytest.param(
            "body",
            " Đoạn  một.\u00a0\n\n\n  Đoạn\nhai. \n \n",
            "Đoạn một.\n\nĐoạn hai.",
            id="body-keeps-paragraphs",
        ),
        pytest.param("author", "   ", None, id="blank-is-absent"),
        pytest.param(
            "tags",
            ["Thể thao", "Thể  thao", "Bóng đá"],
            ["Thể thao", "Bóng đá"],
            id="tags-deduped-in-order",
        ),
        pytest.param(
            "images",
            [
                {"url": "https://bhd.1cdn.vn/a.jpg", "caption": " Ảnh:  PV "},
                {"url": "https://bhd.1cdn.vn/a.jpg", "caption": "lặp"},
                {"url": "https://bhd.1cdn.vn/b.jpg", "caption": ""},
            ],
            [
                {"url": "https://bhd.1cdn.vn/a.jpg", "caption": "Ảnh: PV"},
                {"url": "https://bhd.1cdn.vn/b.jpg", "caption": None},
            ],
            id="images-deduped-by-url-captions-cleaned",
        ),
        pytest.param(
            "published_at",
            "2021-01-22T17:11:16+07:00",
            "2021-01-22T17:11:16+07:00",
            id="dates-untouched",
        ),
    ],
)
def test_normalize_field(field, raw, expected):
    assert normalize_record({field: raw})[field] == expected


def test_internal_keys_and_provenance_untouched():
    raw = b"<html>  \xe1\xba\xa1  </html>"
    record = {"_raw_html": raw, "_fetched_url": " x ", "provenance": {"title": " layout:legacy"}}
    assert NormalizePipeline().process_item(dict(record)) == record
