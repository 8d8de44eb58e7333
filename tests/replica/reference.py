"""A small reference reader of the replica's pages, for the replica's own tests.

It reads only the selectors the specimens show, so a test can check that what the
replica serves encodes exactly its ground truth. It is not the project's parser
(``newsbot/extract``); it exists so the replica can be proven on its own.
"""

from __future__ import annotations

import json
import re
import unicodedata
from urllib.parse import urlsplit

import lxml.html

OWN_HOSTS = {"baohaiduong.vn", "www.baohaiduong.vn", "m.baohaiduong.vn", "tab.baohaiduong.vn"}
WEEKDAYS = ["THỨ HAI", "THỨ BA", "THỨ TƯ", "THỨ NĂM", "THỨ SÁU", "THỨ BẢY", "CHỦ NHẬT"]


def clean(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).replace("\xa0", " ").split())


def canonical(href: str) -> str | None:
    parts = urlsplit(href.replace("\\", "/"))
    if parts.scheme and parts.scheme not in ("http", "https"):
        return None
    if parts.netloc and parts.netloc not in OWN_HOSTS:
        return None
    return "https://baohaiduong.vn" + parts.path


def _related(links: list) -> list[dict]:
    out: list[dict] = []
    for link in links:
        url = canonical(link.get("href"))
        if url and url not in [r["url"] for r in out]:
            out.append({"url": url, "title": clean(link.text_content())})
    return out


def read_article(html: str, url: str) -> dict:
    """The record the replica's page states, in the ground truth's shape."""
    doc = lxml.html.fromstring(html)
    if doc.cssselect("div.fck"):
        return _legacy(doc, url)
    return _current(doc, url)


def _legacy(doc: lxml.html.HtmlElement, url: str) -> dict:
    fck = doc.cssselect("div.fck")[0]
    date = clean(doc.cssselect("span.date-detail")[0].text_content())
    day, stamp = date.split(", ")
    m = re.fullmatch(r"(\d\d)/(\d\d)/(\d{4}) (\d\d):(\d\d):(\d\d)", stamp)
    assert m, date
    d, mo, y, h, mi, s = m.groups()
    paragraphs, images, media, inline = [], [], [], []
    children = list(fck)
    byline = children[-1]
    for el in children[:-1]:
        text = clean(el.text_content())
        if el.tag == "p" and text.startswith(">>"):
            inline += el.cssselect("a")
        elif el.tag == "table":
            img = el.cssselect("img")[0]
            desc = el.cssselect("td.image_desc")
            caption = clean(desc[0].text_content()) if desc else None
            images.append({"url": img.get("src").replace("\\", "/"), "caption": caption})
        elif el.cssselect("audio, video"):
            for src in el.cssselect("source"):
                media.append({"url": src.get("src"), "kind": src.getparent().tag})
        elif el.tag == "p" and text:
            paragraphs.append(text)
    record = {
        "url": url,
        "section": clean(doc.cssselect("div.breadcrumb a")[-1].text_content()),
        "title": clean(doc.cssselect("h1.title-detail")[0].text_content()),
        "published_at": f"{y}-{mo}-{d}T{h}:{mi}:{s}+07:00",
        "weekday": day,
        "lead": clean(doc.cssselect("h2.sapo-detail")[0].text_content()),
        "body": "\n\n".join(paragraphs),
        "author": clean(byline.text_content()),
        "images": images,
        "related": _related(inline + doc.cssselect("div.related-news ul.list-related li a")),
        "tags": [clean(a.text_content()) for a in doc.cssselect("div.tags-detail a")],
    }
    if media:
        record["media"] = media
    return record


def _current(doc: lxml.html.HtmlElement, url: str) -> dict:
    ld = {}
    for script in doc.cssselect('script[type="application/ld+json"]'):
        data = json.loads(unicodedata.normalize("NFC", script.text))
        if data.get("@type") == "NewsArticle":
            ld = data
    body = doc.cssselect("div.article__body")[0]
    paragraphs, images, media = [], [], []
    for el in body:
        if el.tag == "p" and "author" not in (el.get("class") or ""):
            text = clean(el.text_content())
            if text:
                paragraphs.append(text)
        elif el.tag == "figure":
            img = el.cssselect("img")[0]
            cap = el.cssselect("figcaption")
            caption = clean(cap[0].text_content()) if cap else None
            images.append({"url": img.get("data-src") or img.get("src"), "caption": caption})
        elif el.cssselect("audio, video"):
            for src in el.cssselect("source"):
                media.append({"url": src.get("src"), "kind": src.getparent().tag})
    authors = ld.get("author")
    if isinstance(authors, dict):
        authors = [authors]
    byline = clean(doc.cssselect("p.author")[0].text_content())
    record = {
        "url": url,
        "section": clean(doc.cssselect("ol.breadcrumb li a")[-1].text_content()),
        "title": clean(doc.cssselect("h1.article__title")[0].text_content()),
        "published_at": ld["datePublished"],
        "visible_date": clean(doc.cssselect("span.article__date")[0].text_content()),
        "lead": clean(doc.cssselect("div.article__sapo")[0].text_content()),
        "body": "\n\n".join(paragraphs),
        "author": ", ".join(a["name"] for a in authors) if authors else byline,
        "byline": byline,
        "images": images,
        "related": _related(
            doc.cssselect("div.box-related-inline a")
            + doc.cssselect("section.article__related .story a.story__title")
        ),
        "tags": [clean(a.text_content()) for a in doc.cssselect("div.article__tags a")],
    }
    if ld.get("dateModified") and ld["dateModified"] != ld["datePublished"]:
        record["modified_at"] = ld["dateModified"]
    if media:
        record["media"] = media
    return record


def listing_links(html: str) -> tuple[list[str], str | None]:
    """Canonical article URLs of a listing page (either layout) and its next page href."""
    doc = lxml.html.fromstring(html)
    links = doc.cssselect("ul.list-news li h4 a") or doc.cssselect(
        ".category-news .story h3 a.story__title"
    )
    nxt = doc.cssselect("div.paging a.next") or doc.cssselect("nav.pagination a.pagination__next")
    return [canonical(a.get("href")) for a in links], (nxt[0].get("href") if nxt else None)
