"""newsbot export against a real SQLite store."""

import argparse
import csv
import io
import json

import pytest
from lxml import etree

from newsbot.feeds.export import add_export_arguments, run_export
from newsbot.store import open_store

from .conftest import make_article
from .test_publish import incoming

NS = {"a": "http://www.w3.org/2005/Atom"}
URL = {n: make_article(n)["url"] for n in range(30)}


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("export") / "newsbot.db"
    store = open_store(path)
    # Articles 0-15 on 4 Oct; 16-19 on 5 Oct (16 is 00:00 +07:00, still 4 Oct in UTC);
    # 18 is in "Thể thao"; 19 is a near-duplicate of 2.
    records = [incoming(n) for n in range(18)]
    records.append(incoming(18, section="Thể thao"))
    records.append(incoming(19, duplicate_of=URL[2]))
    store.write_batch(records, "run-1")
    store.close()
    return path


def export(capsysbinary, *argv):
    parser = argparse.ArgumentParser(prog="newsbot export")
    add_export_arguments(parser)
    status = run_export(parser.parse_args(list(argv)))
    out, err = capsysbinary.readouterr()
    return status, out, err.decode("utf-8")


@pytest.mark.parametrize(
    ("argv", "urls"),
    [
        pytest.param([], [*range(19)], id="everything-oldest-first-no-duplicates"),
        pytest.param(["--include-duplicates"], [*range(20)], id="duplicates-on-request"),
        pytest.param(["--since", "2024-10-05"], [16, 17, 18], id="since-local-midnight-not-utc"),
        pytest.param(
            ["--until", "2024-10-04", "--since", "2024-10-04"], [*range(16)], id="one-day"
        ),
        pytest.param(["--section", "Thể thao"], [18], id="one-section"),
        pytest.param(["--limit", "2"], [0, 1], id="limit"),
        pytest.param(["--since", "2024-11-01"], [], id="nothing-in-range"),
    ],
)
def test_jsonl_to_stdout(capsysbinary, store_path, argv, urls):
    status, out, err = export(capsysbinary, "--store", str(store_path), *argv)
    assert (status, err) == (0, "")
    text = out.decode("utf-8")
    assert "\\u" not in text
    assert [json.loads(line)["url"] for line in text.splitlines()] == [URL[n] for n in urls]


def test_csv_to_file(capsysbinary, store_path, tmp_path):
    target = tmp_path / "out" / "export.csv"
    status, out, err = export(
        capsysbinary, "--store", str(store_path), "--format", "csv", "--output", str(target)
    )
    assert (status, out, err) == (0, b"", "")
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"), newline="")))
    assert [r["url"] for r in rows] == [URL[n] for n in range(19)]
    assert rows[0]["section"] == "Xã hội"
    assert json.loads(rows[0]["tags"]) == ["chuyển đổi số", "Hải Dương"]


def test_atom_and_json_newest_first(capsysbinary, store_path):
    status, out, _ = export(capsysbinary, "--store", str(store_path), "--format", "atom")
    assert status == 0
    ids = etree.fromstring(out).xpath("a:entry/a:id/text()", namespaces=NS)
    assert ids == [URL[n] for n in range(18, -1, -1)]

    status, out, _ = export(
        capsysbinary,
        "--store",
        f"sqlite:///{store_path}",
        "--format",
        "json",
        "--section",
        "Xã hội",
    )
    assert status == 0
    feed = json.loads(out)
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] == "baohaiduong: Xã hội"
    assert [i["id"] for i in feed["items"]] == [URL[n] for n in (17, *range(16, -1, -1))]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(["--store", "{missing}"], "store not found", id="store-missing"),
        pytest.param(["--since", "2024-13-01"], "--since '2024-13-01'", id="bad-month"),
        pytest.param(
            ["--until", "05/10/2024"], "expected a date as YYYY-MM-DD", id="portal-date-format"
        ),
        pytest.param(
            ["--since", "2024-10-05", "--until", "2024-10-04"],
            "is after --until",
            id="range-reversed",
        ),
        pytest.param(["--output", "{dir}"], "cannot write", id="output-is-a-directory"),
        pytest.param(
            ["--store", "postgresql://nobody:secret@127.0.0.1:1/none"],
            "cannot open store postgresql://127.0.0.1:1/none",
            id="unreachable-postgres-password-hidden",
        ),
    ],
)
def test_errors_are_one_line_exit_2(capsysbinary, store_path, tmp_path, argv, message):
    argv = [a.format(missing=tmp_path / "nope.db", dir=tmp_path) for a in argv]
    if "--store" not in argv:
        argv += ["--store", str(store_path)]
    status, out, err = export(capsysbinary, *argv)
    assert status == 2
    assert out == b""
    assert err.count("\n") == 1 and err.startswith("newsbot export: ")
    assert message in err
    assert "secret" not in err
    assert not (tmp_path / "nope.db").exists(), "a missing store must not be created"


def test_store_from_environment(capsysbinary, store_path, monkeypatch):
    monkeypatch.setenv("NEWSBOT_STORE", str(store_path))
    status, out, _ = export(capsysbinary, "--limit", "1")
    assert status == 0
    assert json.loads(out)["url"] == URL[0]


@pytest.fixture(scope="module")
def two_sites(tmp_path_factory):
    """Two papers in one store, each with a "Khoa học - Giáo dục" section."""
    path = tmp_path_factory.mktemp("export-sites") / "newsbot.db"
    with open_store(path) as store:
        store.write_batch(
            [
                incoming(1, section="Khoa học - Giáo dục"),
                incoming(2),
                incoming(
                    3,
                    site="baohaiphong",
                    url="https://baohaiphong.vn/bai-3.html",
                    section="Khoa học - Giáo dục",
                ),
            ],
            "run-1",
        )
    return path


@pytest.mark.parametrize(
    ("argv", "urls"),
    [
        pytest.param(["--site", "baohaiduong"], [URL[1], URL[2]], id="one-site"),
        pytest.param(["--site", "baohaiphong"], ["https://baohaiphong.vn/bai-3.html"], id="other"),
        pytest.param(
            ["--section", "khoa-hoc-giao-duc"],
            [URL[1], "https://baohaiphong.vn/bai-3.html"],
            id="section-by-slug",
        ),
        pytest.param(["--section", "Xa hoi"], [URL[2]], id="section-unaccented"),
        pytest.param(
            ["--site", "baohaiduong", "--section", "Khoa học - Giáo dục"],
            [URL[1]],
            id="site-and-section",
        ),
    ],
)
def test_export_site_and_section(capsysbinary, two_sites, argv, urls):
    status, out, err = export(capsysbinary, "--store", str(two_sites), *argv)
    assert (status, err) == (0, "")
    assert [json.loads(line)["url"] for line in out.decode().splitlines()] == urls


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(
            ["--section", "Giáo dục"],
            "no section 'Giáo dục' in the store; did you mean 'Khoa học - Giáo dục'?",
            id="readme-example-near-match",
        ),
        pytest.param(
            ["--site", "baohaiphong", "--section", "Xã hội"],
            "no section 'Xã hội' of site 'baohaiphong' in the store; the store has"
            " 'Khoa học - Giáo dục'",
            id="section-of-another-site",
        ),
        pytest.param(
            ["--site", "baohaiduon"],
            "no site 'baohaiduon' in the store; did you mean 'baohaiduong' or 'baohaiphong'?",
            id="site-typo",
        ),
    ],
)
def test_unknown_section_or_site_exits_2_with_near_match(capsysbinary, two_sites, argv, message):
    status, out, err = export(capsysbinary, "--store", str(two_sites), *argv)
    assert (status, out) == (2, b"")
    assert err == f"newsbot export: {message}\n"
