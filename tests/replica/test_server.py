"""The replica over real HTTP on 127.0.0.1: routes, hosts, robots, faults, edits, the log."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import lxml.etree
import lxml.html
import pytest

from replica import SECTIONS, FaultConfig, Replica
from replica.server import LOOP_A, LOOP_B, OVERSIZED

from .reference import canonical, listing_links, read_article


def fetch(origin: str, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    """One request without following redirects."""
    parts = urlsplit(origin)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request("GET", path, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()


def first_article(replica: Replica, layout: str) -> str:
    meta = next(m for m in replica.portal.articles if m.layout == layout and not m.hidden)
    return meta.path


@pytest.mark.parametrize(
    ("path", "status", "content_type"),
    [
        pytest.param("/", 200, "text/html; charset=utf-8", id="home"),
        pytest.param("/robots.txt", 200, "text/plain; charset=utf-8", id="robots"),
        pytest.param("/sitemap.xml", 200, "application/xml; charset=utf-8", id="sitemap"),
        pytest.param("/rss/home.rss", 200, "application/rss+xml; charset=utf-8", id="home-feed"),
        pytest.param("/rss/kinh-te.rss", 200, "application/rss+xml; charset=utf-8", id="feed"),
        pytest.param("/chuyen-muc/kinh-te/5", 200, "text/html; charset=utf-8", id="legacy-list"),
        pytest.param(
            "/chuyen-muc/kinh-te/5?page=2", 200, "text/html; charset=utf-8", id="legacy-p2"
        ),
        pytest.param("/kinh-te/", 200, "text/html; charset=utf-8", id="current-list"),
        pytest.param("/kinh-te/p2", 200, "text/html; charset=utf-8", id="current-p2"),
        pytest.param("/files/doc/bao-cao.pdf", 200, "application/pdf", id="pdf"),
        pytest.param("/tim-kiem?q=abc", 200, "text/html; charset=utf-8", id="search"),
        pytest.param("/private/ban-tin-1-991", 200, "text/html; charset=utf-8", id="private"),
        pytest.param(
            "/chuyen-muc/kinh-te/6", 404, "text/html; charset=utf-8", id="wrong-section-id"
        ),
        pytest.param(
            "/chuyen-muc/kinh-te/5?page=99", 404, "text/html; charset=utf-8", id="past-last-page"
        ),
        pytest.param(
            "/kinh-te/sai-duong-dan-1", 404, "text/html; charset=utf-8", id="unknown-article"
        ),
        pytest.param("/rss/khong-co.rss", 404, "text/html; charset=utf-8", id="unknown-feed"),
    ],
)
def test_routes(replica, path, status, content_type):
    got, headers, body = fetch(replica.origin, path)
    assert (got, headers["Content-Type"]) == (status, content_type)
    assert int(headers["Content-Length"]) == len(body)


@pytest.mark.parametrize("layout", ["legacy", "current"])
def test_article_pages_are_served_with_their_ground_truth(replica, layout):
    path = first_article(replica, layout)
    status, headers, body = fetch(replica.origin, path)
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    record = replica.portal.record(replica.portal.by_path[path])
    got = read_article(body.decode(), record["url"])
    assert got["title"] == record["title"] and got["body"] == record["body"]


@pytest.mark.parametrize(
    "host",
    ["baohaiduong.vn", "www.baohaiduong.vn", "m.baohaiduong.vn", "tab.baohaiduong.vn"],
)
def test_host_and_query_do_not_change_the_page(replica, host):
    path = first_article(replica, "legacy")
    _, _, plain = fetch(replica.origin, path)
    status, _, mirrored = fetch(
        replica.origin, path + "?utm_source=rss&utm_medium=feed", {"Host": host}
    )
    assert status == 200 and mirrored == plain
    assert replica.request_log[-1].host == host
    assert replica.request_log[-1].path == path + "?utm_source=rss&utm_medium=feed"


def test_robots_txt(replica):
    _, _, body = fetch(replica.origin, "/robots.txt")
    lines = body.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /tim-kiem" in lines and "Disallow: /private/" in lines
    assert "Crawl-delay: 0" in lines


def test_crawl_delay_is_configurable(replica_factory):
    slow = replica_factory(articles=10, crawl_delay=0.5)
    _, _, body = fetch(slow.origin, "/robots.txt")
    assert "Crawl-delay: 0.5" in body.decode().splitlines()


def test_pages_link_urls_robots_forbids(replica):
    _, _, home = fetch(replica.origin, "/")
    hrefs = [a.get("href") for a in lxml.html.fromstring(home).cssselect("a")]
    assert any(h.startswith("/private/") for h in hrefs)
    assert any(h.startswith("/tim-kiem?") for h in hrefs)


def _listed_everywhere(replica: Replica) -> set[str]:
    """Canonical URLs in every listing page (both styles), every feed and the sitemap."""
    found: set[str] = set()
    for sec in SECTIONS:
        for start in (sec.legacy_path, sec.current_path):
            path: str | None = start
            while path:
                status, _, body = fetch(replica.origin, path)
                assert status == 200, path
                links, path = listing_links(body.decode())
                found.update(links)
        _, _, feed = fetch(replica.origin, f"/rss/{sec.slug}.rss")
        found.update(
            canonical(i.findtext("link")) for i in lxml.etree.fromstring(feed).iter("item")
        )
    _, _, feed = fetch(replica.origin, "/rss/home.rss")
    found.update(canonical(i.findtext("link")) for i in lxml.etree.fromstring(feed).iter("item"))
    _, _, sitemap = fetch(replica.origin, "/sitemap.xml")
    found.update(e.text for e in lxml.etree.fromstring(sitemap).iter() if e.tag.endswith("loc"))
    return found


def test_hidden_articles_are_in_no_listing_feed_or_sitemap(replica):
    found = _listed_everywhere(replica)
    hidden = {replica.article_url(sid) for sid in replica.hidden_ids}
    assert hidden and not hidden & found
    everything = {r["url"] for r in replica.ground_truth()}
    assert found & everything == everything - hidden


def test_cross_posts_appear_in_two_listings(replica):
    for sid in replica.cross_posted_ids[:3]:
        meta = replica.portal.articles[replica.portal.by_id[sid]]
        for sec in (meta.section, meta.extra_section):
            urls: list[str] = []
            path: str | None = sec.current_path
            while path:
                _, _, body = fetch(replica.origin, path)
                links, path = listing_links(body.decode())
                urls += links
            assert meta.url in urls, (sid, sec.slug)


def _paths_with(replica: Replica, fault: str) -> list[str]:
    paths = [m.path for m in replica.portal.articles if not m.hidden]
    return [p for p in paths if replica._fault_for(p, "article") == fault]


@pytest.fixture
def faulty(replica_factory) -> Replica:
    return replica_factory(articles=300, seed=1, faults=FaultConfig.all(), oversized_bytes=50_000)


@pytest.mark.parametrize(
    ("fault", "first_status"),
    [
        pytest.param("error_burst", {500, 503}, id="error-burst"),
        pytest.param("rate_limit", {429}, id="rate-limit"),
        pytest.param("slow", {200}, id="slow"),
    ],
)
def test_http_faults_are_transient(faulty, fault, first_status):
    path = _paths_with(faulty, fault)[0]
    status, headers, _ = fetch(faulty.origin, path)
    assert status in first_status
    if fault == "rate_limit":
        assert headers["Retry-After"] == "1"
    statuses = [status] + [fetch(faulty.origin, path)[0] for _ in range(2)]
    assert statuses[-1] == 200 and 200 in statuses[1:]


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        pytest.param("drop", http.client.RemoteDisconnected, id="drop"),
        pytest.param("truncate", http.client.IncompleteRead, id="truncate"),
    ],
)
def test_connection_faults_are_transient(faulty, fault, error):
    path = _paths_with(faulty, fault)[0]
    with pytest.raises(error):
        fetch(faulty.origin, path)
    assert fetch(faulty.origin, path)[0] == 200
    assert faulty.request_log[-2].status == (0 if fault == "drop" else 200)


def test_faults_are_off_by_default(replica):
    for path in [m.path for m in replica.portal.articles][:40]:
        assert fetch(replica.origin, path)[0] == 200


def test_fault_shares_hit_every_mode(faulty):
    for fault, _share in FaultConfig.SHARES:
        assert _paths_with(faulty, fault), fault


def test_redirect_chain_reaches_the_article(faulty):
    _, _, home = fetch(faulty.origin, "/")
    hrefs = [a.get("href") for a in lxml.html.fromstring(home).cssselect("a")]
    start = next(h for h in hrefs if h.startswith("/tin-cu/"))
    sid = start.rsplit("-", 1)[1]
    hops = []
    path = start
    for _ in range(3):
        status, headers, _ = fetch(faulty.origin, path)
        hops.append(status)
        if status != 301:
            break
        path = headers["Location"]
    assert hops[:2] == [301, 301]  # the article itself may play a transient fault
    assert path == urlsplit(faulty.article_url(sid)).path


def test_redirect_loop_loops(faulty):
    _, _, home = fetch(faulty.origin, "/")
    assert f'href="{LOOP_A}"'.encode() in home
    status_a, headers_a, _ = fetch(faulty.origin, LOOP_A)
    status_b, headers_b, _ = fetch(faulty.origin, LOOP_B)
    assert (status_a, headers_a["Location"]) == (301, LOOP_B)
    assert (status_b, headers_b["Location"]) == (301, LOOP_A)
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(faulty.origin + LOOP_A, timeout=10)


def test_oversized_and_document_links(faulty):
    _, _, home = fetch(faulty.origin, "/")
    hrefs = [a.get("href") for a in lxml.html.fromstring(home).cssselect("a")]
    big = next(h for h in hrefs if h == OVERSIZED)
    status, _, body = fetch(faulty.origin, big)
    assert status == 200 and len(body) == 50_000
    doc = next(h for h in hrefs if h.startswith("/files/doc/") and not h.endswith(".pdf"))
    status, headers, body = fetch(faulty.origin, doc)
    assert headers["Content-Type"] == "application/pdf" and body.startswith(b"%PDF")


def test_edit_article_changes_the_served_body(replica_factory):
    r = replica_factory(articles=30, seed=3)
    meta = next(m for m in r.portal.articles if m.layout == "current")
    before = read_article(fetch(r.origin, meta.path)[2].decode(), meta.url)
    r.edit_article(meta.source_id, "Bài viết được cập nhật thêm thông tin mới.")
    after = read_article(fetch(r.origin, meta.path)[2].decode(), meta.url)
    assert after["body"] == before["body"] + "\n\nBài viết được cập nhật thêm thông tin mới."
    assert after["modified_at"] != before.get("modified_at")
    record = r.portal.record(meta.index)
    assert (record["body"], record["modified_at"]) == (after["body"], after["modified_at"])


def test_ground_truth_file_is_json_lines(replica, tmp_path):
    path = replica.write_ground_truth(tmp_path / "truth.jsonl")
    text = path.read_text(encoding="utf-8")
    records = [json.loads(line) for line in text.splitlines()]
    assert records == replica.ground_truth()
    assert "\\u" not in text


def test_request_log_records_every_request(replica_factory):
    r = replica_factory(articles=10)
    fetch(r.origin, "/")
    fetch(r.origin, "/nope", {"Host": "m.baohaiduong.vn"})
    assert [(e.method, e.path, e.status) for e in r.request_log] == [
        ("GET", "/", 200),
        ("GET", "/nope", 404),
    ]
    assert r.request_log[1].host == "m.baohaiduong.vn"
    assert r.requests_to("/no") == [r.request_log[1]]
    r.clear_request_log()
    assert r.request_log == []


def test_stop_closes_the_port(replica_factory):
    r = replica_factory(articles=10)
    origin = r.origin
    r.stop()
    with pytest.raises(OSError):
        fetch(origin, "/")


def test_hostile_mode_serves_each_hostile_page_once_linked_from_home(replica_factory):
    from replica.hostile import BAD_HREF, KINDS, TOO_DEEP

    r = replica_factory(articles=60, seed=7, faults=FaultConfig(hostile=True))
    assert sorted(r.hostile_pages.values()) == sorted(KINDS)
    _, _, home = fetch(r.origin, "/")
    hrefs = [x.get("href") for x in lxml.html.fromstring(home).cssselect("a")]
    assert BAD_HREF in hrefs and TOO_DEEP in hrefs
    assert set(r.hostile_pages) <= set(hrefs)
    served = {kind: fetch(r.origin, path) for path, kind in r.hostile_pages.items()}
    assert served["nested"][2].count(b"<table><tbody><tr><td>") >= 300
    assert b"\x00" in served["nul"][2][:100]
    assert b'\\ud800"' in served["surrogate"][2]
    _, headers, body = served["charset"]
    assert headers["Content-Type"] == "text/html; charset=iso-8859-1"
    assert "Hải Dương".encode() in body  # UTF-8 bytes under a Latin-1 label
    assert all(status == 200 for status, _, _ in served.values())
    sec = SECTIONS[0]
    for path in (sec.legacy_path, sec.current_path):
        _, _, listing = fetch(r.origin, path)
        assert f'href="{BAD_HREF}"'.encode() in listing
    status, _, deep = fetch(r.origin, TOO_DEEP)
    assert status == 200 and deep.count(b"<span>") >= 1000


def test_hostile_mode_is_off_by_default(replica):
    from replica.hostile import BAD_HREF, TOO_DEEP

    _, _, home = fetch(replica.origin, "/")
    assert BAD_HREF.encode() not in home
    assert fetch(replica.origin, TOO_DEEP)[0] == 404
    assert replica.hostile_pages == {}
