"""The replica's OneCMS edition: the publisher after the 2025 merger, on two domains.

``baohaiphong.vn`` serves OneCMS pages as ``../shared/portal/PORTAL.md`` ("The portal
today") describes them: the normal and the longform article template, section pages showing page 1
with a JavaScript "Xem thêm" button, ``/rss/tin-moi-nhat.rss``, a sitemap index of
daily files (``sitemap-article-YYYY-MM-DD.xml``, no gaps since the site's launch,
``lastmod`` = publication + 1 s) plus ``sitemap-news.xml``, ``sitemap-category.xml`` and
``sitemap-article-daily.xml``, and a web firewall answering a share of requests 403 at
random. ``baohaiduong.vn`` answers 301 from every old article path to the article's
new URL (all of the old paper's articles migrated, ids kept).

Articles: the legacy edition's (:class:`~replica.generator.Portal`, same seed, so a
store filled from the legacy edition meets the same ids here), rendered in the
normal OneCMS template at their new URL; their bodies keep their old absolute
links. New articles (ids from 532 000) cover the last ``days`` days. Ground truth:
:meth:`OneCMSEdition.record` — ``url`` on baohaiphong.vn, and ``aliases`` holding
the old URL for a migrated article some page links under it (so a crawl meets it
under both domains).

:class:`OneCMSReplica` serves both domains on two loopback ports; a crawl maps them
with ``NEWSBOT_ORIGINS``.
"""

from __future__ import annotations

import http.server
import random
import threading
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import TracebackType
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from replica import pages
from replica.generator import (
    SECTIONS,
    VN_TZ,
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
from replica.server import HTML, RSS, TEXT, XML, Response, _QuietServer

OLD = "baohaiduong.vn"
NEW = "baohaiphong.vn"
NEW_ORIGIN = f"https://{NEW}"
OLD_ORIGIN = f"https://{OLD}"
GREY = "https://bhd.1cdn.vn/assets/images/grey.gif"
FIRST_NEW_ID = 532_000
LISTING_SIZE = 12
FEED_SIZE = 30
LONGFORM_SHARE = 0.2
FIREWALL_BODY = (
    b"<html><head><title>Access Denied</title></head><body><h1>Access Denied</h1>"
    b"<p>Your request was blocked by our security system.</p></body></html>"
)

t, a = pages.t, pages.a


#: Sections renamed on the OneCMS site (PORTAL.md: ``/quoc-te``).
RENAMED = {"the-gioi": "quoc-te"}


def onecms_slug(section: Section) -> str:
    """The section's path on the OneCMS site (``Khoa học - Giáo dục`` → ``khoa-hoc-giao-duc``)."""
    return RENAMED.get(section.slug) or slugify(section.name)


@dataclass(slots=True)
class Story:
    """One article of the edition: migrated from the old paper, or new on OneCMS."""

    meta: ArticleMeta
    migrated: bool
    template: str  # normal | longform
    new_path: str
    #: indices (into :attr:`OneCMSEdition.stories`) of related stories of new articles
    related: tuple[int, ...] = ()

    @property
    def url(self) -> str:
        return NEW_ORIGIN + self.new_path

    @property
    def old_url(self) -> str | None:
        return OLD_ORIGIN + self.meta.path if self.migrated else None


class OneCMSEdition:
    """The articles of the OneCMS edition and the pages that list them."""

    def __init__(
        self,
        legacy_articles: int = 60,
        seed: int = 1,
        *,
        days: int = 10,
        today: date | None = None,
        launch: date | None = None,
        per_day: tuple[int, int] = (2, 5),
        now: datetime | None = None,
    ) -> None:
        self.seed = seed
        self.now = (now or datetime.now(VN_TZ)).astimezone(VN_TZ).replace(microsecond=0)
        self.today = today or self.now.date()
        #: First day of the daily sitemap files (the site's launch on OneCMS).
        self.launch = launch or (self.today - timedelta(days=days - 1))
        self.portal = Portal(legacy_articles, seed)
        self.stories: list[Story] = []
        for meta in self.portal.articles:
            path = f"/{slugify(meta.title)}-{meta.source_id}.html"
            self.stories.append(Story(meta, True, "normal", path))
        self._migrated = len(self.stories)
        self._add_new(days, per_day)
        self.by_new_path = {s.new_path: i for i, s in enumerate(self.stories)}
        self.by_old_path = {s.meta.path: i for i, s in enumerate(self.stories) if s.migrated}
        self.by_id = {s.meta.source_id: i for i, s in enumerate(self.stories)}
        # Listed stories newest first; hidden ones are reached by related links only.
        order = sorted(
            (i for i, s in enumerate(self.stories) if not s.meta.hidden),
            key=lambda i: (self.stories[i].meta.published, i),
            reverse=True,
        )
        self.listed = order
        self.by_day: dict[date, list[int]] = {}
        self.by_section: dict[str, list[int]] = {onecms_slug(s): [] for s in SECTIONS}
        for i in order:
            meta = self.stories[i].meta
            self.by_day.setdefault(meta.published.date(), []).append(i)
            self.by_section[onecms_slug(meta.section)].append(i)
        # Old URLs some page links (migrated bodies keep their links): a crawl meets
        # those articles under both domains.
        self.linked_old: set[int] = {
            j for s in self.stories if s.migrated for j in s.meta.related_unique()
        }

    def _add_new(self, days: int, per_day: tuple[int, int]) -> None:
        rng = random.Random(f"onecms:{self.seed}:{days}")
        next_id = FIRST_NEW_ID + rng.randrange(500)
        weights = [3, 1, 3, 3, 2, 2, 2, 2, 1, 2, 1, 1]
        stamps: list[datetime] = []
        for back in range(days - 1, -1, -1):
            day = self.today - timedelta(days=back)
            start = datetime(day.year, day.month, day.day, 6, tzinfo=VN_TZ)
            end = min(start + timedelta(hours=16), self.now - timedelta(minutes=1))
            if end <= start:
                continue
            # At least one minute: just after 06:00 (23:00 UTC) the day's span is shorter.
            span = max(1, int((end - start).total_seconds() // 60))
            for _ in range(rng.randint(*per_day)):
                stamps.append(start + timedelta(minutes=rng.randrange(span)))
        for published in sorted(stamps):
            next_id += rng.randint(1, 4)
            section = rng.choices(SECTIONS, weights)[0]
            title = self.portal._title(rng, section, published)
            meta = ArticleMeta(
                len(self.stories), str(next_id), "current", section, published, title, ""
            )
            meta.path = f"/{slugify(title)}-{next_id}.html"
            if rng.random() < 0.4:
                meta.modified = published + timedelta(minutes=rng.randint(5, 300))
            template = "longform" if rng.random() < LONGFORM_SHARE else "normal"
            earlier = [
                i for i in range(self._migrated, len(self.stories)) if not self.stories[i].migrated
            ][-20:]
            related = tuple(rng.sample(earlier, min(len(earlier), rng.choice((0, 1, 2, 3)))))
            self.stories.append(Story(meta, False, template, meta.path, related))

    # ------------------------------------------------------------------ content
    def content(self, index: int) -> Content:
        story = self.stories[index]
        if story.migrated:
            return self.portal.content(story.meta.index)
        content = self.portal._fresh_content(story.meta)
        if story.template == "longform":
            content.ld_authors = None  # longform pages print the byline only
        return content

    def related_links(self, index: int) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """(href, title) of the in-body "Bài liên quan" box and the "Bài đọc tiếp" box."""
        story = self.stories[index]
        if story.migrated:
            meta = story.meta
            portal = self.portal

            def old_href(i: int, where: str) -> str:
                href = portal.href(i, (where, meta.index))
                return OLD_ORIGIN + href if href.startswith("/") else href

            inline = [(old_href(i, "in"), portal.articles[i].title) for i in meta.related_inline]
            block = [(old_href(i, "blk"), portal.articles[i].title) for i in meta.related_block]
            return inline, block
        links = [(self.stories[i].new_path, self.stories[i].meta.title) for i in story.related]
        return links[:1], links[1:]

    def record(self, index: int) -> dict[str, Any]:
        """The record a correct crawl stores for this story (PORTAL.md's contract)."""
        story = self.stories[index]
        if story.migrated:
            rec = self.portal.record(story.meta.index)
            rec["url"] = story.url
            if story.meta.index in self.linked_old:
                rec["aliases"] = [story.old_url]
            return rec
        meta, c = story.meta, self.content(index)
        rec = {
            "url": story.url,
            "source_id": meta.source_id,
            "site": "baohaiduong",
            "section": meta.section.name,
            "title": meta.title,
            "published_at": iso(meta.published),
        }
        if meta.modified is not None:
            rec["modified_at"] = iso(meta.modified)
        rec["lead"] = c.lead
        rec["body"] = "\n\n".join(p.text for p in c.paragraphs)
        rec["author"] = ", ".join(c.ld_authors) if c.ld_authors else c.byline
        rec["images"] = [{"url": im.url, "caption": im.caption} for im in c.images]
        rec["related"] = [
            {"url": self.stories[i].url, "title": self.stories[i].meta.title} for i in story.related
        ]
        if c.media:
            rec["media"] = [{"url": m.url, "kind": m.kind} for m in c.media]
        rec["tags"] = list(c.tags)
        rec["language"] = "vi"
        return rec

    def ground_truth(self) -> list[dict[str, Any]]:
        return [self.record(i) for i in range(len(self.stories))]

    def lastmod(self, index: int) -> datetime:
        """A day file's ``lastmod``: publication plus one second, as on the platform."""
        return self.stories[index].meta.published + timedelta(seconds=1)

    def day_files(self) -> list[date]:
        """Days with a daily sitemap file, newest first: every day since the launch,
        and the old days that hold migrated articles."""
        days = {self.launch + timedelta(days=k) for k in range((self.today - self.launch).days + 1)}
        days |= set(self.by_day)
        return sorted((d for d in days if d <= self.today), reverse=True)


# ---------------------------------------------------------------------- pages
def _block(block: object, n: int, seed: int) -> str:
    if isinstance(block, Paragraph):
        return pages._paragraph(block)
    if isinstance(block, Image):
        src = block.url
        img = (
            f'<img class="lazyload" src="{GREY}" data-src="{a(src)}" alt="{a(block.alt)}">'
            if block.lazy
            else f'<img src="{a(src)}" alt="{a(block.alt)}">'
        )
        if block.caption is None:
            return f'<figure class="expNoEdit">{img}</figure>'
        if stable_unit(seed, "lg", src) < 0.4:
            return (
                f'<figure class="expNoEdit"><a class="lightgallery" href="{a(src)}">{img}</a>'
                f'<div class="lg-caption"><h2>{t(block.caption)}</h2></div></figure>'
            )
        return (
            f'<figure class="expNoEdit">{img}<figcaption>{t(block.caption)}</figcaption></figure>'
        )
    if isinstance(block, Media):
        mime = "audio/mpeg" if block.kind == "audio" else "video/mp4"
        return (
            f'<div class="sc-embed"><{block.kind} controls><source src="{a(block.url)}" '
            f'type="{mime}"></{block.kind}></div>'
        )
    if isinstance(block, Filler) and block.kind == "ads":
        return (
            f'<div class="c-box" id="ads_after_sapo_{n}"><div class="c-box__label">Quảng cáo</div>'
            f'<script>onecmsAds.push({{zone: "after_sapo_{n}"}});</script></div>'
        )
    return "<p>&nbsp;</p>"


def _box(title: str, links: list[tuple[str, str]], tag: str = "h2") -> str:
    if not links:
        return ""
    items = "".join(
        f'<li><h3 class="b-grid__title"><a href="{a(h)}">{t(name)}</a></h3></li>'
        for h, name in links
    )
    return (
        f'<div class="c-box c-box--related"><div class="c-box__title"><{tag} class="c-box__title__name">'
        f'{t(title)}</{tag}></div><ul class="c-box__list">{items}</ul></div>'
    )


def _menu() -> str:
    items = "".join(f'<li><a href="/{onecms_slug(s)}">{t(s.name)}</a></li>' for s in SECTIONS)
    return f'<nav class="c-menu"><ul class="c-menu__list">{items}<li><a href="/video">Video</a></li></ul></nav>'


def _sidebar(ed: OneCMSEdition, context: object) -> str:
    pool = ed.listed
    start = int(stable_unit(ed.seed, "side", context) * len(pool)) if pool else 0
    picks = [pool[(start + 5 * k) % len(pool)] for k in range(min(4, len(pool)))]
    items = "".join(
        f'<li><h3 class="b-grid__title"><a href="{ed.stories[i].new_path}">'
        f"{t(ed.stories[i].meta.title)}</a></h3></li>"
        for i in picks
    )
    return (
        '<aside class="c-layout__side"><div class="c-box c-box--most-read"><div class="c-box__title">'
        f'<span class="c-box__title__name">Đọc nhiều</span></div><ol class="c-box__list">{items}</ol>'
        "</div></aside>"
    )


def article_page(ed: OneCMSEdition, index: int) -> str:
    story = ed.stories[index]
    meta, c = story.meta, ed.content(index)
    sec = meta.section
    ld: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": meta.title,
        "datePublished": iso(meta.published),
    }
    modified = c.modified if story.migrated else meta.modified
    if modified is not None:
        ld["dateModified"] = iso(modified)
    if c.ld_authors:
        people = [{"@type": "Person", "name": n} for n in c.ld_authors]
        ld["author"] = people[0] if len(people) == 1 else people
    ld["articleSection"] = sec.name
    inline, block = ed.related_links(index)
    body = [_block(b, k, ed.seed) for k, b in enumerate(c.blocks)]
    box = _box("Bài liên quan", inline)
    if box:
        body.insert(min(2, len(body)), box)
    entry = "\n".join(body)
    readmore = _box("Bài đọc tiếp", block, tag="h3")
    tags = "".join(
        f'<li><h4><a href="/{slugify(tag)}-ptag.html">{t(tag)}</a></h4></li>' for tag in c.tags
    )
    crumbs = (
        '<ol class="breadcrumb"><li class="breadcrumb-item"><a href="/">Trang chủ</a></li>'
        f'<li class="breadcrumb-item active"><a href="/{onecms_slug(sec)}">{t(sec.name)}</a></li></ol>'
    )
    when = meta.published
    if story.template == "longform":
        main = f"""<main class="c-main c-main--longform"><div class="c-detail-longform">
<div class="container container--narrow">{crumbs}</div>
<div class="b-maincontent"><div class="entry entry-no-padding" id="entry-{meta.source_id}">
<div class="sc-longform-header"><div class="sc-longform-header-text">
<h1 class="sc-longform-header-title block-sc-title">{t(meta.title)}</h1>
<p class="sc-longform-header-sapo block-sc-sapo">{t(c.lead)}</p>
<div class="sc-longform-header-meta"><span class="sc-longform-header-author block-sc-author">{t(c.byline)}</span>
<span class="sc-longform-header-date block-sc-publish-time">{when:%d/%m/%Y %H:%M}</span></div>
</div></div><div class="sc-empty-layer"></div>
{entry}
</div>{readmore}
<div class="c-widget-tags onecms__tags"><ul>{tags}</ul></div></div></div></main>"""
    else:
        main = f"""<main class="c-main"><div class="container"><div class="c-layout"><div class="c-layout__main">
{crumbs}
<div class="c-detail-head"><h1 class="c-detail-head__title">{t(meta.title)}</h1>
<div class="c-detail-head__row"><span class="c-detail-head__time"><i class="icon-clock"></i> {when:%H:%M %d/%m/%Y}</span>
<span class="c-detail-head__author"><a href="/tac-gia/{slugify(c.byline)}-1.html">{t(c.byline)}</a></span></div></div>
<div class="b-maincontent"><h2 class="desc">{t(c.lead)}</h2>
<article class="entry" id="entry-{meta.source_id}">
{entry}
</article>
<div class="c-widget-tags onecms__tags"><ul>{tags}</ul></div>
{readmore}</div></div>
{_sidebar(ed, ("article", index))}</div></div></main>"""
    return f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8">
<title>{t(meta.title)} - Báo Hải Phòng</title>
<link rel="canonical" href="{story.url}">
<meta property="og:type" content="article">
<meta property="og:title" content="{a(meta.title)}">
<meta property="article:published_time" content="{iso(meta.published)}">
<script type="application/ld+json">{pages._json(ld)}</script>
</head><body class="page-detail">
<header class="c-header"><a class="c-header__logo" href="/"><img src="https://bhd.1cdn.vn/assets/images/logo.png" alt="Báo Hải Phòng"></a>{_menu()}</header>
{main}
<footer class="c-footer"><p>BÁO HẢI PHÒNG ĐIỆN TỬ</p><p><a href="/rss">RSS</a></p></footer>
</body></html>
"""


def _grid(ed: OneCMSEdition, i: int, tag: str = "h3") -> str:
    s = ed.stories[i]
    href = s.new_path
    if stable_unit(ed.seed, "host", i) < 0.15:
        href = f"https://m.{NEW}{href}"
    return (
        f'<div class="b-grid"><div class="b-grid__img"><a href="{a(href)}"><img class="lazyload" '
        f'src="{GREY}" data-src="https://bhd.1cdn.vn/thumbs/300x200/x-{s.meta.source_id}.jpg" alt="">'
        f'</a></div><div class="b-grid__content"><{tag} class="b-grid__title"><a href="{a(href)}">'
        f"{t(s.meta.title)}</a></{tag}><time>{s.meta.published:%d/%m/%Y %H:%M}</time></div></div>"
    )


def section_page(ed: OneCMSEdition, slug: str) -> str:
    ids = ed.by_section[slug][:LISTING_SIZE]
    name = next(s.name for s in SECTIONS if onecms_slug(s) == slug)
    featured = (
        f'<div class="b-grid b-grid--featured">{_grid(ed, ids[0], "h2")}</div>' if ids else ""
    )
    items = "".join(
        f'<li pid="{ed.stories[i].meta.source_id}">{_grid(ed, i)}</li>' for i in ids[1:]
    )
    last = ed.stories[ids[-1]].meta.source_id if ids else ""
    return f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>{t(name)} - Báo Hải Phòng</title>
<link rel="canonical" href="{NEW_ORIGIN}/{slug}"></head><body>
<header class="c-header">{_menu()}</header>
<main class="c-main"><div class="container"><div class="c-layout"><div class="c-layout__main">
{featured}
<ul class="b-grid__list onecms__loading" data-zone="{slug}" data-page="1">{items}</ul>
<div class="c-more onecms__loadmore"><a href="javascript:;" data-zone="{slug}" data-page="2" data-last-pid="{last}" rel="nofollow">Xem thêm</a></div>
</div>{_sidebar(ed, ("section", slug))}</div></div></main></body></html>
"""


def home_page(ed: OneCMSEdition) -> str:
    items = "".join(f"<li>{_grid(ed, i)}</li>" for i in ed.listed[:10])
    return f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>Báo Hải Phòng</title>
<link rel="alternate" type="application/rss+xml" href="{NEW_ORIGIN}/rss/tin-moi-nhat.rss"></head><body>
<header class="c-header">{_menu()}</header>
<main class="c-main"><ul class="b-grid__list">{items}</ul></main>
<footer class="c-footer"><a href="/sitemap.xml">Sitemap</a></footer></body></html>
"""


def rss_feed(ed: OneCMSEdition) -> str:
    items = "".join(
        f"<item><title>{t(ed.stories[i].meta.title)}</title><link>{ed.stories[i].url}</link>"
        f"<pubDate>{pages._rfc822(ed.stories[i].meta.published, utc=False)}</pubDate></item>"
        for i in ed.listed[:FEED_SIZE]
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Báo Hải Phòng - Tin mới nhất</title><link>{NEW_ORIGIN}/</link>{items}</channel></rss>"
    )


_SITEMAP_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'


def sitemap_index(ed: OneCMSEdition) -> str:
    stamp = iso(ed.now)
    names = ["sitemap-article-daily.xml", "sitemap-news.xml", "sitemap-category.xml"]
    names += [f"sitemap-article-{d.isoformat()}.xml" for d in ed.day_files()]
    rows = "".join(
        f"<sitemap><loc>{NEW_ORIGIN}/{n}</loc><lastmod>{stamp}</lastmod></sitemap>" for n in names
    )
    return (
        _SITEMAP_HEAD
        + f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</sitemapindex>'
    )


def day_file(ed: OneCMSEdition, ids: list[int]) -> str:
    rows = "".join(
        f"<url><loc>{ed.stories[i].url}</loc><lastmod>{iso(ed.lastmod(i))}</lastmod>"
        "<changefreq>daily</changefreq></url>"
        for i in ids
    )
    return (
        _SITEMAP_HEAD
        + f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</urlset>'
    )


def news_sitemap(ed: OneCMSEdition) -> str:
    since = ed.now - timedelta(days=2)
    rows = "".join(
        f"<url><loc>{ed.stories[i].url}</loc><news:news><news:publication_date>"
        f"{iso(ed.stories[i].meta.published)}</news:publication_date><news:title>"
        f"{t(ed.stories[i].meta.title)}</news:title></news:news></url>"
        for i in ed.listed
        if ed.stories[i].meta.published >= since
    )
    return (
        _SITEMAP_HEAD + '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{rows}</urlset>'
    )


def category_sitemap() -> str:
    rows = "".join(f"<url><loc>{NEW_ORIGIN}/{onecms_slug(s)}</loc></url>" for s in SECTIONS)
    return (
        _SITEMAP_HEAD
        + f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</urlset>'
    )


# ---------------------------------------------------------------------- server
class OneCMSLogEntry(NamedTuple):
    time: float
    domain: str  # baohaiduong.vn or baohaiphong.vn
    path: str
    status: int


class OneCMSReplica:
    """Both domains of the OneCMS edition on loopback (two ports), with a firewall.

    ``firewall`` is the share of requests (robots.txt aside) answered 403 at random;
    a retry of the same URL is a new draw, as on the real site.
    """

    def __init__(
        self,
        legacy_articles: int = 60,
        seed: int = 1,
        *,
        days: int = 10,
        launch: date | None = None,
        firewall: float = 0.0,
        crawl_delay: float = 0.0,
    ) -> None:
        self.edition = OneCMSEdition(legacy_articles, seed, days=days, launch=launch)
        self.seed = seed
        self.firewall = firewall
        self.crawl_delay = crawl_delay
        self.origins: dict[str, str] = {}
        self.request_log: list[OneCMSLogEntry] = []
        self._lock = threading.Lock()
        self._hits: dict[tuple[str, str], int] = {}
        self._servers: list[tuple[http.server.ThreadingHTTPServer, threading.Thread]] = []

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> dict[str, str]:
        """Serve both domains; returns domain -> origin (``http://127.0.0.1:port``)."""
        if self._servers:
            return self.origins
        for domain in (NEW, OLD):
            handler = type("OneCMSHandler", (_Handler,), {"replica": self, "domain": domain})
            server = _QuietServer(("127.0.0.1", 0), handler)
            thread = threading.Thread(
                target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
            )
            thread.start()
            self._servers.append((server, thread))
            self.origins[domain] = f"http://127.0.0.1:{server.server_address[1]}"
        return self.origins

    def stop(self) -> None:
        servers, self._servers = self._servers, []
        for server, thread in servers:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)

    def __enter__(self) -> OneCMSReplica:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def origins_setting(self) -> str:
        """The value of ``NEWSBOT_ORIGINS`` for a crawl of this replica."""
        return ",".join(f"{d}={o}" for d, o in self.origins.items())

    def ground_truth(self) -> list[dict[str, Any]]:
        return self.edition.ground_truth()

    def clear_request_log(self) -> None:
        with self._lock:
            self.request_log.clear()

    def requests(self, status: int | None = None) -> list[OneCMSLogEntry]:
        with self._lock:
            return [e for e in self.request_log if status is None or e.status == status]

    # ------------------------------------------------------------------ routing
    def route(self, domain: str, path: str) -> Response:
        ed = self.edition
        if path == "/robots.txt":
            body = f"User-agent: *\nDisallow: /tim-kiem\nCrawl-delay: {self.crawl_delay:g}\n"
            return Response(200, body.encode(), TEXT)
        if domain == OLD:
            index = ed.by_old_path.get(path)
            if index is not None:
                target = self.origins.get(NEW, NEW_ORIGIN) + ed.stories[index].new_path
                return Response(301, b"", HTML, (("Location", target),))
            if path == "/":
                return Response(
                    301, b"", HTML, (("Location", self.origins.get(NEW, NEW_ORIGIN) + "/"),)
                )
            return Response(404, pages.simple_page("Không tìm thấy trang", "").encode())
        if path in ed.by_new_path:
            return Response(200, article_page(ed, ed.by_new_path[path]).encode())
        if path == "/":
            return Response(200, home_page(ed).encode())
        slug = path.strip("/")
        if slug in ed.by_section:
            return Response(200, section_page(ed, slug).encode())
        if path == "/rss/tin-moi-nhat.rss":
            return Response(200, rss_feed(ed).encode(), RSS)
        if path == "/sitemap.xml":
            return Response(200, sitemap_index(ed).encode(), XML)
        if path == "/sitemap-news.xml":
            return Response(200, news_sitemap(ed).encode(), XML)
        if path == "/sitemap-category.xml":
            return Response(200, category_sitemap().encode(), XML)
        if path == "/sitemap-article-daily.xml":
            return Response(200, day_file(ed, ed.by_day.get(ed.today, [])).encode(), XML)
        if path.startswith("/sitemap-article-") and path.endswith(".xml"):
            try:
                day = date.fromisoformat(path[len("/sitemap-article-") : -4])
            except ValueError:
                day = None
            if day is not None and day in ed.day_files():
                return Response(200, day_file(ed, ed.by_day.get(day, [])).encode(), XML)
        if path.endswith("-ptag.html"):
            return Response(200, pages.simple_page("Từ khóa", "").encode())
        return Response(404, pages.simple_page("Không tìm thấy trang", "").encode())

    def respond(self, domain: str, raw_path: str) -> Response:
        path = urlsplit(raw_path).path or "/"
        with self._lock:
            attempt = self._hits.get((domain, path), 0) + 1
            self._hits[(domain, path)] = attempt
        if (
            self.firewall
            and path != "/robots.txt"
            and stable_unit(self.seed, "firewall", domain, path, attempt) < self.firewall
        ):
            return Response(403, FIREWALL_BODY)
        return self.route(domain, path)

    def log(self, domain: str, path: str, status: int) -> None:
        with self._lock:
            self.request_log.append(OneCMSLogEntry(time.time(), domain, path, status))


class _Handler(http.server.BaseHTTPRequestHandler):
    replica: OneCMSReplica
    domain: str
    protocol_version = "HTTP/1.1"
    server_version = "nginx"
    sys_version = ""
    timeout = 30

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
        pass

    def do_GET(self) -> None:
        response = self.replica.respond(self.domain, self.path)
        self.replica.log(self.domain, self.path, response.status)
        try:
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            for name, value in response.headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(response.body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
