import csv
import io
import json

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
