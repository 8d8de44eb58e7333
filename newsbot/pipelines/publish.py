"""PublishPipeline: the Scrapy side of publishing, at the end of a crawl.

The files themselves are :mod:`newsbot.feeds.publish`'s (:func:`publish_run`), which knows
nothing of Scrapy or the run state; this pipeline decides when to call it (on the run
state's :data:`~newsbot.pipelines.run.run_stored` signal) and writes what came of it into
the crawl stats.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from newsbot.feeds.publish import DEFAULT_FEEDS_DIR, DEFAULT_FEEDS_LIMIT, publish_run
from newsbot.pipelines.run import RunState, run_stored
from newsbot.store import open_store
from newsbot.store.target import store_target

logger = logging.getLogger(__name__)

__all__ = ["PublishPipeline"]


class PublishPipeline:
    """Scrapy item pipeline that publishes the run's outputs once the crawl is over.

    Items pass through unchanged (internal ``_`` keys removed). With the newsbot run state
    (the ``RunState`` extension) on, publishing listens to its ``run_stored`` signal, sent
    once the last batch is written and before the run is recorded and its store lock
    released, so no other run writes while the feeds are built. Without it it runs on
    ``spider_closed``, which Scrapy sends after
    every pipeline's ``close_spider``; pipelines close in parallel, so publishing from
    ``close_spider`` could miss the last batch.

    Settings: ``NEWSBOT_PUBLISH`` (default True; False disables the pipeline),
    ``NEWSBOT_FEEDS_DIR`` (default ``output/feeds``), ``NEWSBOT_FEEDS_LIMIT`` (default 100),
    ``NEWSBOT_FEEDS_BASE_URL`` (optional, where the feeds are served), ``NEWSBOT_STORE``
    (as :func:`newsbot.pipelines.run.store_target` reads it). Stats read:
    ``newsbot/run_id`` (the run to publish), ``newsbot/fatal`` (skip publishing). Stats
    written: ``newsbot/published_*``, and on failure ``newsbot/publish_error`` plus
    ``newsbot/exit_status`` 1 (``scrapy crawl`` exits 1: the feeds lag the store until the
    next run publishes).
    """

    def __init__(
        self,
        crawler: Any,
        *,
        feeds_dir: str,
        limit: int = DEFAULT_FEEDS_LIMIT,
        store: str | None = None,
        base_url: str | None = None,
    ) -> None:
        self.crawler = crawler
        self.feeds_dir = feeds_dir
        self.limit = limit
        self.store_target = store
        self.base_url = base_url
        self.report: dict[str, Any] | None = None
        self.attempted = False

    @classmethod
    def from_crawler(cls, crawler: Any) -> PublishPipeline:
        settings = crawler.settings
        if not settings.getbool("NEWSBOT_PUBLISH", True):
            raise NotConfigured("NEWSBOT_PUBLISH is off")
        pipeline = cls(
            crawler,
            feeds_dir=settings.get("NEWSBOT_FEEDS_DIR") or DEFAULT_FEEDS_DIR,
            limit=settings.getint("NEWSBOT_FEEDS_LIMIT", DEFAULT_FEEDS_LIMIT),
            store=store_target(settings),
            base_url=settings.get("NEWSBOT_FEEDS_BASE_URL") or None,
        )
        if crawler.get_extension(RunState) is not None:
            crawler.signals.connect(pipeline.run_stored, signal=run_stored)
            crawler.signals.connect(pipeline.run_not_stored, signal=signals.spider_closed)
        else:
            crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def run_stored(self, run_id: str, store: Any = None, reason: str | None = None) -> None:
        self.publish()

    def run_not_stored(self, spider: Any = None, reason: str | None = None) -> None:
        # The run never started (e.g. the store was locked): say why nothing was published.
        if not self.attempted:
            self.publish()

    def process_item(self, item: Any) -> Any:
        # Last in the chain: internal keys (raw HTML bytes, fetch bookkeeping) are
        # stored by now and must not reach Scrapy's feed exports (-O out.jsonl).
        if isinstance(item, dict):
            for key in [k for k in item if k.startswith("_")]:
                del item[key]
        return item

    def spider_closed(self, spider: Any = None, reason: str | None = None) -> None:
        self.publish()

    def _failed(self, reason: str) -> None:
        # The records are stored; a publish that failed (wholly or for some files) is made
        # up by the next one. Say so where `scrapy crawl`'s exit status and monitors look.
        stats = self.crawler.stats
        stats.set_value("newsbot/publish_error", reason)
        if not stats.get_value("newsbot/exit_status"):
            stats.set_value("newsbot/exit_status", 1)

    def publish(self) -> dict[str, Any] | None:
        """Publish the crawl's run (or skip it, saying why); return publish_run's report."""
        self.attempted = True
        stats = self.crawler.stats
        fatal = stats.get_value("newsbot/fatal")
        if fatal:
            logger.error("Feeds not published: the run failed (%s)", fatal)
            return None
        run_id = stats.get_value("newsbot/run_id")
        if not run_id:
            logger.warning("Feeds not published: no run id in stats (is the store pipeline on?)")
            return None
        try:
            store = open_store(self.store_target)
            try:
                report = publish_run(
                    store, str(run_id), self.feeds_dir, limit=self.limit, base_url=self.base_url
                )
            finally:
                store.close()
        except Exception as exc:  # noqa: BLE001 - the crawl is stored; say why feeds lag
            # The records are safely stored and publish_run(store, run_id, dir) can be run
            # again for this run; record the failure where `newsbot stats` and monitors look.
            logger.exception("Feeds not published for run %s: %s", run_id, exc)
            self._failed(f"{type(exc).__name__}: {exc}")
            return None
        if report["errors"]:
            first = report["errors"][0]
            self._failed(
                f"files not written: {len(report['errors'])}, e.g. {first['path']}: "
                f"{first['reason']}"
            )
            logger.error(
                "Feeds of run %s published incompletely: files not written: %d "
                "(listed in index.json); the next run tries again",
                run_id,
                len(report["errors"]),
            )
        feed_files = sum(len(f["written"]) for f in report["feeds"])
        run_files = (1 if report["run_file"]["path"] else 0) + len(report["recovered_runs"])
        partitions = sum(1 for p in report["partitions"] if p["written"])
        recovered = report["recovered_runs"]
        stats.set_value("newsbot/published_records", report["run_file"]["count"])
        stats.set_value("newsbot/published_files", run_files + partitions + feed_files)
        if recovered:
            stats.set_value("newsbot/published_recovered_runs", [r["run_id"] for r in recovered])
        logger.info(
            "Published run %s to %s: %d records (+%d of %d unfinished runs), %d partitions"
            " and %d feed files rewritten",
            run_id,
            self.feeds_dir,
            report["run_file"]["count"],
            sum(r["count"] for r in recovered),
            len(recovered),
            partitions,
            feed_files,
        )
        self.report = report
        return report
