"""The replica's fake portal: which articles exist, how they link, and what each says.

:class:`Portal` is generated from ``(articles, seed)`` and is fully deterministic.
Generation is cheap (metadata only: ids, dates, titles, sections, link graph);
article content (lead, paragraphs, images, tags) is derived on demand from a
per-article seed, so a 100 000-article portal starts in seconds and only the pages
actually served are ever built. :meth:`Portal.record` gives the record a correct
parser must produce for an article (the ground truth).
"""

from __future__ import annotations

import functools
import random
import unicodedata
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from replica import words

#: The portal's local time (Asia/Ho_Chi_Minh has no DST).
VN_TZ = timezone(timedelta(hours=7))
SITE = "baohaiduong"
CANONICAL_ORIGIN = "https://baohaiduong.vn"
LEGACY_MEDIA = "https://media.baohaiduong.vn"
CURRENT_MEDIA = "https://bhd.1cdn.vn"
LOGO_URL = "https://bhd.1cdn.vn/assets/images/logo.png"
PAGE_SIZE = 20
FEED_SIZE = 50

#: Shares of articles with a property (the brief's numbers).
LEGACY_SHARE = 0.6
HIDDEN_SHARE = 0.05
CROSS_POST_SHARE = 0.05


@dataclass(frozen=True, slots=True)
class Section:
    slug: str
    id: int
    name: str

    @property
    def legacy_path(self) -> str:
        return f"/chuyen-muc/{self.slug}/{self.id}"

    @property
    def current_path(self) -> str:
        return f"/{self.slug}/"


#: The 12 legacy sections of ``../shared/portal/PORTAL.md``, in menu order.
SECTIONS: tuple[Section, ...] = tuple(
    Section(slug, sid, unicodedata.normalize("NFC", name))
    for slug, sid, name in (
        ("chinh-tri", 1, "Chính trị"),
        ("goc-nhin", 4, "Góc nhìn"),
        ("kinh-te", 5, "Kinh tế"),
        ("xa-hoi", 11, "Xã hội"),
        ("khoa-hoc---giao-duc", 17, "Khoa học - Giáo dục"),
        ("phap-luat", 21, "Pháp luật"),
        ("doi-song", 12, "Đời sống"),
        ("van-hoa---giai-tri", 31, "Văn hóa - Giải trí"),
        ("the-gioi", 35, "Thế giới"),
        ("the-thao", 39, "Thể thao"),
        ("dat-va-nguoi-xu-dong", 25, "Đất và người xứ Đông"),
        ("ban-doc", 47, "Bạn đọc"),
    )
)
SECTIONS_BY_SLUG: dict[str, Section] = {s.slug: s for s in SECTIONS}


def _ascii_table() -> dict[int, str]:
    """Map every Vietnamese letter to its base ASCII letter, for slugs."""
    table: dict[int, str] = {ord("đ"): "d", ord("Đ"): "D"}
    for cp in range(0xC0, 0x1FFF):
        ch = chr(cp)
        base = unicodedata.normalize("NFD", ch)[0]
        if base != ch and base.isascii():
            table[cp] = base
    return table


_ASCII = _ascii_table()


def slugify(text: str) -> str:
    """URL slug the portal uses: ASCII, lower case, words joined by ``-``."""
    out = []
    prev_dash = True
    for ch in unicodedata.normalize("NFC", text).translate(_ASCII).lower():
        if ch.isascii() and ch.isalnum():
            out.append(ch)
            prev_dash = False
        elif not prev_dash:
            out.append("-")
            prev_dash = True
    return "".join(out).strip("-")


def stable_unit(*parts: object) -> float:
    """A deterministic number in [0, 1) from the parts (same on every run and platform)."""
    return zlib.crc32("|".join(map(str, parts)).encode()) / 2**32


@dataclass(slots=True)
class ArticleMeta:
    """What is known of an article without building its content."""

    index: int
    source_id: str
    layout: str  # "legacy" or "current"
    section: Section
    published: datetime
    title: str
    path: str
    extra_section: Section | None = None
    hidden: bool = False
    nfd: bool = False
    #: indices of related articles, inline lines first then the block (may repeat)
    related_inline: list[int] = field(default_factory=list)
    related_block: list[int] = field(default_factory=list)
    external_related: bool = False
    dup_of: int | None = None
    dup_variant: str | None = None  # "sentence" or "title"
    wire: bool = False
    #: JSON-LD dateModified as generated (current layout); equal to published = not modified
    modified: datetime | None = None

    @property
    def url(self) -> str:
        return CANONICAL_ORIGIN + self.path

    def related_unique(self) -> list[int]:
        seen: list[int] = []
        for i in self.related_inline + self.related_block:
            if i not in seen:
                seen.append(i)
        return seen


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A body paragraph; ``text`` is what a reader sees, ``style`` how it is marked up."""

    text: str
    style: str = "plain"  # plain, strong, nbsp_end, em_end, link
    href: str | None = None
    anchor: str | None = None


@dataclass(frozen=True, slots=True)
class Image:
    src: str  # as written in the page (may hold backslashes)
    url: str  # what a parser must report
    caption: str | None
    alt: str
    lazy: bool = True


@dataclass(frozen=True, slots=True)
class Media:
    url: str
    kind: str  # audio or video


@dataclass(frozen=True, slots=True)
class Filler:
    """Markup with no article text: ``nbsp`` paragraph or ``ads`` block with a script."""

    kind: str


Block = Paragraph | Image | Media | Filler


@dataclass(slots=True)
class Content:
    lead: str
    blocks: list[Block]
    tags: list[str]
    byline: str
    #: structured-data authors (current layout); None when JSON-LD has no author
    ld_authors: list[str] | None
    modified: datetime | None  # JSON-LD dateModified (current layout)

    @property
    def paragraphs(self) -> list[Paragraph]:
        return [b for b in self.blocks if isinstance(b, Paragraph)]

    @property
    def images(self) -> list[Image]:
        return [b for b in self.blocks if isinstance(b, Image)]

    @property
    def media(self) -> list[Media]:
        return [b for b in self.blocks if isinstance(b, Media)]


def iso(dt: datetime) -> str:
    return dt.astimezone(VN_TZ).isoformat(timespec="seconds")


class Portal:
    """A generated portal of ``articles`` articles, deterministic for ``seed``."""

    def __init__(self, articles: int = 300, seed: int = 1) -> None:
        if not 10 <= articles <= 100_000:
            raise ValueError("articles must be between 10 and 100 000")
        self.size = articles
        self.seed = seed
        self.articles: list[ArticleMeta] = []
        self.by_path: dict[str, int] = {}
        self.by_id: dict[str, int] = {}
        #: section slug -> indices of listed articles, newest first
        self.listed: dict[str, list[int]] = {}
        #: every listed article, newest first (home feed, sitemap)
        self.all_listed: list[int] = []
        self.hidden: list[int] = []
        self.cross_posted: list[int] = []
        self.near_duplicates: list[tuple[int, int]] = []
        #: hidden article index -> the article whose related links reach it
        self.hidden_parent: dict[int, int] = {}
        #: source_id -> [(paragraph, edited_at)] added by :meth:`edit`
        self.edits: dict[str, list[tuple[str, datetime]]] = {}
        self._content_cache = functools.lru_cache(maxsize=4096)(self._build_content)
        self._generate()

    # ------------------------------------------------------------------ generation
    def _generate(self) -> None:
        rng = random.Random(f"portal:{self.seed}:{self.size}")
        n = self.size
        n_legacy = round(n * LEGACY_SHARE)
        legacy_span = (datetime(2019, 1, 1, tzinfo=VN_TZ), datetime(2023, 12, 31, 22, tzinfo=VN_TZ))
        current_span = (datetime(2024, 1, 1, tzinfo=VN_TZ), datetime(2025, 6, 30, 22, tzinfo=VN_TZ))

        def times(count: int, span: tuple[datetime, datetime], seconds: bool) -> list[datetime]:
            total = int((span[1] - span[0]).total_seconds())
            out = []
            for _ in range(count):
                t = span[0] + timedelta(seconds=rng.randrange(total))
                # Newsrooms publish in the day; keep hours 6-22 so weekdays stay plausible.
                t = t.replace(hour=6 + t.hour % 17)
                if not seconds:
                    t = t.replace(second=0)
                out.append(t)
            return sorted(out)

        stamps = [("legacy", t) for t in times(n_legacy, legacy_span, True)]
        stamps += [("current", t) for t in times(n - n_legacy, current_span, False)]
        weights = [3, 1, 3, 3, 2, 2, 2, 2, 1, 2, 1, 1]
        next_id = {
            "legacy": 140_000 + rng.randrange(1000),
            "current": 380_000 + rng.randrange(1000),
        }
        for index, (layout, published) in enumerate(stamps):
            next_id[layout] += rng.randint(1, 3)
            sid = str(next_id[layout])
            section = rng.choices(SECTIONS, weights)[0]
            title = self._title(rng, section, published)
            meta = ArticleMeta(index, sid, layout, section, published, title, "")
            meta.path = self._path(meta)
            meta.nfd = rng.random() < 0.03
            if layout == "current":
                roll = rng.random()
                if roll < 0.5:
                    meta.modified = published + timedelta(seconds=rng.randint(600, 30_000))
                elif roll < 0.75:
                    meta.modified = published  # stated but equal: not a modification
            self.articles.append(meta)

        self._pick_near_duplicates(rng)
        self._pick_hidden(rng)
        self._pick_cross_posts(rng)
        self._link_related(rng)
        self._link_hidden(rng)
        for meta in self.articles:
            self.by_path[meta.path] = meta.index
            self.by_id[meta.source_id] = meta.index
        self._build_listings()

    def _title(self, rng: random.Random, section: Section, published: datetime) -> str:
        subject = rng.choice(words.SUBJECTS)
        topic = rng.choice(words.TOPICS[section.slug])
        shape = rng.random()
        if shape < 0.5:
            return f"{subject} {rng.choice(words.VERBS)} {topic}"
        if shape < 0.75:
            return f"{subject} {rng.choice(words.VERBS)} {topic} năm {published.year}"
        verb = rng.choice(words.VERBS)
        return f"{topic[0].upper()}{topic[1:]}: {subject} {verb} {rng.choice(words.COMPLEMENTS)}"

    @staticmethod
    def _path(meta: ArticleMeta) -> str:
        slug = slugify(meta.title)
        if meta.layout == "legacy":
            return f"/{meta.section.slug}/{slug}-{meta.source_id}"
        return f"/{slug}-{meta.source_id}.html"

    def _pick_near_duplicates(self, rng: random.Random) -> None:
        legacy = [m for m in self.articles if m.layout == "legacy"]
        pairs = (
            min(30, len(legacy) // 100) if len(legacy) >= 100 else (1 if len(legacy) >= 6 else 0)
        )
        used: set[int] = set()
        attempts = 0
        while len(self.near_duplicates) < pairs and attempts < pairs * 20:
            attempts += 1
            a = rng.randrange(len(legacy) - 5)
            b = a + rng.randint(1, 4)
            if {a, b} & used:
                continue
            used |= {a, b}
            first, second = legacy[a], legacy[b]
            first.wire = second.wire = True
            second.dup_of = first.index
            second.dup_variant = rng.choice(("sentence", "title"))
            second.title = (
                first.title
                if second.dup_variant == "sentence"
                else self._title(rng, second.section, second.published)
            )
            second.path = self._path(second)
            self.near_duplicates.append((first.index, second.index))

    def _pick_hidden(self, rng: random.Random) -> None:
        wire = {i for pair in self.near_duplicates for i in pair}
        candidates = [m.index for m in self.articles if m.index not in wire]
        count = max(1, round(self.size * HIDDEN_SHARE))
        self.hidden = sorted(rng.sample(candidates, count))
        for i in self.hidden:
            self.articles[i].hidden = True

    def _pick_cross_posts(self, rng: random.Random) -> None:
        listed = [m.index for m in self.articles if not m.hidden]
        count = max(1, round(self.size * CROSS_POST_SHARE))
        self.cross_posted = sorted(rng.sample(listed, count))
        for i in self.cross_posted:
            meta = self.articles[i]
            meta.extra_section = rng.choice([s for s in SECTIONS if s != meta.section])

    def _link_related(self, rng: random.Random) -> None:
        """0-3 related links per article to earlier listed articles, mostly same section."""
        recent: dict[str, list[int]] = {s.slug: [] for s in SECTIONS}
        everyone: list[int] = []
        for meta in self.articles:
            count = rng.choices((0, 1, 2, 3), (2, 3, 3, 2))[0]
            pool = recent[meta.section.slug][-30:] or everyone[-30:]
            targets = rng.sample(pool, min(count, len(pool)))
            split = rng.randint(0, len(targets))
            meta.related_inline = targets[:split]
            meta.related_block = targets[split:]
            # The block often repeats an inline line (under another host): stored once.
            if meta.related_inline and rng.random() < 0.3:
                meta.related_block.insert(0, meta.related_inline[0])
            meta.external_related = meta.layout == "legacy" and rng.random() < 0.05
            if not meta.hidden:
                recent[meta.section.slug].append(meta.index)
                everyone.append(meta.index)

    def _link_hidden(self, rng: random.Random) -> None:
        """Link each hidden article from a listed one, or from a hidden one so linked (depth 2)."""
        listed = [m.index for m in self.articles if not m.hidden]
        reached: list[int] = []  # hidden articles linked straight from a listed one
        order = list(self.hidden)
        rng.shuffle(order)
        for h in order:
            hosts = [p for p in reached if len(self.articles[p].related_unique()) < 4]
            if hosts and rng.random() < 0.25:
                host = rng.choice(hosts)
            else:
                host = -1
                for _ in range(1000):
                    cand = rng.choice(listed)
                    if len(self.articles[cand].related_unique()) < 4:
                        host = cand
                        break
                if host < 0:  # every listed article is full: make room in one
                    host = listed[0]
                    self.articles[host].related_inline.clear()
                reached.append(h)
            meta = self.articles[host]
            (meta.related_inline if rng.random() < 0.5 else meta.related_block).append(h)
            self.hidden_parent[h] = host

    def _build_listings(self) -> None:
        listed: dict[str, list[int]] = {s.slug: [] for s in SECTIONS}
        for meta in reversed(self.articles):  # newest first
            if meta.hidden:
                continue
            self.all_listed.append(meta.index)
            listed[meta.section.slug].append(meta.index)
            if meta.extra_section is not None:
                listed[meta.extra_section.slug].append(meta.index)
        self.listed = listed

    # ------------------------------------------------------------------ content
    def content(self, index: int) -> Content:
        return self._content_cache(index, len(self.edits.get(self.articles[index].source_id, ())))

    def clear_cache(self) -> None:
        self._content_cache.cache_clear()

    def _build_content(self, index: int, _edits: int) -> Content:
        meta = self.articles[index]
        if meta.dup_of is not None:
            content = self._build_content(meta.dup_of, 0)
            if meta.dup_variant == "sentence":
                rng = random.Random(f"{self.seed}:{meta.source_id}:wire")
                blocks = list(content.blocks)
                spots = [k for k, b in enumerate(blocks) if isinstance(b, Paragraph)]
                k = spots[-1]
                old = blocks[k]
                assert isinstance(old, Paragraph)
                blocks[k] = Paragraph(f"{old.text} {rng.choice(words.WIRE_EDITS)}")
                content = Content(content.lead, blocks, content.tags, content.byline, None, None)
        else:
            content = self._fresh_content(meta)
        edits = self.edits.get(meta.source_id, [])
        if edits:
            blocks = list(content.blocks) + [Paragraph(text) for text, _ in edits]
            modified = edits[-1][1] if meta.layout == "current" else content.modified
            content = Content(
                content.lead, blocks, content.tags, content.byline, content.ld_authors, modified
            )
        return content

    def _sentence(self, rng: random.Random, meta: ArticleMeta, opener: bool) -> str:
        subject = rng.choice(words.SUBJECTS)
        topic = rng.choice(words.TOPICS[meta.section.slug])
        # Subjects are proper names, so they keep their capital after an opener.
        if rng.random() < 0.4:
            fact = rng.choice(words.FACTS).format(n=rng.randint(2, 950), p=rng.randint(55, 99))
            core = f"tại {subject}, {fact} trong {topic}"
        else:
            verb = rng.choice(words.VERBS)
            core = f"{subject} {verb} {topic} {rng.choice(words.COMPLEMENTS)}"
        if opener and not core.startswith("tại "):
            return f"{rng.choice(words.OPENERS)}, {core}."
        return f"{core[0].upper()}{core[1:]}."

    def _fresh_content(self, meta: ArticleMeta) -> Content:
        rng = random.Random(f"{self.seed}:{meta.source_id}:content")
        day = meta.published
        lead = (
            f"{rng.choice(words.DAYTIMES)} {day.day}/{day.month}, "
            f"{rng.choice(words.SUBJECTS)} {rng.choice(words.VERBS)} "
            f"{rng.choice(words.TOPICS[meta.section.slug])} {rng.choice(words.COMPLEMENTS)}."
        )
        paragraphs: list[Paragraph] = []
        for _ in range(rng.randint(3, 8)):
            text = " ".join(
                self._sentence(rng, meta, opener=(k == 0 and rng.random() < 0.6))
                for k in range(rng.randint(1, 4))
            )
            style = rng.choices(("plain", "strong", "nbsp_end", "em_end"), (6, 2, 1, 1))[0]
            paragraphs.append(Paragraph(text, style))
        if rng.random() < 0.05:
            before, anchor, after = words.DOCUMENT_LINK
            href = f"/files/doc/bao-cao-{meta.source_id}.pdf"
            paragraphs.append(Paragraph(before + anchor + after, "link", href, anchor))
        if rng.random() < 0.05:
            before, anchor, after = words.EXTERNAL_LINK
            href = "https://www.facebook.com/baohaiduong.vn"
            paragraphs.insert(1, Paragraph(before + anchor + after, "link", href, anchor))

        blocks: list[Block] = list(paragraphs)
        for _ in range(rng.choices((0, 1, 2, 3), (2, 4, 3, 1))[0]):
            pos = rng.randrange(len(blocks))
            blocks.insert(pos, self._image(rng, meta))
        if rng.random() < 0.06:
            blocks.insert(rng.randrange(len(blocks)), self._media(rng, meta))
        if rng.random() < 0.15:
            blocks.insert(rng.randrange(1, len(blocks)), Filler("ads"))
        if rng.random() < 0.2:
            blocks.insert(0, Filler("nbsp"))
        if rng.random() < 0.1:
            blocks.append(Filler("nbsp"))

        topics = list(words.TOPICS[meta.section.slug])
        tags = rng.sample(topics, min(len(topics), rng.randint(0, 2)))
        extra = [t for t in words.EXTRA_TAGS if t not in tags]
        tags += rng.sample(extra, rng.randint(0, 2))

        people = rng.sample(words.REPORTERS, 2 if rng.random() < 0.12 else 1)
        ld_authors: list[str] | None = None
        modified: datetime | None = None
        if meta.wire:
            byline = "Theo TTXVN"
        elif meta.layout == "legacy":
            byline = "PV" if rng.random() < 0.15 else " - ".join(p.upper() for p in people)
        else:
            byline = " - ".join(p.upper() for p in people)
            ld_authors = people if rng.random() < 0.9 else None
            modified = meta.modified
        return Content(lead, blocks, tags, byline, ld_authors, modified)

    def _image(self, rng: random.Random, meta: ArticleMeta) -> Image:
        d = meta.published
        name = f"{slugify(meta.title)[:40]}-{rng.randrange(10**7, 10**8)}.jpg"
        caption: str | None
        roll = rng.random()
        if roll < 0.5:
            caption = rng.choice(words.CAPTIONS)
        elif roll < 0.8:
            caption = f"{rng.choice(words.CAPTIONS)}. Ảnh: {rng.choice(words.REPORTERS).upper()}"
        else:
            caption = None  # alt text only, which is not a caption
        alt = meta.title
        if meta.layout == "legacy":
            path = f"/files/library/images/site-1/{d:%Y%m%d}/web/{name}"
            url = LEGACY_MEDIA + path
            src = LEGACY_MEDIA + path.replace("/", "\\") if rng.random() < 0.35 else url
            return Image(src, url, caption, alt, lazy=False)
        url = f"{CURRENT_MEDIA}/{d:%Y/%m/%d}/{name}"
        return Image(url, url, caption, alt, lazy=rng.random() < 0.8)

    def _media(self, rng: random.Random, meta: ArticleMeta) -> Media:
        kind = rng.choice(("audio", "video"))
        ext = "mp3" if kind == "audio" else "mp4"
        d = meta.published
        base = LEGACY_MEDIA + "/files/library/" if meta.layout == "legacy" else CURRENT_MEDIA + "/"
        return Media(f"{base}{kind}/{d:%Y%m%d}/{meta.source_id}.{ext}", kind)

    # ------------------------------------------------------------------ links
    def href(self, target: int, context: object) -> str:
        """How a page links an article: relative or on a mirror host, maybe with utm/fragment."""
        path = self.articles[target].path
        u = stable_unit(self.seed, "href", target, context)
        if u < 0.55:
            base = ""
        elif u < 0.67:
            base = "https://baohaiduong.vn"
        elif u < 0.77:
            base = "http://www.baohaiduong.vn"
        elif u < 0.88:
            base = "https://m.baohaiduong.vn"
        else:
            base = "https://tab.baohaiduong.vn"
        v = stable_unit(self.seed, "suffix", target, context)
        suffix = ""
        if v < 0.08:
            suffix = "?utm_source=facebook&utm_medium=social"
        elif v < 0.13:
            suffix = "#comments"
        return base + path + suffix

    def most_read(self, context: object, count: int = 5) -> list[int]:
        """A few listed articles for the "Đọc nhiều" box (noise links on every page)."""
        pool = self.all_listed
        start = int(stable_unit(self.seed, "most-read", context) * len(pool))
        return [pool[(start + k * 7) % len(pool)] for k in range(min(count, len(pool)))]

    def last_modified(self, index: int) -> datetime:
        """When the article last changed as its page states it (sitemap ``lastmod``)."""
        meta = self.articles[index]
        edits = self.edits.get(meta.source_id)
        if edits and meta.layout == "current":
            return edits[-1][1]
        return meta.modified or meta.published

    # ------------------------------------------------------------------ editing
    def edit(self, source_id: str, paragraph: str, when: datetime | None = None) -> None:
        if source_id not in self.by_id:
            raise KeyError(f"no article {source_id}")
        when = when or datetime.now(UTC).astimezone(VN_TZ).replace(microsecond=0)
        self.edits.setdefault(source_id, []).append(
            (unicodedata.normalize("NFC", " ".join(paragraph.split())), when)
        )

    # ------------------------------------------------------------------ ground truth
    def record(self, index: int) -> dict[str, Any]:
        """The record a correct parser produces for this article (PORTAL.md's contract)."""
        meta = self.articles[index]
        c = self.content(index)
        rec: dict[str, Any] = {
            "url": meta.url,
            "source_id": meta.source_id,
            "site": SITE,
            "section": meta.section.name,
            "title": meta.title,
            "published_at": iso(meta.published),
        }
        if c.modified is not None and c.modified != meta.published:
            rec["modified_at"] = iso(c.modified)
        rec["lead"] = c.lead
        rec["body"] = "\n\n".join(p.text for p in c.paragraphs)
        rec["author"] = ", ".join(c.ld_authors) if c.ld_authors else c.byline
        rec["images"] = [{"url": im.url, "caption": im.caption} for im in c.images]
        rec["related"] = [
            {"url": self.articles[i].url, "title": self.articles[i].title}
            for i in meta.related_unique()
        ]
        if c.media:
            rec["media"] = [{"url": m.url, "kind": m.kind} for m in c.media]
        rec["tags"] = list(c.tags)
        rec["language"] = "vi"
        return rec

    def ground_truth(self) -> list[dict[str, Any]]:
        return [self.record(i) for i in range(len(self.articles))]
