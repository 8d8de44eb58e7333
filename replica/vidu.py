"""A second portal for the replica: the made-up Báo Ví Dụ (``vidu.example``).

It shows that a second publisher is one profile (``newsbot/sites/publishers/vidu.py``)
and crawls end to end next to the first. The articles are the generator's (titles,
dates, leads, paragraphs, images, related links of a :class:`~replica.generator.Portal`),
rendered in another CMS's markup and URL scheme::

    /                        home: menu and the newest stories
    /muc/<slug>[?trang=N]    section listings, 10 stories a page, dated
    /bai-viet/<id>/<slug>    articles
    /feed.xml, /sitemap.xml  RSS 2.0 and one urlset
    /robots.txt

:meth:`Vidu.ground_truth` gives the record a correct parser produces for each article.
"""

from __future__ import annotations

import http.server
import threading
from html import escape
from typing import Any
from urllib.parse import parse_qs, urlsplit

from replica.generator import ArticleMeta, Image, Paragraph, Portal

ORIGIN = "https://vidu.example"
SITE = "vidu"
#: (slug, name); the first two are in the profile, the third only in the menu.
SECTIONS = (("thoi-su", "Thời sự"), ("kinh-te", "Kinh tế"), ("van-hoa", "Văn hóa"))
PAGE_SIZE = 10
#: The record fields :meth:`Vidu.ground_truth` states (compare only these).
TRUTH_FIELDS = ("url", "source_id", "site", "section", "title", "published_at", "lead", "body",
                "author", "related")  # fmt: skip


def _page(title: str, body: str) -> str:
    menu = "".join(f'<a href="/muc/{s}">{escape(n)}</a>' for s, n in SECTIONS)
    return (
        f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">'
        f"<title>{escape(title)} | Báo Ví Dụ</title></head><body>"
        f'<nav class="menu"><a href="/">Trang chủ</a>{menu}</nav><main>{body}</main>'
        f"<footer>Báo Ví Dụ - một tờ báo không có thật</footer></body></html>"
    )


class Vidu:
    """The Báo Ví Dụ portal over a generated :class:`Portal` of ``articles`` articles."""

    def __init__(self, articles: int = 60, seed: int = 2) -> None:
        self.portal = Portal(articles, seed)
        self.metas = [m for m in self.portal.articles if not m.hidden]
        self.by_id = {m.source_id: m for m in self.metas}
        self._server: http.server.ThreadingHTTPServer | None = None
        self.origin = ""
        self.requests: list[str] = []

    # --- what each article is ---------------------------------------------------

    def section(self, meta: ArticleMeta) -> tuple[str, str]:
        return SECTIONS[meta.index % len(SECTIONS)]

    def path(self, meta: ArticleMeta) -> str:
        slug = meta.path.rstrip("/").rsplit("/", 1)[-1].removesuffix(".html")
        slug = slug.rsplit("-", 1)[0] if slug.rsplit("-", 1)[-1].isdigit() else slug
        return f"/bai-viet/{meta.source_id}/{slug}"

    def related(self, meta: ArticleMeta) -> list[ArticleMeta]:
        metas = [self.portal.articles[i] for i in meta.related_unique()]
        return [m for m in metas if not m.hidden and m is not meta]

    def ground_truth(self) -> list[dict[str, Any]]:
        """The record each served article must give (identity and text fields)."""
        out = []
        for meta in self.metas:
            c = self.portal.content(meta.index)
            out.append(
                {
                    "url": ORIGIN + self.path(meta),
                    "source_id": meta.source_id,
                    "site": SITE,
                    "section": self.section(meta)[1],
                    "title": meta.title,
                    "published_at": meta.published.isoformat(timespec="seconds"),
                    "lead": c.lead,
                    "body": "\n\n".join(p.text for p in c.paragraphs),
                    "author": c.byline,
                    "related": [
                        {"url": ORIGIN + self.path(r), "title": r.title} for r in self.related(meta)
                    ],
                }
            )
        return out

    # --- pages --------------------------------------------------------------------

    def article(self, meta: ArticleMeta) -> str:
        c = self.portal.content(meta.index)
        slug, name = self.section(meta)
        blocks = []
        for b in c.blocks:
            if isinstance(b, Paragraph):
                blocks.append(f"<p>{escape(b.text)}</p>")
            elif isinstance(b, Image):
                cap = f"<figcaption>{escape(b.caption)}</figcaption>" if b.caption else ""
                blocks.append(f'<figure><img src="{escape(b.url)}" alt="">{cap}</figure>')
        related = "".join(
            f'<li><a href="{self.path(r)}">{escape(r.title)}</a></li>' for r in self.related(meta)
        )
        tags = "".join(f'<a href="/the/{i}">{escape(t)}</a>' for i, t in enumerate(c.tags))
        when = meta.published
        body = (
            f'<article class="story"><ul class="crumbs"><li><a href="/">Trang chủ</a></li>'
            f'<li><a href="/muc/{slug}">{escape(name)}</a></li></ul>'
            f'<h1 class="story-title">{escape(meta.title)}</h1>'
            f'<time class="story-time" datetime="{when.isoformat()}">'
            f"{when:%d/%m/%Y %H:%M:%S}</time>"
            f'<p class="story-lead">{escape(c.lead)}</p>'
            f'<div class="story-body">{"".join(blocks)}'
            f'<p class="story-author">{escape(c.byline)}</p></div>'
            f'<div class="story-tags">{tags}</div>'
            f'<aside class="story-related"><ul>{related}</ul></aside></article>'
        )
        return _page(meta.title, body)

    def listing(self, metas: list[ArticleMeta], page: int, base: str) -> str:
        newest = sorted(metas, key=lambda m: m.published, reverse=True)
        chunk = newest[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        items = "".join(
            f'<li><a class="story-link" href="{self.path(m)}">{escape(m.title)}</a>'
            f'<time datetime="{m.published.isoformat()}">{m.published:%d/%m/%Y}</time></li>'
            for m in chunk
        )
        more = len(newest) > page * PAGE_SIZE
        nxt = f'<a class="next" href="{base}?trang={page + 1}">Trang sau</a>' if more else ""
        return _page("Tin mới", f'<ul class="stories">{items}</ul>{nxt}')

    def feed(self) -> str:
        items = "".join(
            f"<item><title>{escape(m.title)}</title><link>{ORIGIN}{self.path(m)}</link>"
            f"<pubDate>{m.published:%a, %d %b %Y %H:%M:%S %z}</pubDate></item>"
            for m in sorted(self.metas, key=lambda m: m.published, reverse=True)[:20]
        )
        return f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>{items}</channel></rss>'

    def sitemap(self) -> str:
        urls = "".join(f"<url><loc>{ORIGIN}{self.path(m)}</loc></url>" for m in self.metas)
        return (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
        )

    def respond(self, raw_path: str) -> tuple[int, str, str]:
        """(status, content type, body) of a request path."""
        parts = urlsplit(raw_path)
        path, query = parts.path, parse_qs(parts.query)
        page = int((query.get("trang") or ["1"])[0] or 1)
        html = "text/html; charset=utf-8"
        if path == "/robots.txt":
            return 200, "text/plain", "User-agent: *\nAllow: /\n"
        if path == "/feed.xml":
            return 200, "application/rss+xml; charset=utf-8", self.feed()
        if path == "/sitemap.xml":
            return 200, "application/xml; charset=utf-8", self.sitemap()
        if path == "/":
            return 200, html, self.listing(self.metas, 1, "/")
        if path.startswith("/muc/"):
            slug = path.removeprefix("/muc/")
            metas = [m for m in self.metas if self.section(m)[0] == slug]
            if metas:
                return 200, html, self.listing(metas, page, path)
        if path.startswith("/bai-viet/"):
            meta = self.by_id.get(path.split("/")[2])
            if meta is not None and self.path(meta) == path:
                return 200, html, self.article(meta)
        return 404, html, _page("Không tìm thấy trang", "<h1>404</h1>")

    # --- serving ------------------------------------------------------------------

    def start(self, port: int = 0) -> str:
        vidu = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - stdlib name
                vidu.requests.append(self.path)
                status, ctype, body = vidu.respond(self.path)
                data = body.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.origin = f"http://127.0.0.1:{self._server.server_address[1]}"
        return self.origin

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Vidu:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
