"""Hostile pages: what once broke a parser or hung a run (issue 11, findings 1, 5, 6, 10).

With ``FaultConfig(hostile=True)`` the replica serves, in one run and linked from the
home page and the listings:

``nested``
    an article whose body sits inside 1,000 nested ``div``/``span``/``table`` levels
    (about 2,000 elements deep: libxml2 keeps up to 2,048, so the article is there);
``nul``
    an article with one NUL byte near the top;
``surrogate``
    an article whose JSON-LD author ends in the escape ``\\ud800`` (a lone surrogate);
``charset``
    an article whose HTTP header says ``charset=iso-8859-1`` while its bytes are UTF-8
    (read as declared, every Vietnamese word is mojibake);
``http://[``
    a link no URL parser accepts: on the home page, and as one story of every listing
    page's list (the other stories must still be followed);
:data:`TOO_DEEP`
    an extra page at an article-shaped URL nested 3,000 levels: past libxml2's limit,
    so its body is lost and a crawler can only report it (it hides no article).

The first four are real articles of the portal, served differently: a correct crawler
stores each exactly as the ground truth says (a lone surrogate is no character, so the
author is the name without it). All of it is deterministic for a seed.
"""

from __future__ import annotations

import json

from replica import pages
from replica.generator import Portal, stable_unit

#: An extra page past libxml2's depth limit (its body cannot be read).
TOO_DEEP = "/chuyen-trang/trang-long-sau-khong-doc-duoc-990004"
BAD_HREF = "http://["
#: Content-Type of the article whose header lies about its charset.
LYING_HTML = "text/html; charset=iso-8859-1"
KINDS = ("nested", "nul", "surrogate", "charset")


def pick(portal: Portal) -> dict[str, str]:
    """path -> hostile kind, one listed article per kind (the surrogate one has a
    JSON-LD author, so the escape reaches a parser)."""
    pool = sorted(portal.all_listed, key=lambda i: stable_unit(portal.seed, "hostile", i))
    chosen: dict[str, str] = {}
    used: set[int] = set()
    for kind in KINDS:
        for i in pool:
            meta = portal.articles[i]
            if i in used or meta.nfd:
                continue
            if kind == "surrogate" and not (
                meta.layout == "current" and portal.content(i).ld_authors
            ):
                continue
            chosen[meta.path] = kind
            used.add(i)
            break
    return chosen


def _wrap(n: int) -> tuple[str, str]:
    """Opening and closing tags of ``n`` levels cycling div, span, table."""
    cycle = ("div", "span", "table")
    tags = [cycle[k % 3] for k in range(n)]
    opened = "".join("<table><tbody><tr><td>" if x == "table" else f"<{x}>" for x in tags)
    closed = "".join(
        "</td></tr></tbody></table>" if x == "table" else f"</{x}>" for x in reversed(tags)
    )
    return opened, closed


def nest_body(html: str, levels: int = 1000) -> str:
    """The article with its body paragraphs inside ``levels`` nested elements."""
    if '<div class="article__body">' in html:
        start = html.index('<div class="article__body">') + len('<div class="article__body">')
        end = html.index('<p class="author">', start)
    else:
        start = html.index('id="content-detail">') + len('id="content-detail">')
        end = html.index("\n        </div>", start)
    opened, closed = _wrap(levels)
    return html[:start] + opened + html[start:end] + closed + html[end:]


def surrogate_author(html: str, author: str) -> str:
    """The JSON-LD author's name with a lone-surrogate escape appended."""
    name = '"name": ' + json.dumps(author, ensure_ascii=False)
    assert name in html, "the article has no JSON-LD author to spoil"
    return html.replace(name, name[:-1] + '\\ud800"', 1)


def with_nul(body: bytes) -> bytes:
    """One NUL byte after the first line (the doctype)."""
    cut = body.index(b"\n") + 1
    return body[:cut] + b"\x00" + body[cut:]


def too_deep_page() -> bytes:
    opened, closed = _wrap(3000)
    para = "<p>Nội dung bài viết nằm quá sâu trong trang nên không trình duyệt nào đọc được.</p>"
    return pages.simple_page("Trang lồng quá sâu", opened + para + closed).encode()


def bad_story(html: str, *, legacy: bool) -> str:
    """A listing page with a first story whose link is :data:`BAD_HREF`."""
    if legacy:
        anchor = '<ul class="list-news left w100pt">'
        story = f'\n        <li><h4><a href="{BAD_HREF}">Liên kết hỏng</a></h4></li>'
    else:
        anchor = '<section class="category-news">'
        story = (
            f'\n    <div class="story"><h3><a class="story__title" href="{BAD_HREF}">'
            "Liên kết hỏng</a></h3></div>"
        )
    assert anchor in html, "listing markup changed"
    return html.replace(anchor, anchor + story, 1)
