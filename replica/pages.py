"""HTML and XML the replica serves, copying the markup of ``shared/portal/specimens``.

Each function renders one kind of page from the generated :class:`Portal`:
legacy and current article pages, legacy and current section listings, the home
page, RSS feeds, the sitemap and robots.txt, plus the odd pages a crawler meets
(search, private, contact, a document, an oversized page). Element names, classes,
ids and their order follow the specimens, so the real parser works on them.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from html import escape
from urllib.parse import quote

from replica import words
from replica.generator import (
    CANONICAL_ORIGIN,
    FEED_SIZE,
    LEGACY_MEDIA,
    LOGO_URL,
    SECTIONS,
    ArticleMeta,
    Content,
    Filler,
    Image,
    Media,
    Paragraph,
    Portal,
    Section,
    iso,
    slugify,
    stable_unit,
)

PLACEHOLDER_GIF = "data:image/gif;base64,R0lGODlhAQABAAAAACw="
ADS_SCRIPT = "window.adsQueue = window.adsQueue || []; adsQueue.push('inline-{n}');"


def t(text: str) -> str:
    """Escape text content (quotes stay as typed, like the portal's pages)."""
    return escape(text, quote=False)


def a(value: str) -> str:
    """Escape an attribute value."""
    return escape(value, quote=True)


def weekday(dt: datetime) -> str:
    return words.WEEKDAYS[dt.weekday()]


def legacy_date_line(dt: datetime) -> str:
    return f"{weekday(dt).upper()}, {dt:%d/%m/%Y %H:%M:%S}"


def current_date_line(dt: datetime) -> str:
    return f"{weekday(dt)}, {dt:%d/%m/%Y - %H:%M}"


# ---------------------------------------------------------------------- body blocks
def _paragraph(p: Paragraph) -> str:
    text = p.text
    if p.style == "strong" and ", " in text:
        k = text.index(", ")
        return f"<p><strong>{t(text[:k])}</strong>{t(text[k:])}</p>"
    if p.style == "nbsp_end":
        return f"<p>{t(text)}&nbsp;</p>"
    if p.style == "em_end" and ". " in text:
        k = text.rindex(". ") + 2
        return f"<p>{t(text[:k])}<em>{t(text[k:])}</em></p>"
    if p.style == "link" and p.anchor and p.href:
        k = text.index(p.anchor)
        rel = "" if p.href.startswith("/") else ' rel="nofollow"'
        return (
            f'<p>{t(text[:k])}<a href="{a(p.href)}"{rel}>{t(p.anchor)}</a>'
            f"{t(text[k + len(p.anchor) :])}</p>"
        )
    return f"<p>{t(text)}</p>"


def _legacy_block(block: object, n: int) -> str:
    if isinstance(block, Paragraph):
        return _paragraph(block)
    if isinstance(block, Image):
        caption = (
            f'<tr><td class="image_desc">{t(block.caption)}</td></tr>\n'
            if block.caption is not None
            else ""
        )
        return (
            '<table class="image center" align="center">\n<tbody>\n'
            f'<tr><td><img src="{a(block.src)}" alt="{a(block.alt)}" width="640" height="427" />'
            f"</td></tr>\n{caption}</tbody>\n</table>"
        )
    if isinstance(block, Media):
        mime = "audio/mpeg" if block.kind == "audio" else "video/mp4"
        return (
            f'<p style="text-align: center;"><{block.kind} controls="controls">'
            f'<source src="{a(block.url)}" type="{mime}" /></{block.kind}></p>'
        )
    if isinstance(block, Filler) and block.kind == "ads":
        return f'<div class="ads-inline"><script>{ADS_SCRIPT.format(n=n)}</script></div>'
    return "<p>&nbsp;</p>"


def _current_block(block: object, n: int) -> str:
    if isinstance(block, Paragraph):
        return _paragraph(block)
    if isinstance(block, Image):
        img = (
            f'<img class="lazyload" src="{PLACEHOLDER_GIF}" data-src="{a(block.src)}" '
            f'alt="{a(block.alt)}">'
            if block.lazy
            else f'<img src="{a(block.src)}" alt="{a(block.alt)}">'
        )
        caption = (
            f"\n            <figcaption>{t(block.caption)}</figcaption>"
            if block.caption is not None
            else ""
        )
        return f'<figure class="image">\n            {img}{caption}\n          </figure>'
    if isinstance(block, Media):
        mime = "audio/mpeg" if block.kind == "audio" else "video/mp4"
        return (
            f'<div class="media-embed"><{block.kind} controls>'
            f'<source src="{a(block.url)}" type="{mime}"></{block.kind}></div>'
        )
    if isinstance(block, Filler) and block.kind == "ads":
        return f'<div class="ads-inline"><script>{ADS_SCRIPT.format(n=n)}</script></div>'
    return "<p>&nbsp;</p>"


# ---------------------------------------------------------------------- shared chrome
def _legacy_menu(active: Section | None, sections: tuple[Section, ...] = SECTIONS) -> str:
    items = ['      <li><a href="/" class="home">Trang chủ</a></li>']
    for s in sections:
        cls = ' class="active"' if s == active else ""
        items.append(f'      <li{cls}><a href="{s.legacy_path}">{t(s.name)}</a></li>')
    return '    <ul class="menu-top">\n' + "\n".join(items) + "\n    </ul>"


def _current_menu(active: Section | None, sections: tuple[Section, ...] = SECTIONS) -> str:
    items = []
    for s in sections:
        cls = ' class="active"' if s == active else ""
        items.append(f'        <li{cls}><a href="{s.current_path}">{t(s.name)}</a></li>')
    return (
        '    <nav class="main-nav">\n      <ul>\n' + "\n".join(items) + "\n      </ul>\n    </nav>"
    )


def _most_read_legacy(portal: Portal, context: object) -> str:
    items = "\n".join(
        f'          <li><a href="{a(portal.href(i, ("mr", context)))}">'
        f"{t(portal.articles[i].title)}</a></li>"
        for i in portal.most_read(context)
    )
    return (
        '      <div class="box-most-read">\n        <h3 class="title-box">Đọc nhiều</h3>\n'
        f"        <ol>\n{items}\n        </ol>\n      </div>"
    )


def _most_read_current(portal: Portal, context: object) -> str:
    items = "\n".join(
        f'        <div class="story"><a class="story__title" '
        f'href="{a(portal.href(i, ("mr", context)))}">{t(portal.articles[i].title)}</a></div>'
        for i in portal.most_read(context)
    )
    return (
        '<section class="box-most-read"><h2 class="section-title">Đọc nhiều</h2>\n'
        f"{items}\n      </section>"
    )


def _special_links(links: list[tuple[str, str]]) -> str:
    """Links the fault modes add (redirects, loop, oversized page, documents)."""
    if not links:
        return ""
    items = "\n".join(f'        <li><a href="{a(h)}">{t(x)}</a></li>' for h, x in links)
    return f'      <div class="box-special">\n        <ul>\n{items}\n        </ul>\n      </div>\n'


def _trap_links(seed: object) -> str:
    """Links robots.txt forbids: a crawler that obeys it never requests them."""
    n = int(stable_unit("trap", seed) * 900) + 100
    return (
        f'<p class="footer-links"><a href="/tim-kiem?q=h%E1%BA%A3i%20d%C6%B0%C6%A1ng&amp;p={n}">'
        f'Tìm kiếm</a> | <a href="/private/ban-tin-noi-bo-so-{n}-99{n}">Bản tin nội bộ</a> | '
        '<a href="/lien-he">Liên hệ</a> | <a href="/rss/home.rss">RSS</a></p>'
    )


def _same_zone(portal: Portal, meta: ArticleMeta, count: int = 3) -> list[int]:
    pool = portal.listed[meta.section.slug]
    if not pool:
        return []
    start = int(stable_unit(portal.seed, "zone", meta.index) * len(pool))
    picked = []
    for k in range(min(len(pool), count + 1)):
        i = pool[(start + k) % len(pool)]
        if i != meta.index and i not in picked:
            picked.append(i)
    return picked[:count]


# ---------------------------------------------------------------------- articles
def legacy_article(portal: Portal, meta: ArticleMeta, c: Content) -> str:
    sec = meta.section
    slug_id = meta.path.rsplit("/", 1)[1]
    images = c.images
    og_image = images[0].url if images else CANONICAL_ORIGIN + "/Content/images/logo.png"
    lines = []
    marker = "&gt;&gt;&gt;" if stable_unit(portal.seed, "marker", meta.index) < 0.7 else "&gt;&gt;"
    inline = meta.related_inline
    for k in range(0, len(inline), 2):
        first, *rest = inline[k : k + 2]
        line = (
            f'{marker} <a href="{a(portal.href(first, ("in", meta.index)))}">'
            f"{t(portal.articles[first].title)}</a>"
        )
        for j in rest:
            line += (
                f'<br />{marker}<br /> <a href="{a(portal.href(j, ("in", meta.index)))}">'
                f"{t(portal.articles[j].title)}</a>"
            )
        lines.append(f"<p><strong>{line}</strong></p>")
    body = lines + [_legacy_block(b, k) for k, b in enumerate(c.blocks)]
    body.append(f'<p style="text-align: right;"><strong>{t(c.byline)}</strong></p>')
    tags = ""
    if c.tags:
        tag_links = "\n".join(
            f'          <a href="/tim-kiem?q={quote(tag)}">{t(tag)}</a>' for tag in c.tags
        )
        tags = (
            f'        <div class="tags-detail"><span>Từ khóa:</span>\n{tag_links}\n        </div>\n'
        )
    related = ""
    if meta.related_block or meta.external_related:
        items = [
            f'            <li><a href="{a(portal.href(i, ("blk", meta.index)))}">'
            f"{t(portal.articles[i].title)}</a> "
            f'<span class="time">({portal.articles[i].published:%d/%m/%Y})</span></li>'
            for i in meta.related_block
        ]
        if meta.external_related:
            items.append(
                f'            <li><a href="https://www.facebook.com/baohaiduong.vn/posts/'
                f'{meta.source_id}" rel="nofollow">Video: {t(meta.title)}</a></li>'
            )
        related = (
            '        <div class="related-news">\n          <h3 class="title-box">Tin liên quan</h3>\n'
            '          <ul class="list-related">\n' + "\n".join(items) + "\n          </ul>\n"
            "        </div>\n"
        )
    zone = "\n".join(
        f'          <li><h4><a href="{a(portal.href(i, ("zone", meta.index)))}">'
        f"{t(portal.articles[i].title)}</a></h4></li>"
        for i in _same_zone(portal, meta)
    )
    keywords = ", ".join(c.tags)
    share = f"https://www.facebook.com/sharer/sharer.php?u={meta.url}"
    return f"""<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" lang="vi">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<title>{t(meta.title)} - Báo Hải Dương</title>
<meta name="description" content="{a(c.lead)}" />
<meta name="keywords" content="{a(keywords)}" />
<meta property="og:type" content="article" />
<meta property="og:site_name" content="Báo Hải Dương" />
<meta property="og:title" content="{a(meta.title)}" />
<meta property="og:description" content="{a(c.lead)}" />
<meta property="og:url" content="{meta.url}" />
<meta property="og:image" content="{a(og_image)}" />
<link rel="canonical" href="{meta.url}" />
<link rel="alternate" media="only screen and (max-width: 640px)" href="https://m.baohaiduong.vn{meta.path}" />
<link rel="alternate" type="application/rss+xml" title="Báo Hải Dương - Trang chủ" href="/rss/home.rss" />
<link href="/Content/css/style.css?v=2.3.1" rel="stylesheet" type="text/css" />
<script type="text/javascript" src="/Scripts/jquery-1.11.1.min.js"></script>
<script type="text/javascript">
  var _gaq = _gaq || []; _gaq.push(['_setAccount', 'UA-00000000-1']); _gaq.push(['_trackPageview']);
  var articleId = {meta.source_id}; var zoneId = {sec.id};
</script>
</head>
<body>
<form method="post" action="./{slug_id}" id="form1">
<div class="aspNetHidden">
<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="/wEPDwUKMTY1NDU2MTA1MmRk{meta.source_id}=" />
</div>
<div id="wrapper">
  <div id="header" class="w100pt left">
    <div class="top-bar">
      <span class="today">{weekday(meta.published).title()}, {meta.published:%d/%m/%Y}</span>
      <a href="/" class="logo"><img src="/Content/images/logo.png" alt="Báo Hải Dương" /></a>
      <div class="search-box"><input type="text" name="q" placeholder="Tìm kiếm" /></div>
    </div>
{_legacy_menu(sec)}
  </div>
  <div id="main" class="w100pt left">
    <div class="breadcrumb"><a href="/">Trang chủ</a> &raquo; <a href="{sec.legacy_path}">{t(sec.name)}</a></div>
    <div class="col-left left">
      <div class="detail">
        <h1 class="title-detail">{t(meta.title)}</h1>
        <div class="box-date">
          <span class="date-detail">{legacy_date_line(meta.published)}</span>
          <div class="share-tools"><a href="{a(share)}" rel="nofollow" class="fb">Chia sẻ</a> <a href="javascript:window.print()" class="print">In bài</a></div>
        </div>
        <h2 class="sapo-detail">{t(c.lead)}</h2>
        <div class="fck" id="content-detail">
{chr(10).join(body)}
        </div>
{tags}        <div class="box-comment"><h3>Bình luận</h3><div class="fb-comments" data-href="{meta.url}" data-numposts="5"></div></div>
{related}      </div>
      <div class="box-same-zone">
        <h3 class="title-box"><a href="{sec.legacy_path}">Tin cùng chuyên mục</a></h3>
        <ul class="list-news left w100pt">
{zone}
        </ul>
      </div>
    </div>
    <div class="col-right right">
{_most_read_legacy(portal, ("article", meta.index))}
      <div class="banner-right"><a href="https://example-ads.invalid/click?id={meta.index % 97}" rel="nofollow sponsored"><img src="/Content/ads/banner-300x250.jpg" alt="Quảng cáo" /></a></div>
    </div>
  </div>
  <div id="footer" class="w100pt left">
    <p>BÁO HẢI DƯƠNG - CƠ QUAN CỦA ĐẢNG BỘ ĐẢNG CỘNG SẢN VIỆT NAM TỈNH HẢI DƯƠNG</p>
    <p>Giấy phép số 1209/GP-BTTTT. Địa chỉ: 10 Đại lộ Hồ Chí Minh, TP Hải Dương.</p>
    <p><a href="/rss/home.rss">RSS</a> | <a href="/lien-he">Liên hệ</a></p>
  </div>
</div>
</form>
</body>
</html>
"""


def _json(obj: object) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2).replace("</", "<\\/")


def current_article(portal: Portal, meta: ArticleMeta, c: Content) -> str:
    sec = meta.section
    images = c.images
    og_image = images[0].url if images else LOGO_URL
    ld: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": meta.url},
        "headline": meta.title,
        "description": c.lead,
    }
    if images:
        ld["image"] = {"@type": "ImageObject", "url": images[0].url, "width": 1200, "height": 800}
    ld["datePublished"] = iso(meta.published)
    if c.modified is not None:
        ld["dateModified"] = iso(c.modified)
    if c.ld_authors:
        people = [{"@type": "Person", "name": n} for n in c.ld_authors]
        ld["author"] = people[0] if len(people) == 1 else people
    ld["publisher"] = {
        "@type": "Organization",
        "name": "Báo Hải Dương",
        "logo": {"@type": "ImageObject", "url": LOGO_URL},
    }
    crumbs = {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": 1,
                "name": "Trang chủ",
                "item": CANONICAL_ORIGIN + "/",
            },
            {
                "@type": "ListItem",
                "position": 2,
                "name": sec.name,
                "item": CANONICAL_ORIGIN + sec.current_path,
            },
        ],
    }
    inline = ""
    if meta.related_inline:
        items = "\n".join(
            f'            <li><a href="{a(portal.href(i, ("in", meta.index)))}">'
            f"{t(portal.articles[i].title)}</a></li>"
            for i in meta.related_inline
        )
        inline = f'        <div class="box-related-inline">\n          <ul>\n{items}\n          </ul>\n        </div>\n'
    body = "\n          ".join(_current_block(b, k) for k, b in enumerate(c.blocks))
    tags = ""
    if c.tags:
        links = "\n".join(
            f'          <a href="/tag/{slugify(tag)}-{_tag_id(tag)}.html">{t(tag)}</a>'
            for tag in c.tags
        )
        tags = f'        <div class="article__tags">\n{links}\n        </div>\n'
    related = ""
    if meta.related_block:
        stories = "\n".join(
            f'          <div class="story"><a class="story__title" '
            f'href="{a(portal.href(i, ("blk", meta.index)))}">{t(portal.articles[i].title)}</a></div>'
            for i in meta.related_block
        )
        related = (
            '        <section class="article__related">\n'
            '          <h2 class="section-title">Bài liên quan</h2>\n'
            f"{stories}\n        </section>\n"
        )
    zone = "\n".join(
        f'        <div class="story"><a class="story__title" '
        f'href="{a(portal.href(i, ("zone", meta.index)))}">{t(portal.articles[i].title)}</a></div>'
        for i in _same_zone(portal, meta)
    )
    modified_meta = (
        f'\n<meta property="article:modified_time" content="{iso(c.modified)}">'
        if c.modified is not None
        else ""
    )
    views = f"{int(stable_unit(portal.seed, 'views', meta.index) * 5000) + 12:,}".replace(",", ".")
    return f"""<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{t(meta.title)} | Báo Hải Dương điện tử</title>
<meta name="description" content="{a(c.lead)}">
<meta property="og:type" content="article">
<meta property="og:title" content="{a(meta.title)}">
<meta property="og:url" content="{meta.url}">
<meta property="og:image" content="{a(og_image)}">
<meta property="article:published_time" content="{iso(meta.published)}">{modified_meta}
<meta property="article:section" content="{a(sec.name)}">
<link rel="canonical" href="{meta.url}">
<link rel="stylesheet" href="https://bhd.1cdn.vn/assets/css/main.min.css?v=20241001">
<script type="application/ld+json">
{_json(ld)}
</script>
<script type="application/ld+json">
{_json(crumbs)}
</script>
</head>
<body class="page-detail">
<header class="site-header">
  <div class="container">
    <a class="site-header__logo" href="/"><img src="{LOGO_URL}" alt="Báo Hải Dương"></a>
{_current_menu(sec)}
  </div>
</header>
<main class="container">
  <div class="row">
    <div class="col-main">
      <ol class="breadcrumb"><li><a href="/">Trang chủ</a></li><li><a href="{sec.current_path}">{t(sec.name)}</a></li></ol>
      <article class="article" data-id="{meta.source_id}">
        <h1 class="article__title">{t(meta.title)}</h1>
        <div class="article__meta">
          <span class="article__date">{current_date_line(meta.published)}</span>
          <span class="article__views">{views} lượt xem</span>
        </div>
        <div class="article__sapo">{t(c.lead)}</div>
{inline}        <div class="article__body">
          {body}
          <p class="author">{t(c.byline)}</p>
        </div>
{tags}{related}      </article>
      <section class="box-category-news">
        <h2 class="section-title"><a href="{sec.current_path}">Tin cùng chuyên mục</a></h2>
{zone}
      </section>
    </div>
    <aside class="col-side">
      {_most_read_current(portal, ("article", meta.index))}
    </aside>
  </div>
</main>
<footer class="site-footer"><p>Báo Hải Dương điện tử. Giấy phép số 72/GP-BTTTT.</p><p><a href="/rss/home.rss">RSS</a></p></footer>
<script src="https://bhd.1cdn.vn/assets/js/main.min.js?v=20241001"></script>
</body>
</html>
"""


def _tag_id(tag: str) -> int:
    return int(stable_unit("tag", tag) * 9000) + 100


# ---------------------------------------------------------------------- listings
def _thumb_legacy(meta: ArticleMeta) -> str:
    name = slugify(meta.title)[:30]
    return f"{LEGACY_MEDIA}\\files\\library\\images\\site-1\\{meta.published:%Y%m%d}\\thumb\\{name}.jpg"


def legacy_listing(
    portal: Portal,
    sec: Section,
    page: int,
    pages: int,
    ids: list[int],
    special: list[tuple[str, str]] | None = None,
) -> str:
    ctx = ("legacy-list", sec.slug, page)
    focus = ""
    if page == 1 and ids:
        f = portal.articles[ids[0]]
        href = a(portal.href(ids[0], ("focus", sec.slug)))
        focus = (
            f'      <div class="box-focus">\n        <a href="{href}"><img src="{a(_thumb_legacy(f))}" alt="" /></a>\n'
            f'        <h3><a href="{href}">{t(f.title)}</a></h3>\n      </div>\n'
        )
    items = []
    for i in ids:
        m = portal.articles[i]
        href = a(portal.href(i, ctx))
        items.append(
            f"""          <li>
            <a href="{href}" class="thumb"><img src="{a(_thumb_legacy(m))}" alt="{a(m.title)}" /></a>
            <h4><a href="{href}">{t(m.title)}</a></h4>
            <span class="time">{m.published:%d/%m/%Y %H:%M}</span>
            <p class="sapo">{t(portal.content(i).lead)}</p>
          </li>"""
        )
    base = sec.legacy_path
    paging = []
    if page > 1:
        prev = base if page == 2 else f"{base}?page={page - 1}"
        paging.append(f'        <a href="{prev}" class="prev">&laquo; Trang trước</a>')
    paging.append(f'        <span class="current">{page}</span>')
    for n in range(page + 1, min(pages, page + 3) + 1):
        paging.append(f'        <a href="{base}?page={n}">{n}</a>')
    if page < pages:
        paging.append(
            f'        <a href="{base}?page={page + 1}" class="next">Trang sau &raquo;</a>'
        )
    canonical = CANONICAL_ORIGIN + base + (f"?page={page}" if page > 1 else "")
    return f"""<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" lang="vi">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title>{t(sec.name)} - Báo Hải Dương</title>
<link rel="canonical" href="{a(canonical)}" />
<link rel="alternate" type="application/rss+xml" title="{a(sec.name)}" href="/rss/{sec.slug}.rss" />
</head>
<body>
<form method="post" action="./{sec.id}" id="form1">
<div id="wrapper">
  <div id="header" class="w100pt left">
{_legacy_menu(sec)}
  </div>
  <div id="main" class="w100pt left">
    <div class="col-left left">
      <h2 class="title-zone"><a href="{base}">{t(sec.name)}</a></h2>
{focus}      <ul class="list-news left w100pt">
{chr(10).join(items)}
      </ul>
      <div class="paging">
{chr(10).join(paging)}
      </div>
    </div>
    <div class="col-right right">
{_most_read_legacy(portal, ctx)}
{_special_links(special or [])}    </div>
  </div>
  <div id="footer" class="w100pt left"><p>BÁO HẢI DƯƠNG</p>{_trap_links(ctx)}</div>
</div>
</form>
</body>
</html>
"""


def current_listing(
    portal: Portal,
    sec: Section,
    page: int,
    pages: int,
    ids: list[int],
    special: list[tuple[str, str]] | None = None,
) -> str:
    ctx = ("current-list", sec.slug, page)
    stories = []
    for k, i in enumerate(ids):
        m = portal.articles[i]
        href = a(portal.href(i, ctx))
        cls = "story story--featured" if k == 0 and page == 1 else "story"
        thumb = f"https://bhd.1cdn.vn/thumbs/540x360/{m.published:%Y/%m/%d}/anh-{m.source_id}.jpg"
        stories.append(
            f"""      <div class="{cls}">
        <a class="story__thumb" href="{href}"><img class="lazyload" data-src="{thumb}" alt="{a(m.title)}"></a>
        <h3><a class="story__title" href="{href}">{t(m.title)}</a></h3>
        <time class="story__time" datetime="{iso(m.published)}">{m.published:%d/%m/%Y %H:%M}</time>
        <div class="story__summary">{t(portal.content(i).lead)}</div>
      </div>"""
        )
    base = sec.current_path
    nav = []
    for n in range(max(1, page - 2), min(pages, page + 2) + 1):
        href = base if n == 1 else f"{base}p{n}"
        active = " is-active" if n == page else ""
        nav.append(f'    <a class="pagination__item{active}" href="{href}">{n}</a>')
    if page < pages:
        nav.append(f'    <a class="pagination__next" href="{base}p{page + 1}" rel="next">›</a>')
    canonical = CANONICAL_ORIGIN + base + (f"p{page}" if page > 1 else "")
    return f"""<!doctype html>
<html lang="vi">
<head><meta charset="utf-8"><title>{t(sec.name)} | Báo Hải Dương điện tử</title>
<link rel="canonical" href="{a(canonical)}"></head>
<body class="page-category">
<header class="site-header">
{_current_menu(sec)}
</header>
<main class="container">
  <h1 class="category-title">{t(sec.name)}</h1>
  <section class="category-news">
{chr(10).join(stories)}
  </section>
  <nav class="pagination">
{chr(10).join(nav)}
  </nav>
  <aside class="col-side">{_most_read_current(portal, ctx)}
{_special_links(special or [])}  </aside>
</main>
<footer class="site-footer">{_trap_links(ctx)}</footer>
</body></html>
"""


def home(portal: Portal, special: list[tuple[str, str]] | None = None) -> str:
    half = len(SECTIONS) // 2
    latest = portal.all_listed[:12]
    items = "\n".join(
        f'          <li><h4><a href="{a(portal.href(i, "home"))}">{t(portal.articles[i].title)}</a>'
        f'</h4><span class="time">{portal.articles[i].published:%d/%m/%Y %H:%M}</span></li>'
        for i in latest
    )
    return f"""<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" lang="vi">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title>Báo Hải Dương - Tin tức Hải Dương</title>
<link rel="canonical" href="{CANONICAL_ORIGIN}/" />
<link rel="alternate" type="application/rss+xml" title="Báo Hải Dương - Trang chủ" href="/rss/home.rss" />
</head>
<body>
<div id="wrapper">
  <div id="header" class="w100pt left">
{_legacy_menu(None, SECTIONS[:half])}
{_current_menu(None, SECTIONS[half:])}
  </div>
  <div id="main" class="w100pt left">
    <div class="col-left left">
      <h2 class="title-zone">Tin mới nhất</h2>
      <ul class="list-news left w100pt">
{items}
      </ul>
    </div>
    <div class="col-right right">
{_most_read_legacy(portal, "home")}
{_special_links(special or [])}    </div>
  </div>
  <div id="footer" class="w100pt left"><p>BÁO HẢI DƯƠNG</p>{_trap_links("home")}
    <p><a href="/sitemap.xml">Sơ đồ trang</a></p></div>
</div>
</body>
</html>
"""


# ---------------------------------------------------------------------- feeds
def _rfc822(dt: datetime, utc: bool) -> str:
    days = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    d = dt.astimezone(UTC) if utc else dt
    zone = "GMT" if utc else "+0700"
    return f"{days[d.weekday()]}, {d.day:02d} {months[d.month - 1]} {d:%Y %H:%M:%S} {zone}"


def rss(portal: Portal, sec: Section | None, ids: list[int]) -> str:
    name = sec.name if sec else "Trang chủ"
    link = CANONICAL_ORIGIN + (sec.legacy_path if sec else "/")
    self_url = f"{CANONICAL_ORIGIN}/rss/{sec.slug if sec else 'home'}.rss"
    items = []
    for i in ids[:FEED_SIZE]:
        m = portal.articles[i]
        u = stable_unit(portal.seed, "rss", i, sec.slug if sec else "home")
        if u < 0.5:
            href = m.url
        elif u < 0.65:
            href = "http://baohaiduong.vn" + m.path
        elif u < 0.8:
            href = "https://m.baohaiduong.vn" + m.path
        else:
            href = m.url + "?utm_source=rss&utm_medium=feed"
        v = stable_unit(portal.seed, "pubdate", i)
        if v < 0.4:
            pub = f"{m.published:%d/%m/%Y %H:%M:%S}"
        elif v < 0.7:
            pub = _rfc822(m.published, utc=True)
        else:
            pub = _rfc822(m.published, utc=False)
        items.append(
            f"""<item>
<title>{t(m.title)}</title>
<link>{t(href)}</link>
<guid isPermaLink="false">{m.source_id}</guid>
<description><![CDATA[{portal.content(i).lead}]]></description>
<pubDate>{pub}</pubDate>
</item>"""
        )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>Báo Hải Dương - {t(name)}</title>
<link>{link}</link>
<description>Tin tức {t(name)} - Báo Hải Dương</description>
<language>vi-VN</language>
<atom:link href="{self_url}" rel="self" type="application/rss+xml" />
{chr(10).join(items)}
</channel>
</rss>
"""


def sitemap_urlset(portal: Portal, ids: list[int]) -> str:
    rows = [
        f"<url><loc>{portal.articles[i].url}</loc><lastmod>{iso(portal.last_modified(i))}</lastmod></url>"
        for i in ids
    ]
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        + "\n".join(rows)
        + "\n</urlset>\n"
    )


def sitemap_index(lastmods: list[datetime]) -> str:
    """An index of ``sitemap-<n>.xml`` files, each with the newest lastmod it holds."""
    rows = "\n".join(
        f"<sitemap><loc>{CANONICAL_ORIGIN}/sitemap-{n}.xml</loc><lastmod>{iso(when)}</lastmod></sitemap>"
        for n, when in enumerate(lastmods, start=1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{rows}\n</sitemapindex>\n"
    )


def robots(crawl_delay: float) -> str:
    delay = f"{crawl_delay:g}"
    return (
        "User-agent: *\n"
        "Disallow: /tim-kiem\n"
        "Disallow: /private/\n"
        f"Crawl-delay: {delay}\n"
        f"\nSitemap: {CANONICAL_ORIGIN}/sitemap.xml\n"
    )


# ---------------------------------------------------------------------- odd pages
def simple_page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="vi">\n<head><meta charset="utf-8">'
        f"<title>{t(title)} - Báo Hải Dương</title></head>\n<body>\n"
        f"<h1>{t(title)}</h1>\n{body}\n</body>\n</html>\n"
    )


def tag_page(portal: Portal, path: str) -> str:
    """A keyword page: a short current-style list of articles, no pagination."""
    stories = "\n".join(
        f'    <div class="story"><h3><a class="story__title" href="{a(portal.href(i, path))}">'
        f"{t(portal.articles[i].title)}</a></h3></div>"
        for i in portal.most_read(path, 10)
    )
    return (
        '<!doctype html>\n<html lang="vi">\n<head><meta charset="utf-8">'
        '<title>Từ khóa | Báo Hải Dương điện tử</title></head>\n<body class="page-tag">\n'
        f'<main class="container">\n  <h1 class="category-title">Từ khóa</h1>\n'
        f'  <section class="tag-news">\n{stories}\n  </section>\n</main>\n</body></html>\n'
    )


def search_page(portal: Portal) -> str:
    items = "\n".join(
        f'<li><h4><a href="{a(portal.href(i, "search"))}">{t(portal.articles[i].title)}</a></h4></li>'
        for i in portal.most_read("search")
    )
    return simple_page("Tìm kiếm", f'<ul class="list-news">\n{items}\n</ul>')


def private_page(path: str) -> str:
    """Looks like a legacy article, so a crawler ignoring robots.txt would store it."""
    return f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>Bản tin nội bộ - Báo Hải Dương</title>
<link rel="canonical" href="{CANONICAL_ORIGIN}{a(path)}" /></head>
<body><div class="breadcrumb"><a href="/">Trang chủ</a> &raquo; <a href="/private/">Nội bộ</a></div>
<div class="detail"><h1 class="title-detail">Bản tin nội bộ không công khai</h1>
<span class="date-detail">THỨ HAI, 03/01/2022 08:00:00</span>
<h2 class="sapo-detail">Nội dung dành cho cán bộ, phóng viên của Báo.</h2>
<div class="fck"><p>Trang này bị chặn bởi robots.txt và không được thu thập.</p>
<p style="text-align: right;"><strong>BAN BIÊN TẬP</strong></p></div></div>
</body></html>
"""


def oversized_page(size: int) -> bytes:
    head = simple_page("Toàn văn báo cáo", "").split("</body>")[0].encode()
    tail = b"</body>\n</html>\n"
    para = "<p>Nội dung báo cáo tổng kết công tác năm được đăng tải đầy đủ.</p>\n".encode()
    room = max(0, size - len(head) - len(tail))
    filler = para * (room // len(para))
    filler += b" " * (room - len(filler))
    return head + filler + tail


#: The smallest PDF readers accept; only its type matters to a crawler.
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
