"""The replica's HTTP server: routes, fault modes and the request log.

:class:`Replica` owns a generated :class:`~replica.generator.Portal` and a
standard-library ``ThreadingHTTPServer`` on 127.0.0.1 (port chosen by the OS) run
in a background thread. Pages are rendered on request and cached. Routing ignores
the Host header and the query string (except a legacy listing's ``page``), so the
portal's mirror hosts and ``utm_`` variants all reach the same page.

Fault modes (:class:`FaultConfig`) are deterministic for a seed and URL path, and
every fault on a real page is transient: a crawler that retries gets every
article. The permanent ones (a redirect loop, an oversized page, documents, a page
nested too deep to read) sit on extra URLs and hide no article. The hostile pages
(:mod:`replica.hostile`) are real articles served in ways that once broke a parser;
a correct crawler stores them as the ground truth says.
"""

from __future__ import annotations

import http.server
import json
import re
import socket
import subprocess
import sys
import threading
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from types import TracebackType
from typing import Any, NamedTuple
from urllib.parse import parse_qs, urlsplit

from replica import hostile, pages
from replica.generator import (
    FEED_SIZE,
    PAGE_SIZE,
    SECTIONS_BY_SLUG,
    Portal,
    stable_unit,
)

HTML = "text/html; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"
XML = "application/xml; charset=utf-8"
TEXT = "text/plain; charset=utf-8"
PDF = "application/pdf"

#: Largest urlset in one sitemap file (the sitemaps.org limit).
SITEMAP_LIMIT = 50_000


@dataclass(frozen=True, slots=True)
class FaultConfig:
    """Which fault modes the replica plays. All off by default."""

    error_burst: bool = False  # 500/503 for the first 1-2 requests of some articles
    rate_limit: bool = False  # 429 + Retry-After: 1 on the first request of some pages
    slow: bool = False  # first response of some pages delayed 0.5-1.5 s
    drop: bool = False  # connection closed without a response, first try
    truncate: bool = False  # Content-Length larger than the bytes sent, first try
    redirects: bool = False  # an old article URL -> 2 redirects -> article, and a loop
    oversized: bool = False  # one linked page of ``oversized_bytes``
    non_html: bool = False  # links to documents served as application/pdf
    hostile: bool = False  # nested 1,000 levels, NUL, lone surrogate, lying charset, http://[

    #: Share of eligible URL paths each transient fault hits (disjoint ranges).
    SHARES = (
        ("error_burst", 0.08),
        ("rate_limit", 0.05),
        ("slow", 0.03),
        ("drop", 0.03),
        ("truncate", 0.03),
    )

    @classmethod
    def all(cls) -> FaultConfig:
        return cls(**{f.name: True for f in fields(cls)})

    @classmethod
    def none(cls) -> FaultConfig:
        return cls()

    @classmethod
    def parse(cls, spec: str) -> FaultConfig:
        """``all``, ``none`` or a comma-separated list of flag names."""
        spec = spec.strip()
        if spec in ("all", ""):
            return cls.all() if spec == "all" else cls()
        if spec == "none":
            return cls()
        names = {f.name for f in fields(cls)}
        flags = [s.strip().replace("-", "_") for s in spec.split(",") if s.strip()]
        unknown = [f for f in flags if f not in names]
        if unknown:
            raise ValueError(f"unknown fault(s) {unknown}; choose from {sorted(names)}")
        return cls(**{f: True for f in flags})

    @property
    def enabled(self) -> tuple[str, ...]:
        return tuple(f.name for f in fields(self) if getattr(self, f.name))


class RequestLogEntry(NamedTuple):
    """One request the replica received. ``status`` 0 means no response was sent."""

    time: float
    method: str
    path: str  # path with query, as requested
    status: int
    host: str


@dataclass(slots=True)
class Response:
    status: int
    body: bytes = b""
    content_type: str = HTML
    headers: tuple[tuple[str, str], ...] = ()


_LEGACY_LISTING = re.compile(r"^/chuyen-muc/([a-z0-9-]+)/(\d+)/?$")
_CURRENT_LISTING = re.compile(r"^/([a-z0-9-]+)(?:/(?:p(\d+))?)?$")
_STORY_TIME = re.compile(r"\s*<time class=\"story__time\"[^>]*>[^<]*</time>")
_SECTION_FEED = re.compile(r"^/rss/([a-z0-9-]+)\.rss$")
_SITEMAP_PART = re.compile(r"^/sitemap-(\d+)\.xml$")
# Fault pages sit at article-shaped URLs, as old or broken article links do on a real
# site, so a crawler following only article URLs still meets them.
_REDIRECT = re.compile(r"^/(tin-cu|chuyen-huong)/bai-(?:da-chuyen|viet)-(\d+)$")
LOOP_A = "/chuyen-trang/chuyen-trang-dac-biet-990001"
LOOP_B = "/chuyen-trang/chuyen-trang-dac-biet-990002"
OVERSIZED = "/tai-lieu/toan-van-bao-cao-chinh-tri-990003"


class _QuietServer(http.server.ThreadingHTTPServer):
    """A crawler that is killed or hangs up mid-response is normal here, not an error."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)


class Replica:
    """A fake baohaiduong.vn on loopback. Use as a context manager or start()/stop()."""

    def __init__(
        self,
        articles: int = 300,
        seed: int = 1,
        *,
        faults: FaultConfig | None = None,
        crawl_delay: float = 0.0,
        oversized_bytes: int = 11 * 1024 * 1024,
        listing_dates: bool = True,
        sitemap_limit: int = SITEMAP_LIMIT,
    ) -> None:
        self.portal = Portal(articles, seed)
        #: False: current-layout listings show no publication times, as on the real
        #: portal's specimen; crawlers must then judge age another way.
        self.listing_dates = listing_dates
        #: URLs per sitemap file; more articles than this give a sitemap index.
        self.sitemap_limit = sitemap_limit
        self.seed = seed
        self.faults = faults or FaultConfig()
        self.crawl_delay = crawl_delay
        self.oversized_bytes = oversized_bytes
        self.origin = ""
        #: every request received, in order; appended under a lock, read it any time
        self.request_log: list[RequestLogEntry] = []
        self._lock = threading.Lock()
        self._hits: dict[str, int] = {}
        self._server: http.server.ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()
        self._render = lru_cache(maxsize=2048)(self._route)
        self._oversized: bytes | None = None
        #: path -> hostile kind (replica.hostile), when that mode is on
        self.hostile_pages: dict[str, str] = (
            hostile.pick(self.portal) if self.faults.hostile else {}
        )

    # ------------------------------------------------------------------ lifecycle
    def start(self, port: int = 0) -> str:
        """Bind 127.0.0.1:``port`` (0: the OS chooses), serve in a thread, return the origin."""
        if self._server is not None:
            return self.origin
        handler = type("ReplicaHandler", (_Handler,), {"replica": self})
        server = _QuietServer(("127.0.0.1", port), handler)
        server.daemon_threads = True
        self._server = server
        self.origin = f"http://127.0.0.1:{server.server_address[1]}"
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        self._thread.start()
        return self.origin

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        with self._lock:
            conns = list(self._connections)
        for conn in conns:  # end idle keep-alive connections too
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Replica:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ------------------------------------------------------------------ public helpers
    @property
    def articles(self) -> int:
        return len(self.portal.articles)

    @property
    def hidden_ids(self) -> list[str]:
        """source_ids of articles in no listing, feed or sitemap (reachable by related links)."""
        return [self.portal.articles[i].source_id for i in self.portal.hidden]

    @property
    def cross_posted_ids(self) -> list[str]:
        """source_ids of articles listed in two sections."""
        return [self.portal.articles[i].source_id for i in self.portal.cross_posted]

    @property
    def near_duplicate_ids(self) -> list[tuple[str, str]]:
        """(earlier, later) source_id pairs of the same wire story republished."""
        arts = self.portal.articles
        return [(arts[a].source_id, arts[b].source_id) for a, b in self.portal.near_duplicates]

    def local_url(self, url_or_path: str) -> str:
        """The replica URL serving a portal URL (any host) or path."""
        parts = urlsplit(url_or_path)
        path = parts.path or "/"
        return self.origin + path + (f"?{parts.query}" if parts.query else "")

    def article_url(self, source_id: str) -> str:
        """Canonical portal URL of an article."""
        return self.portal.articles[self.portal.by_id[source_id]].url

    def ground_truth(self) -> list[dict[str, Any]]:
        """The expected record of every article, in publication order."""
        return self.portal.ground_truth()

    def iter_ground_truth(self) -> Iterator[dict[str, Any]]:
        """The expected records one by one (constant memory for big portals)."""
        for index in range(len(self.portal.articles)):
            yield self.portal.record(index)

    def write_ground_truth(self, path: str | Path) -> Path:
        """Write the ground truth as JSON Lines (UTF-8, one record a line)."""
        out = Path(path)
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", encoding="utf-8") as fh:
            for record in self.iter_ground_truth():
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        return out

    def edit_article(self, source_id: str, new_paragraph: str) -> None:
        """Append a paragraph to an article's body (current layout: dateModified = now)."""
        with self._lock:
            self.portal.edit(source_id, new_paragraph)
            self.portal.clear_cache()
            self._render.cache_clear()

    def clear_request_log(self) -> None:
        with self._lock:
            self.request_log.clear()

    def reset_faults(self) -> None:
        """Forget request counts, so transient faults fire again."""
        with self._lock:
            self._hits.clear()

    def requests_to(self, prefix: str) -> list[RequestLogEntry]:
        """Logged requests whose path starts with ``prefix``."""
        with self._lock:
            return [e for e in self.request_log if e.path.startswith(prefix)]

    # ------------------------------------------------------------------ faults
    def _fault_for(self, path: str, kind: str) -> str | None:
        """The transient fault a path plays, if any (same for a seed on every run)."""
        if kind not in ("article", "listing", "feed"):
            return None
        u = stable_unit(self.seed, "fault", path)
        low = 0.0
        for name, share in FaultConfig.SHARES:
            if low <= u < low + share:
                if not getattr(self.faults, name):
                    return None
                if name == "error_burst" and kind != "article":
                    return None
                return name
            low += share
        return None

    def special_links(self, where: str) -> list[tuple[str, str]]:
        """Extra links the fault modes put on the home page and listings."""
        links: list[tuple[str, str]] = []
        portal = self.portal
        if self.faults.redirects:
            pool = portal.all_listed
            picks = pool[:: max(1, len(pool) // 5)][:5] if where == "home" else pool[3:4]
            for i in picks:
                meta = portal.articles[i]
                links.append((f"/tin-cu/bai-da-chuyen-{meta.source_id}", meta.title))
            if where == "home":
                links.append((LOOP_A, "Chuyên trang đặc biệt"))
        if self.faults.oversized and where == "home":
            links.append((OVERSIZED, "Toàn văn báo cáo chính trị"))
        if self.faults.non_html:
            links.append(("/files/doc/tai-lieu-hoi-nghi", "Tài liệu hội nghị"))
            links.append(("/files/doc/ke-hoach-nam.pdf", "Kế hoạch năm (PDF)"))
        if self.faults.hostile:
            links.append((hostile.BAD_HREF, "Liên kết hỏng"))
            if where == "home":
                links.append((hostile.TOO_DEEP, "Trang lồng quá sâu"))
                # The hostile articles are listed anyway; linking them here as well
                # makes them reached early, whatever the crawl's order.
                for path in self.hostile_pages:
                    meta = self.portal.articles[self.portal.by_path[path]]
                    links.append((path, meta.title))
        return links

    # ------------------------------------------------------------------ routing
    def classify(self, path: str) -> str:
        if path in self.portal.by_path:
            return "article"
        if _LEGACY_LISTING.match(path) or (
            (m := _CURRENT_LISTING.match(path)) and m.group(1) in SECTIONS_BY_SLUG
        ):
            return "listing"
        if path.startswith("/rss/"):
            return "feed"
        return "other"

    def _route(self, path: str, page_param: str) -> Response:
        """Render the response for a path (cached; no faults here)."""
        portal = self.portal
        if path in portal.by_path:
            index = portal.by_path[path]
            meta = portal.articles[index]
            content = portal.content(index)
            render = pages.legacy_article if meta.layout == "legacy" else pages.current_article
            text = render(portal, meta, content)
            if meta.nfd:  # a few pages are stored decomposed; parsers must NFC them
                text = unicodedata.normalize("NFD", text)
            kind = self.hostile_pages.get(path)
            if kind is None:
                return Response(200, text.encode())
            return self._hostile_article(kind, text, content.ld_authors or [])
        if path == "/":
            return Response(200, pages.home(portal, self.special_links("home")).encode())
        if path == "/robots.txt":
            return Response(200, pages.robots(self.crawl_delay).encode(), TEXT)
        limit = self.sitemap_limit
        if path == "/sitemap.xml":
            ids = portal.all_listed
            if len(ids) <= limit:
                return Response(200, pages.sitemap_urlset(portal, ids).encode(), XML)
            chunks = [ids[k : k + limit] for k in range(0, len(ids), limit)]
            lastmods = [max(portal.last_modified(i) for i in chunk) for chunk in chunks]
            return Response(200, pages.sitemap_index(lastmods).encode(), XML)
        if m := _SITEMAP_PART.match(path):
            n = int(m.group(1))
            chunk = portal.all_listed[(n - 1) * limit : n * limit]
            if n >= 1 and chunk:
                return Response(200, pages.sitemap_urlset(portal, chunk).encode(), XML)
        if path == "/rss/home.rss":
            return Response(
                200, pages.rss(portal, None, portal.all_listed[:FEED_SIZE]).encode(), RSS
            )
        if (m := _SECTION_FEED.match(path)) and m.group(1) in SECTIONS_BY_SLUG:
            sec = SECTIONS_BY_SLUG[m.group(1)]
            ids = portal.listed[sec.slug][:FEED_SIZE]
            return Response(200, pages.rss(portal, sec, ids).encode(), RSS)
        if m := _LEGACY_LISTING.match(path):
            sec = SECTIONS_BY_SLUG.get(m.group(1))
            if sec is not None and int(m.group(2)) == sec.id:
                page = int(page_param) if page_param.isdigit() and int(page_param) > 0 else 1
                return self._listing(sec.slug, page, legacy=True)
        if (m := _CURRENT_LISTING.match(path)) and m.group(1) in SECTIONS_BY_SLUG:
            page = int(m.group(2) or 1)
            return self._listing(m.group(1), page, legacy=False)
        if path.startswith("/files/doc/"):
            return Response(200, pages.PDF_BYTES, PDF)
        if path.startswith("/private/"):
            return Response(200, pages.private_page(path).encode())
        if path.startswith("/tag/"):
            return Response(200, pages.tag_page(portal, path).encode())
        if path == "/tim-kiem":
            return Response(200, pages.search_page(portal).encode())
        if path == "/lien-he":
            body = "<p>Tòa soạn: 10 Đại lộ Hồ Chí Minh, TP Hải Dương.</p>"
            return Response(200, pages.simple_page("Liên hệ", body).encode())
        if m := _REDIRECT.match(path):
            index = portal.by_id.get(m.group(2))
            if index is not None:
                target = (
                    f"/chuyen-huong/bai-viet-{m.group(2)}"
                    if m.group(1) == "tin-cu"
                    else portal.articles[index].path
                )
                return Response(301, b"", HTML, (("Location", target),))
        if path in (LOOP_A, LOOP_B):
            target = LOOP_B if path == LOOP_A else LOOP_A
            return Response(301, b"", HTML, (("Location", target),))
        if path == hostile.TOO_DEEP and self.faults.hostile:
            return Response(200, hostile.too_deep_page())
        if path == OVERSIZED:
            if self._oversized is None:
                self._oversized = pages.oversized_page(self.oversized_bytes)
            return Response(200, self._oversized)
        body = pages.simple_page("Không tìm thấy trang", "<p>Trang bạn tìm không tồn tại.</p>")
        return Response(404, body.encode())

    @staticmethod
    def _hostile_article(kind: str, text: str, authors: list[str]) -> Response:
        if kind == "nested":
            return Response(200, hostile.nest_body(text).encode())
        if kind == "surrogate":
            return Response(200, hostile.surrogate_author(text, authors[0]).encode())
        if kind == "nul":
            return Response(200, hostile.with_nul(text.encode()))
        return Response(200, text.encode(), hostile.LYING_HTML)  # charset

    def _listing(self, slug: str, page: int, *, legacy: bool) -> Response:
        sec = SECTIONS_BY_SLUG[slug]
        ids = self.portal.listed[slug]
        pages_total = max(1, -(-len(ids) // PAGE_SIZE))
        if page > pages_total:
            return Response(404, pages.simple_page("Không tìm thấy trang", "").encode())
        chunk = ids[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        special = self.special_links("listing") if page == 1 else []
        render = pages.legacy_listing if legacy else pages.current_listing
        html = render(self.portal, sec, page, pages_total, chunk, special)
        if not legacy and not self.listing_dates:
            html = _STORY_TIME.sub("", html)
        if self.faults.hostile:  # one story of the list is a link no URL parser accepts
            html = hostile.bad_story(html, legacy=legacy)
        return Response(200, html.encode())

    def respond(self, raw_path: str) -> tuple[Response, str | None, int]:
        """The response for a request target, the fault it plays and the attempt number."""
        parts = urlsplit(raw_path)
        path = parts.path or "/"
        page = parse_qs(parts.query).get("page", [""])[0] if path.startswith("/chuyen-muc/") else ""
        with self._lock:
            attempt = self._hits.get(path, 0) + 1
            self._hits[path] = attempt
        fault = self._fault_for(path, self.classify(path))
        return self._render(path, page), fault, attempt

    def _log(self, method: str, path: str, status: int, host: str) -> None:
        with self._lock:
            self.request_log.append(RequestLogEntry(time.time(), method, path, status, host))

    def _track(self, conn: socket.socket, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)


def _chunks(data: bytes, size: int = 256 * 1024) -> Iterator[bytes]:
    for k in range(0, len(data), size):
        yield data[k : k + size]


class _Handler(http.server.BaseHTTPRequestHandler):
    """Serves one connection (HTTP/1.1 keep-alive); faults are played here."""

    replica: Replica
    protocol_version = "HTTP/1.1"
    server_version = "Microsoft-IIS/8.5"
    sys_version = ""
    timeout = 30  # idle keep-alive connections end on their own

    def setup(self) -> None:
        super().setup()
        self.replica._track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.replica._track(self.connection, False)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
        pass  # the replica keeps its own request log

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_GET(self) -> None:
        self._serve(head=False)

    def _serve(self, head: bool) -> None:
        replica = self.replica
        host = self.headers.get("Host", "")
        response, fault, attempt = replica.respond(self.path)
        seed, path = replica.seed, urlsplit(self.path).path
        status = response.status
        extra: list[tuple[str, str]] = list(response.headers)
        body = response.body
        if fault == "error_burst" and response.status == 200:
            burst = 1 + (stable_unit(seed, "burst", path) < 0.5)
            if attempt <= burst:
                status = 503 if stable_unit(seed, "burst-code", path, attempt) < 0.5 else 500
                body = pages.simple_page("Lỗi máy chủ", "<p>Vui lòng thử lại sau.</p>").encode()
                extra = []
        elif fault == "rate_limit" and attempt == 1:
            status, extra = 429, [("Retry-After", "1")]
            body = pages.simple_page("Quá nhiều yêu cầu", "").encode()
        elif fault == "slow" and attempt == 1:
            time.sleep(0.5 + stable_unit(seed, "slow", path))
        elif fault == "drop" and attempt == 1:
            replica._log(self.command, self.path, 0, host)
            self.close_connection = True
            return
        truncated = fault == "truncate" and attempt == 1 and not head
        replica._log(self.command, self.path, status, host)
        try:
            self.send_response(status)
            self.send_header("Content-Type", response.content_type if status < 300 else HTML)
            length = len(body) + (4096 if truncated else 0)
            self.send_header("Content-Length", str(length))
            for name, value in extra:
                self.send_header(name, value)
            if truncated:
                self.send_header("Connection", "close")
            self.end_headers()
            if head:
                return
            if truncated:
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            for chunk in _chunks(body):
                self.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (e.g. a size limit)


class ReplicaProcess:
    """A replica served by ``python -m replica serve`` in a child process.

    For benchmarks and demos: the server then does not share the crawler's GIL.
    Its request log stays in the child; use :class:`Replica` when a test needs it.
    """

    def __init__(
        self,
        articles: int = 300,
        seed: int = 1,
        *,
        faults: str = "none",
        crawl_delay: float = 0.0,
        ground_truth: str | Path | None = None,
    ) -> None:
        self.args = [
            "serve",
            f"--articles={articles}",
            f"--seed={seed}",
            f"--faults={faults}",
            f"--crawl-delay={crawl_delay}",
        ]
        if ground_truth is not None:
            self.args.append(f"--ground-truth={ground_truth}")
        self.origin = ""
        self._proc: subprocess.Popen[str] | None = None

    def start(self) -> str:
        proc = subprocess.Popen(
            [sys.executable, "-m", "replica", *self.args],
            cwd=Path(__file__).resolve().parents[1],  # replica/ is not installed
            stdout=subprocess.PIPE,
            text=True,
        )
        self._proc = proc
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        match = re.search(r"at (http://127\.0\.0\.1:\d+)$", line)
        if not match:
            self.stop()
            raise RuntimeError(f"replica did not start: {line!r}")
        self.origin = match.group(1)
        return self.origin

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()

    def __enter__(self) -> ReplicaProcess:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
