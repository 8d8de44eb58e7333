"""Request identity by canonical URL, so mirrors and tracking variants are fetched once.

``m.``/``tab.``/``www.`` hosts, ``utm_`` queries, fragments and backslashes all map to
one canonical URL through the owning site profile; the fingerprint is taken of that.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from scrapy import Request
from scrapy.dupefilters import RFPDupeFilter
from scrapy.utils.request import RequestFingerprinter

from newsbot.sites import site_for_url
from newsbot.spiders.addressing import Addressing

log = logging.getLogger(__name__)


class CanonicalFingerprinter:
    """Fingerprints a request by the canonical URL of the page it stands for."""

    def __init__(self, crawler: Any = None) -> None:
        self._crawler = crawler
        self._fallback = RequestFingerprinter(crawler)
        self._cache: WeakKeyDictionary[Request, bytes] = WeakKeyDictionary()

    @classmethod
    def from_crawler(cls, crawler: Any) -> CanonicalFingerprinter:
        return cls(crawler)

    def canonical(self, url: str) -> str | None:
        """The canonical portal URL a request URL stands for, if a site owns it."""
        spider = getattr(self._crawler, "spider", None)
        addressing: Addressing | None = getattr(spider, "addressing", None)
        if addressing is not None:
            url = addressing.to_portal(url)
        site = getattr(spider, "site", None) or site_for_url(url)
        return site.canonical_url(url) if site is not None else None

    def fingerprint(self, request: Request) -> bytes:
        cached = self._cache.get(request)
        if cached is not None:
            return cached
        canonical = self.canonical(request.url)
        if canonical is None:
            fp = self._fallback.fingerprint(request)
        else:
            fp = hashlib.sha1(f"{request.method} {canonical}".encode()).digest()
        self._cache[request] = fp
        return fp


class ReportingDupeFilter(RFPDupeFilter):
    """A dupefilter that reports redirects landing on a page already seen (loops)."""

    def request_seen(self, request: Request) -> bool:
        seen = super().request_seen(request)
        chain = request.meta.get("redirect_urls")
        crawler = getattr(self, "crawler", None)
        if not seen or not chain or crawler is None or crawler.stats is None:
            return seen
        # A redirect to a page already fetched (an old URL of an article we have) is
        # normal; a redirect back into its own chain is a loop and is reported.
        here = self.fingerprint(request)
        if any(self.fingerprint(request.replace(url=u)) == here for u in chain):
            from newsbot.spiders.errors import record_error

            record_error(crawler.stats, chain[0], "redirect loop: " + " -> ".join(chain))
        else:
            crawler.stats.inc_value("newsbot/redirect_to_seen")
        return seen

    def fingerprint(self, request: Request) -> bytes:
        return self.fingerprinter.fingerprint(request)

    @classmethod
    def from_crawler(cls, crawler: Any) -> ReportingDupeFilter:
        jobdir = crawler.settings.get("JOBDIR")
        if jobdir:
            _discard_unclean_job_state(Path(jobdir))
        df = super().from_crawler(crawler)
        df.crawler = crawler
        df.jobdir = Path(jobdir) if jobdir else None
        return df

    def close(self, reason: str) -> None:
        super().close(reason)
        if self.jobdir is None:
            return
        if reason == "finished":
            # Nothing left to resume: the next run (same JOBDIR, an hour later) must not
            # find every listing and feed marked as already requested.
            (self.jobdir / "requests.seen").unlink(missing_ok=True)
            shutil.rmtree(self.jobdir / "requests.queue", ignore_errors=True)
        (self.jobdir / CLEAN_MARKER).write_text(reason)


#: Written to JOBDIR when a run stops cleanly; absent after a SIGKILL or crash.
CLEAN_MARKER = "newsbot.clean-stop"


def _discard_unclean_job_state(jobdir: Path) -> None:
    """Drop Scrapy's job state when the last run did not stop cleanly.

    Scrapy writes every request to ``requests.seen`` when it is scheduled, but keeps
    its queue's bookkeeping only on a clean stop. After a SIGKILL the seen list holds
    requests whose pages were never stored, and a resumed run would skip them for
    good; the queue may be stale. The store knows what was stored, so a run after an
    unclean stop starts from it (walking every listing) instead of from this state.
    """
    seen = jobdir / "requests.seen"
    marker = jobdir / CLEAN_MARKER
    if seen.exists() and not marker.exists():
        log.warning(
            "JOBDIR %s is from a run that did not stop cleanly: discarding its "
            "request list and queue; the store decides what to fetch",
            jobdir,
        )
        seen.unlink()
        shutil.rmtree(jobdir / "requests.queue", ignore_errors=True)
    marker.unlink(missing_ok=True)
