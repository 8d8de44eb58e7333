import csv
import io
import json

import pytest

from newsbot.feeds.csvfile import CSV_COLUMNS, csv_cell, write_csv, write_csv_to

from .conftest import make_article


def read_back(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


def test_csv_parses_back(tmp_path, current_article):
    tricky = make_article(
        2,
        title='Tiêu đề có "ngoặc kép", dấu phẩy và\r\nxuống dòng',
        author=None,
        duplicate_of=current_article["url"],
    )
    path = tmp_path / "export.csv"
    assert write_csv(path, [current_article, tricky]) == 2
    data = path.read_bytes()

    assert data.startswith(",".join(CSV_COLUMNS).encode() + b"\r\n")
    rows = read_back(data)
    assert len(rows) == 2
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert rows[0]["title"] == current_article["title"]
    assert rows[0]["body"] == current_article["body"]
    assert json.loads(rows[0]["images"]) == current_article["images"]
    assert json.loads(rows[0]["tags"]) == ["học tập suốt đời", "văn hóa đọc"]
    assert rows[0]["media"] == ""  # absent optional field
    assert rows[1]["title"] == tricky["title"]
    assert rows[1]["author"] == ""
    assert rows[1]["duplicate_of"] == current_article["url"]
    assert rows[1]["version"] == "1"


def test_header_only_when_empty_and_stream_left_open():
    out = io.BytesIO()
    assert write_csv_to(out, []) == 0
    assert not out.closed
    assert out.getvalue() == ",".join(CSV_COLUMNS).encode() + b"\r\n"


def test_cells():
    assert csv_cell(None) == ""
    assert csv_cell(3) == "3"
    assert csv_cell(["Hải Dương"]) == '["Hải Dương"]'
    assert csv_cell({"url": "u", "caption": None}) == '{"url": "u", "caption": null}'


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        pytest.param(
            '=HYPERLINK("http://x.invalid","Bấm")',
            '\'=HYPERLINK("http://x.invalid","Bấm")',
            id="equals",
        ),
        pytest.param("+84 220 3855 555", "'+84 220 3855 555", id="plus"),
        pytest.param("- Đoạn mở đầu bằng gạch", "'- Đoạn mở đầu bằng gạch", id="minus"),
        pytest.param("@SUM(1+1)", "'@SUM(1+1)", id="at"),
        pytest.param("\t=1+1", "'\t=1+1", id="tab"),
        pytest.param("\r=1+1", "'\r=1+1", id="carriage-return"),
        pytest.param("Hải Dương = quê lúa", "Hải Dương = quê lúa", id="equals-inside-is-text"),
        pytest.param(["=1+1"], '["=1+1"]', id="list-is-json"),
    ],
)
def test_csv_formula_injection_neutralised(value, cell):
    assert csv_cell(value) == cell
    out = io.BytesIO()
    write_csv_to(out, [make_article(1, title=value)])
    assert read_back(out.getvalue())[0]["title"] == cell


def test_csv_list_cells_are_json():
    record = make_article(1, related=[{"url": "https://baohaiduong.vn/a-1.html", "title": "A"}])
    out = io.BytesIO()
    write_csv_to(out, [record])
    row = read_back(out.getvalue())[0]
    for field in ("images", "related", "tags"):
        assert json.loads(row[field]) == record[field], f"{field} is not JSON: {row[field]!r}"


def test_scrapy_csv_exporter_writes_lists_as_json_and_neutralises_formulas():
    from newsbot.feeds.exporters import CsvItemExporter

    record = make_article(1, title="=1+1", related=[{"url": "https://baohaiduong.vn/a-1.html"}])
    out = io.BytesIO()
    exporter = CsvItemExporter(out)
    exporter.start_exporting()
    exporter.export_item(record)
    exporter.finish_exporting()
    row = read_back(out.getvalue())[0]
    assert list(row) == list(CSV_COLUMNS)
    assert json.loads(row["tags"]) == record["tags"]
    assert json.loads(row["related"]) == record["related"]
    assert row["title"] == "'=1+1"
    assert row["media"] == ""


def test_settings_use_the_newsbot_csv_exporter():
    from scrapy.utils.project import get_project_settings

    assert get_project_settings().getdict("FEED_EXPORTERS")["csv"] == (
        "newsbot.feeds.exporters.CsvItemExporter"
    )
