"""newsbot.extract.structured: JSON-LD, Open Graph, ``article:*`` and plain meta to record fields.

One row per way publishers state metadata (and break it): ``@graph``, several authors,
breadcrumbs, a publisher logo posing as the article image, broken JSON-LD blocks.
"""

from __future__ import annotations

import json
from typing import Any

import lxml.html
import pytest

from newsbot.extract.structured import StructuredData, extract_structured

URL = "https://baohaiduong.vn/ra-mat-cau-lac-bo-ca-tru-phuong-nhi-chau-401122.html"
LOGO = "https://bhd.1cdn.vn/assets/images/logo.png"


def ld(data: Any) -> str:
    return f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script>'


def og(prop: str, content: str) -> str:
    return f'<meta property="{prop}" content="{content}">'


def page(head: str = "", body: str = "<p>x</p>") -> str:
    return f'<!doctype html><html lang="vi"><head><meta charset="utf-8">{head}</head><body>{body}</body></html>'


def structured(html: str) -> StructuredData:
    return extract_structured(lxml.html.document_fromstring(html), URL)


ARTICLE = {
    "@context": "https://schema.org",
    "@type": "NewsArticle",
    "headline": "Ra mắt câu lạc bộ ca trù",
    "description": "Tối 12/5, phường Nhị Châu ra mắt câu lạc bộ ca trù.",
    "datePublished": "2024-05-12T21:40:00+07:00",
    "dateModified": "2024-05-13T08:02:10+07:00",
    "author": {"@type": "Person", "name": "Thanh Hương"},
    "image": "https://bhd.1cdn.vn/2024/05/12/ca-tru-01.jpg",
    "keywords": "ca trù, Nhị Châu",
    "articleSection": "Văn hóa",
    "publisher": {"@type": "Organization", "name": "Báo Hải Dương", "logo": {"url": LOGO}},
}
BREADCRUMB = {
    "@context": "https://schema.org",
    "@type": "BreadcrumbList",
    "itemListElement": [
        {
            "@type": "ListItem",
            "position": 2,
            "name": "Văn hóa",
            "item": "https://baohaiduong.vn/van-hoa/",
        },
        {
            "@type": "ListItem",
            "position": 1,
            "name": "Trang chủ",
            "item": "https://baohaiduong.vn/",
        },
    ],
}


def with_(**changes: Any) -> dict[str, Any]:
    out = dict(ARTICLE)
    for k, v in changes.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = v
    return out


# (page, field, expected value, expected source)
# fmt: off
ROWS: list[Any] = [
    pytest.param(page(ld(ARTICLE)), "title", "Ra mắt câu lạc bộ ca trù", "structured:jsonld",
                 id="jsonld-headline"),
    pytest.param(page(ld(ARTICLE)), "published_at", "2024-05-12T21:40:00+07:00", "structured:jsonld",
                 id="jsonld-date-published-raw"),
    pytest.param(page(ld(ARTICLE)), "modified_at", "2024-05-13T08:02:10+07:00", "structured:jsonld",
                 id="jsonld-date-modified"),
    pytest.param(page(ld(ARTICLE)), "lead", "Tối 12/5, phường Nhị Châu ra mắt câu lạc bộ ca trù.",
                 "structured:jsonld", id="jsonld-description-is-lead"),
    pytest.param(page(ld(ARTICLE)), "author", "Thanh Hương", "structured:jsonld",
                 id="jsonld-author-person"),
    pytest.param(page(ld(with_(author=[{"@type": "Person", "name": "Thanh Hương"},
                                       {"@type": "Person", "name": "Đức Anh"},
                                       {"@type": "Person", "name": "Thanh Hương"}]))),
                 "author", "Thanh Hương, Đức Anh", "structured:jsonld",
                 id="jsonld-several-authors-joined-once-each"),
    pytest.param(page(ld(with_(author="Minh Ngọc"))), "author", "Minh Ngọc", "structured:jsonld",
                 id="jsonld-author-plain-string"),
    pytest.param(page(ld(with_(author={"@type": "Organization", "name": "Theo TTXVN"}))),
                 "author", "Theo TTXVN", "structured:jsonld", id="jsonld-author-organization"),
    pytest.param(page(ld(ARTICLE)), "tags", ["ca trù", "Nhị Châu"], "structured:jsonld",
                 id="jsonld-keywords-comma-string"),
    pytest.param(page(ld(ARTICLE)), "images", ["https://bhd.1cdn.vn/2024/05/12/ca-tru-01.jpg"],
                 "structured:jsonld", id="jsonld-image-string"),
    pytest.param(page(ld(with_(image=[{"@type": "ImageObject", "url": "/2024/a.jpg"}, LOGO]))),
                 "images", ["https://baohaiduong.vn/2024/a.jpg"], "structured:jsonld",
                 id="jsonld-image-objects-relative-publisher-logo-dropped"),
    pytest.param(page(ld(ARTICLE) + ld(BREADCRUMB)), "section", "Văn hóa", "structured:jsonld",
                 id="jsonld-breadcrumb-last-position-wins-over-article-section"),
    pytest.param(page(ld(with_(articleSection=["Giáo dục", "Thời sự"]))), "section", "Giáo dục",
                 "structured:jsonld", id="jsonld-article-section-list"),
    pytest.param(page(ld({"@context": "https://schema.org", "@graph": [
                     {"@type": "WebSite", "name": "Báo Hải Dương"}, with_(**{"@context": None})]})),
                 "title", "Ra mắt câu lạc bộ ca trù", "structured:jsonld", id="jsonld-graph"),
    pytest.param(page(ld(with_(**{"@type": ["NewsArticle", "Article"]}))), "title",
                 "Ra mắt câu lạc bộ ca trù", "structured:jsonld", id="jsonld-type-list"),
    pytest.param(page(ld(with_(headline="Hai  dòng\n tiêu đề\u00a0"))), "title", "Hai dòng tiêu đề",
                 "structured:jsonld", id="jsonld-whitespace-collapsed"),
    pytest.param(page(ld(with_(headline="Ca tru\u0300 xu\u031b\u0301 \u0110o\u0302ng"))), "title",
                 "Ca trù xứ Đông", "structured:jsonld", id="jsonld-nfd-to-nfc"),
    pytest.param(page(og("og:title", "Tiêu đề OG") + og("og:description", "Sapo OG")), "lead",
                 "Sapo OG", "structured:og", id="og-description-is-lead"),
    pytest.param(page(og("og:title", "Tiêu đề OG")), "title", "Tiêu đề OG", "structured:og",
                 id="og-title"),
    pytest.param(page(og("article:published_time", "2024-05-12T21:40:00+07:00")), "published_at",
                 "2024-05-12T21:40:00+07:00", "structured:og", id="article-published-time"),
    pytest.param(page(og("article:modified_time", "2024-05-13T08:00:00+07:00")), "modified_at",
                 "2024-05-13T08:00:00+07:00", "structured:og", id="article-modified-time"),
    pytest.param(page(og("article:section", "Giáo dục")), "section", "Giáo dục", "structured:og",
                 id="article-section"),
    pytest.param(page(og("article:tag", "vải thiều") + og("article:tag", "Thanh Hà")), "tags",
                 ["vải thiều", "Thanh Hà"], "structured:og", id="article-tag-repeated"),
    pytest.param(page(og("article:author", "Vũ Thủy")), "author", "Vũ Thủy", "structured:og",
                 id="article-author-name"),
    pytest.param(page(og("og:image", "https://bhd.1cdn.vn/2025/05/20/vai.jpg")), "images",
                 ["https://bhd.1cdn.vn/2025/05/20/vai.jpg"], "structured:og", id="og-image"),
    pytest.param(page(ld(ARTICLE) + og("og:title", "Tiêu đề OG khác")), "title",
                 "Ra mắt câu lạc bộ ca trù", "structured:jsonld", id="jsonld-wins-over-og"),
    pytest.param(page('<meta name="author" content="Phạm Hà">'), "author", "Phạm Hà",
                 "structured:meta", id="meta-author"),
    pytest.param(page('<meta name="description" content="Mô tả trang">'), "lead", "Mô tả trang",
                 "structured:meta", id="meta-description"),
    pytest.param(page('<meta name="keywords" content="giao thông, Nam Sách">'), "tags",
                 ["giao thông", "Nam Sách"], "structured:meta", id="meta-keywords"),
    pytest.param(page('<meta name="pubdate" content="2022-03-15T08:05:09+07:00">'), "published_at",
                 "2022-03-15T08:05:09+07:00", "structured:meta", id="meta-pubdate"),
    pytest.param(page(body='<p>x</p><time datetime="2022-03-15T08:05:09+07:00">15/3</time>'),
                 "published_at", "2022-03-15T08:05:09+07:00", "structured:time",
                 id="time-datetime"),
]
# fmt: on


@pytest.mark.parametrize(("html", "field", "value", "source"), ROWS)
def test_structured_field(html: str, field: str, value: Any, source: str):
    found = structured(html)
    assert found.fields.get(field) == value
    assert found.sources.get(field) == source
    assert found.errors == []


# fmt: off
ABSENT: list[Any] = [
    pytest.param(page(), "title", id="no-structured-data"),
    pytest.param(page(og("article:author", "https://www.facebook.com/baohaiduong")), "author",
                 id="article-author-profile-url-is-not-a-byline"),
    pytest.param(page(og("og:image", LOGO)), "images", id="og-image-site-logo"),
    pytest.param(page(ld(with_(articleSection=None))), "section",
                 id="no-section-without-breadcrumb-or-article-section"),
    pytest.param(page(ld({"@type": "BreadcrumbList", "itemListElement": [
                     {"@type": "ListItem", "position": 1, "name": "Trang chủ"}]})),
                 "section", id="breadcrumb-home-only-is-not-a-section"),
    pytest.param(page(ld({"@type": "Organization", "name": "Báo Hải Dương", "logo": LOGO})),
                 "title", id="organization-only-is-not-an-article"),
    pytest.param(page(ld(with_(image=LOGO))), "images", id="jsonld-image-is-publisher-logo"),
]
# fmt: on


@pytest.mark.parametrize(("html", "field"), ABSENT)
def test_structured_field_absent(html: str, field: str):
    found = structured(html)
    assert field not in found.fields
    assert field not in found.sources


def test_publisher_logos_are_remembered():
    assert LOGO in structured(page(ld(ARTICLE))).logos


def test_canonical_link():
    html = page('<link rel="canonical" href="/ra-mat-401122.html">')
    assert structured(html).fields["canonical"] == "https://baohaiduong.vn/ra-mat-401122.html"


# fmt: off
BROKEN: list[Any] = [
    pytest.param('<script type="application/ld+json">{"@type": "NewsArticle", "headline": </script>',
                 id="cut-json"),
    pytest.param('<script type="application/ld+json">{\'@type\': \'NewsArticle\'}</script>',
                 id="single-quotes"),
    pytest.param('<script type="application/ld+json">{"@type": "NewsArticle",}}</script>',
                 id="trailing-garbage"),
]
# fmt: on


@pytest.mark.parametrize("broken", BROKEN)
def test_broken_jsonld_block_does_not_hide_the_others(broken: str):
    html = page(broken + ld(ARTICLE) + ld(BREADCRUMB) + og("og:title", "Tiêu đề OG"))
    found = structured(html)
    assert found.errors and "JSON-LD" in found.errors[0]
    assert found.fields["title"] == "Ra mắt câu lạc bộ ca trù"
    assert found.fields["section"] == "Văn hóa"


def test_only_broken_jsonld_leaves_open_graph():
    found = structured(page(BROKEN[0].values[0] + og("og:title", "Tiêu đề OG")))
    assert found.errors
    assert (found.fields["title"], found.sources["title"]) == ("Tiêu đề OG", "structured:og")


@pytest.mark.parametrize(
    "data",
    [
        pytest.param([], id="empty-list"),
        pytest.param("chuỗi", id="bare-string"),
        pytest.param(
            {"@type": "NewsArticle", "headline": 12, "author": 3, "image": 4}, id="wrong-types"
        ),
        pytest.param({"@type": "NewsArticle", "author": [None, {"name": None}]}, id="null-authors"),
        pytest.param(
            {"@type": "BreadcrumbList", "itemListElement": [{"position": "x"}, "a", None]},
            id="odd-breadcrumb",
        ),
    ],
)
def test_odd_jsonld_values_never_raise(data: Any):
    found = structured(page(ld(data)))
    assert "author" not in found.fields
    assert not isinstance(found.fields.get("title"), int)


# --- issue 11 finding 6 and issue 9 cause 7: every schema.org shape ----------------------


def test_finding_6_breadcrumb_item_as_url_string_does_not_raise():
    crumbs = {"@type": "BreadcrumbList", "itemListElement": [
        {"@type": "ListItem", "position": 1, "item": "https://x.example/"},
        {"@type": "ListItem", "position": 2, "item": "https://x.example/kinh-te"},
        {"@type": "ListItem", "position": 3, "name": "Nông nghiệp", "item": "https://x.example/nn"},
    ]}  # fmt: skip
    assert structured(page(ld(crumbs))).fields["section"] == "Nông nghiệp"
    crumbs["itemListElement"].pop()
    assert "section" not in structured(page(ld(crumbs))).fields


def test_finding_6_lone_surrogate_in_author_is_cleaned():
    html = page('<script type="application/ld+json">{"@type":"NewsArticle","author":'
                '{"@type":"Person","name":"L\\ud800\\u00ea Ph\\u01b0\\u01a1ng"}}</script>')  # fmt: skip
    author = structured(html).fields["author"]
    assert author == "Lê Phương"
    author.encode("utf-8")


@pytest.mark.parametrize(
    ("data", "title"),
    [
        pytest.param({"@graph": [{"@type": "WebSite", "name": "S"},
                                 {"@type": "NewsArticle", "headline": "In graph"}]},
                     "In graph", id="graph"),
        pytest.param({"@type": "WebPage", "mainEntity": {"@type": "NewsArticle", "headline": "Main"}},
                     "Main", id="webpage-main-entity"),
        pytest.param({"@type": "NewsArticle", "headline": "R&uuml;ckbau &#8216;jetzt&#8217;"},
                     "Rückbau ‘jetzt’", id="entities-decoded"),
    ],
)  # fmt: skip
def test_jsonld_shapes(data: Any, title: str):
    assert structured(page(ld(data))).fields["title"] == title


def test_microdata_date_published():
    html = page(body='<div itemscope itemtype="https://schema.org/NewsArticle">'
                '<h1 itemprop="headline">H</h1><time itemprop="datePublished" '
                'datetime="2024-06-13T18:45:00+02:00">13 juin</time></div>')  # fmt: skip
    found = structured(html)
    assert found.fields["published_at"] == "2024-06-13T18:45:00+02:00"
    assert found.sources["published_at"] == "structured:microdata"


@pytest.mark.parametrize(
    ("body", "declares"),
    [
        ('<ol itemscope itemtype="https://schema.org/BreadcrumbList"><li>a</li></ol>', False),
        ('<div itemscope itemtype="https://schema.org/NewsArticle"><p>x</p></div>', True),
        ('<div itemscope itemtype="http://schema.org/WebPage"><p>x</p></div>', False),
    ],
)
def test_microdata_items_without_properties_give_their_type_only(body: str, declares: bool):
    """A page with itemscope but no itemprop (OneCMS's breadcrumb): no field, and the
    page declares an article exactly when extruct's items would say so."""
    from extruct.w3cmicrodata import LxmlMicrodataExtractor

    doc = lxml.html.document_fromstring(page(body=body))
    found = extract_structured(doc, URL)
    assert not {k: v for k, v in found.sources.items() if v == "structured:microdata"}
    assert found.declares_article is declares
    items = LxmlMicrodataExtractor().extract_items(doc, URL)
    assert items and all("properties" not in item for item in items)


def test_opengraph_prefix_declared_on_html_counts():
    html = page(head=og("fb:app_id", "1") + og("dc:title", "T") + og("og:title", "O"))
    html = html.replace("<html ", '<html prefix="dc: http://purl.org/dc/terms/" ')
    doc = lxml.html.document_fromstring(html)
    from extruct.opengraph import OpenGraphExtractor

    from newsbot.extract.structured import _heads, _opengraph_properties

    assert _opengraph_properties(_heads(doc)) == [("dc:title", "T"), ("og:title", "O")]
    by_extruct = [p for item in OpenGraphExtractor().extract_items(doc) for p in item["properties"]]
    assert _opengraph_properties(_heads(doc)) == by_extruct


def test_without_article_type_the_same_fields_are_read():
    """article_type=False (a layout already knows the page) skips only what can tell
    declares_article: fields, sources, errors and the rest stay the same."""
    from pathlib import Path

    from newsbot.extract.document import parse_html

    fixtures = Path(__file__).resolve().parents[1] / "fixtures"
    extra = [
        '<html><body><ol itemscope itemtype="https://schema.org/NewsArticle"></ol></body></html>',
        '<html><body><div itemprop="headline">Không có item</div></body></html>',
    ]
    pages = [p.read_text("utf-8", "replace") for p in sorted(fixtures.rglob("*.html"))] + extra
    for html in pages:
        full = extract_structured(parse_html(html), "https://example.vn/a")
        lean = extract_structured(parse_html(html), "https://example.vn/a", article_type=False)
        for name in ("fields", "sources", "errors", "logos", "site_names", "descriptions", "dates"):
            assert getattr(lean, name) == getattr(full, name), name


def test_fields_only_reads_the_head_only_when_it_could_add_a_field(monkeypatch):
    """fields_only=True (the portal's layout path): fields, sources and errors are those
    of a full read on every fixture page, and a page whose JSON-LD gives every field
    the head's metas could has its metas left unread."""
    from pathlib import Path

    from newsbot.extract import structured
    from newsbot.extract.document import parse_html

    fixtures = Path(__file__).resolve().parents[1] / "fixtures"
    pages = [p.read_text("utf-8", "replace") for p in sorted(fixtures.rglob("*.html"))]
    full_jsonld = {
        "@type": "NewsArticle",
        "headline": "Tiêu đề",
        "description": "Mở đầu",
        "datePublished": "2024-05-12T21:40:00+07:00",
        "dateModified": "2024-05-13T08:00:00+07:00",
        "articleSection": "Kinh tế",
        "keywords": "a, b",
        "author": {"@type": "Person", "name": "Thanh Hương"},
        "image": "https://bhd.1cdn.vn/a.jpg",
    }
    covered = (
        '<html><head><script type="application/ld+json">'
        + json.dumps(full_jsonld)
        + '</script><meta property="og:title" content="Khác"><meta name="author" content="X">'
        "</head><body><p>x</p></body></html>"
    )
    pages.append(covered)
    for html in pages:
        full = extract_structured(parse_html(html), "https://example.vn/a", article_type=False)
        lean = extract_structured(
            parse_html(html), "https://example.vn/a", article_type=False, fields_only=True
        )
        for name in ("fields", "sources", "errors"):
            assert getattr(lean, name) == getattr(full, name), name

    def unread(*args: Any) -> None:
        raise AssertionError("the head was read")

    monkeypatch.setattr(structured, "_read_opengraph", unread)
    lean = extract_structured(parse_html(covered), "https://example.vn/a", fields_only=True)
    assert lean.fields["title"] == "Tiêu đề" and lean.sources["title"] == "structured:jsonld"
    with pytest.raises(AssertionError, match="the head was read"):
        # No keywords in the JSON-LD: the head may give tags, so it is read.
        without_tags = covered.replace('"keywords": "a, b", ', "")
        assert without_tags != covered
        extract_structured(parse_html(without_tags), "https://example.vn/a", fields_only=True)
