"""The generic layout building blocks: the body walker and selector evaluation.

Regression tests for issue 11, finding 1 ("one page hangs every run forever"): a body
nested about a thousand levels deep made the recursive walker raise RecursionError
inside a cached, compiled XPath whose lock was never released, and the next page to
use that selector blocked for good. Every parse here runs in a worker thread with a
deadline, so a regression fails the test instead of hanging the suite.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from newsbot.extract.document import parse_html
from newsbot.sites import get_site
from newsbot.sites.base import ParseOutcome
from newsbot.sites.layout import BodyWalker, has_class, image_src, select

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "baohaiduong"
SITE = get_site("baohaiduong")
CURRENT_URL = "https://baohaiduong.vn/ra-mat-cau-lac-bo-ca-tru-phuong-nhi-chau-401122.html"
LEGACY_URL = (
    "https://baohaiduong.vn/kinh-te/khoi-cong-cau-vuot-song-thai-binh-noi-hai-huyen-phia-bac-160231"
)
DEADLINE = 20.0  # seconds; a parse takes milliseconds


def _nest(levels: int, inner: str) -> str:
    """``inner`` inside ``levels`` alternating div / span / table containers."""
    opening = ["<div>", "<span>", "<table><tr><td>"]
    closing = ["</div>", "</span>", "</td></tr></table>"]
    head = "".join(opening[k % 3] for k in range(levels))
    tail = "".join(closing[k % 3] for k in reversed(range(levels)))
    return head + inner + tail


def _deep_page(levels: int) -> bytes:
    """The current-layout fixture with a deeply nested container opening its body."""
    html = (FIXTURES / "current-article.html").read_text(encoding="utf-8")
    start = html.index('<div class="article__body')
    cut = html.index(">", start) + 1
    return (html[:cut] + _nest(levels, "<p>Đoạn văn nằm rất sâu.</p>") + html[cut:]).encode()


def _parse_in_thread(raw: bytes, url: str) -> ParseOutcome:
    """Parse in a fresh thread; fail (instead of hanging) when it does not finish."""
    result: list[Any] = []
    worker = threading.Thread(target=lambda: result.append(SITE.parse_article(raw, url)))
    worker.daemon = True  # a hung parse must not keep the test process alive
    worker.start()
    worker.join(DEADLINE)
    assert not worker.is_alive(), f"parsing {url} did not finish in {DEADLINE} s (hung)"
    return result[0]


def test_deeply_nested_body_parses_and_later_pages_still_parse():
    deep = _parse_in_thread(_deep_page(1000), CURRENT_URL)
    assert deep.ok, deep.error
    assert "Đoạn văn nằm rất sâu." in deep.record["body"]
    # The same selectors again, from this thread and from others, on pages with
    # containers in their bodies: none may wait on state the deep page left behind.
    for _ in range(2):
        deep_again = SITE.parse_article(_deep_page(1000), CURRENT_URL)
        assert deep_again.ok, deep_again.error
    for name, url in (("current-article.html", CURRENT_URL), ("legacy-article.html", LEGACY_URL)):
        outcome = _parse_in_thread((FIXTURES / name).read_bytes(), url)
        assert outcome.ok, outcome.error
        assert outcome.record["body"]


@pytest.mark.parametrize("levels", [3_000, 20_000], ids=["3k-levels", "20k-levels"])
def test_pathologically_nested_body_parses_or_fails_with_a_reason(levels: int):
    outcome = _parse_in_thread(_deep_page(levels), CURRENT_URL)
    assert outcome.ok or outcome.error
    if not outcome.ok:
        assert "RecursionError" not in outcome.error
    after = _parse_in_thread((FIXTURES / "current-article.html").read_bytes(), CURRENT_URL)
    assert after.ok, after.error


def test_walker_reads_a_thousand_levels_without_python_recursion():
    # The project's parser: lxml's default one stops at 256 levels.
    doc = parse_html(
        "<html><body><div id='b'>"
        + _nest(1000, "<p>một</p><figure><img src='/a.jpg'></figure><p>hai</p>")
        + "</div></body></html>"
    )
    body = doc.get_element_by_id("b")
    walker = BodyWalker()
    walker.walk(body)
    assert walker.paragraphs == ["một", "hai"]
    assert walker.images == [{"url": "/a.jpg", "caption": None}]


# One row per body quirk the walker must keep in document order.
WALKS: list[Any] = [
    pytest.param("<p>a</p><div><p>b</p><div><p>c</p></div></div><p>d</p>", ["a", "b", "c", "d"],
                 id="nested-containers-keep-document-order"),
    pytest.param("<div>plain text in a div</div>", ["plain text in a div"],
                 id="container-without-blocks-is-one-paragraph"),
    pytest.param("<div class='ads'><p>buy</p></div><p>text</p>", ["text"], id="ad-container-skipped"),
    pytest.param("<p>text</p><p>&gt;&gt; <a href='/x-1'>Other</a></p>", ["text"],
                 id="related-line-is-not-text"),
    pytest.param("<table><tr><td><p>cell</p></td></tr></table>", ["cell"], id="table-opened"),
]  # fmt: skip


@pytest.mark.parametrize(("html", "paragraphs"), WALKS)
def test_walker_quirks(html: str, paragraphs: list[str]):
    walker = BodyWalker()
    walker.walk(lxml.html.fromstring(f"<div>{html}</div>"))
    assert walker.paragraphs == paragraphs


def test_selectors_answer_from_many_threads_at_once():
    doc = lxml.html.fromstring(
        "<html><body>" + "".join(f"<p class='x y'>{i}</p>" for i in range(50)) + "</body></html>"
    )
    expr = f"//p[{has_class('x')}]"
    counts: list[int] = []
    threads = [
        threading.Thread(target=lambda: counts.extend(len(select(doc, expr)) for _ in range(200)))
        for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(DEADLINE)
    assert counts == [50] * 800


@pytest.mark.parametrize(
    ("attrs", "expected"),
    [
        pytest.param({"src": "/a.jpg"}, "/a.jpg", id="plain-src"),
        pytest.param({"src": "data:image/gif;base64,R0l", "data-src": "/b.jpg"}, "/b.jpg",
                     id="lazy-placeholder"),
        pytest.param({"data-srcset": "/c.jpg 2x"}, "/c.jpg", id="srcset-first-candidate"),
        pytest.param({"src": "data:image/gif;base64,R0l"}, None, id="only-a-data-uri"),
    ],
)  # fmt: skip
def test_image_src(attrs: dict[str, str], expected: str | None):
    img = lxml.html.Element("img", attrs)
    assert image_src(img) == expected


def test_class_selectors_read_without_xpath_select_what_xpath_selects():
    """The selectors of the walkable subset (chains of ``//tag[has_class(w)]`` steps,
    ``[@attr]``, ``[not(ancestor::t)]``, ``[ancestor::t[has_class(w)]]``, the
    ``(//a | //b)[...]`` group, and unions of them) are read with the tag iterators:
    the same elements in the same order as the XPath, class words split as XPath does."""
    import random

    import lxml.html

    from newsbot.extract.xpath import walk_plan
    from newsbot.sites.layout import has_class, select

    rng = random.Random(4)
    classes = ["x", "y", "x y", "xy", " x\t", "x\u00a0y", "X", "x-y"]
    exprs = [
        f"//div[{has_class('x')}]",
        f"//h2[{has_class('x')}] | //p[{has_class('y')}]",
        f"//p[{has_class('x-y')}] | //div[{has_class('x')}]",
        f"//h2[{has_class('x')}] | //p[{has_class('x')}]",
        f"//*[{has_class('y')}]",
        f"//div[{has_class('x')}]//p",
        f"//div[{has_class('x')}][not(ancestor::p)]//span//div",
        f"//div//*[{has_class('y')}] | //span[{has_class('x')}]",
        f"(//p | //div)[{has_class('x')}][ancestor::div[{has_class('y')}]]",
        f".//*[{has_class('x')}]//span[@title]",
        ".//p//div",
    ]
    assert all(walk_plan(e) for e in exprs)
    for _ in range(200):
        body = "".join(
            f'<{t} class="{rng.choice(classes)}">a<{u} class="{rng.choice(classes)}"'
            f'{rng.choice(["", " title=t"])}>b<{t} class="{rng.choice(classes)}">c</{t}></{u}></{t}>'
            for t, u in ((rng.choice("div p h2 span".split()), rng.choice("p span div".split())),)
            * 6
        )
        doc = lxml.html.document_fromstring(f"<html><body>{body}</body></html>")
        for node in (doc, doc[-1][0], *doc.iter("div")):
            for expr in exprs:
                assert select(node, expr) == node.xpath(expr), expr


def _layout_pages() -> list[tuple[str, bytes]]:
    """Article pages of every layout: the fixtures and replica pages (both baohaiduong
    layouts, both OneCMS templates, Báo Ví Dụ), NFD-stored ones among them."""
    from replica import pages
    from replica.generator import Portal
    from replica.onecms import OneCMSEdition, article_page
    from replica.vidu import Vidu

    fixtures = Path(__file__).resolve().parents[1] / "fixtures"
    found = [(str(p), p.read_bytes()) for p in sorted(fixtures.rglob("*.html"))]
    portal = Portal(40, 3)
    for meta in portal.articles:
        render = pages.legacy_article if meta.layout == "legacy" else pages.current_article
        found.append((meta.path, render(portal, meta, portal.content(meta.index)).encode()))
    edition = OneCMSEdition(20, 3, days=15)
    for i, story in enumerate(edition.stories):
        html = article_page(edition, i)
        found.append((story.new_path, html.encode()))
        if i < 5:
            import unicodedata

            found.append((f"{story.new_path} (NFD)", unicodedata.normalize("NFD", html).encode()))
    vidu = Vidu(20, 3)
    found += [(vidu.path(m), vidu.article(m).encode()) for m in vidu.metas]
    return found


def test_layouts_that_say_their_text_is_normalised_give_it_normalised():
    """Layout.text_normalized is a promise the profile relies on (it takes such text as
    it is): every string, paragraph, tag, caption and link title is a fixed point of
    normalize_text and no paragraph is empty."""
    from newsbot.extract.text import normalize_text
    from newsbot.sites import site_names

    layouts = {
        type(lay): lay
        for name in site_names()
        for lay in get_site(name).layouts_on()
        if lay.text_normalized
    }
    assert len(layouts) >= 4
    checked = 0
    for where, raw in _layout_pages():
        for layout in layouts.values():
            doc = parse_html(raw.decode("utf-8", "replace"))
            if not layout.is_article(doc):
                continue
            found = layout.extract(doc, "https://example.vn/a-1.html")
            texts: list[Any] = [
                v for k, v in found.items() if isinstance(v, str) and k != "published_at"
            ]
            texts += found.get("tags", []) + found.get("body", [])
            texts += [i["caption"] for i in found.get("images", []) if i["caption"] is not None]
            texts += [link["title"] for link in found.get("related", [])]
            for text in texts:
                assert isinstance(text, str) and normalize_text(text) == text, (where, text)
            assert all(found.get("body", [])), where
            checked += 1
    assert checked > 80
