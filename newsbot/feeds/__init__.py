"""What consumers read: JSON Lines (run files, by-date partitions), Atom, JSON Feed and CSV.

Renderers are pure functions of record dicts; every file is written atomically
(:mod:`newsbot.feeds.atomic`) where :mod:`newsbot.feeds.layout` puts it (a folder per
site, bounded file names). :func:`newsbot.feeds.publish.publish_run` writes a run's
outputs from the store, catching up whatever the completion marker
(:mod:`newsbot.feeds.state`) does not show as published, and
:class:`newsbot.pipelines.publish.PublishPipeline` calls it at the end of a crawl;
:mod:`newsbot.feeds.export` is ``newsbot export`` and :mod:`newsbot.feeds.prune`
``newsbot prune``; :mod:`newsbot.feeds.exporters` serves Scrapy's ``-O out.csv``.
"""

from newsbot.feeds.atom import render_atom, write_atom
from newsbot.feeds.atomic import atomic_write, write_if_changed
from newsbot.feeds.csvfile import write_csv, write_csv_to
from newsbot.feeds.jsonfeed import render_json_feed, write_json_feed
from newsbot.feeds.jsonl import dumps_record, render_jsonl, write_jsonl, write_jsonl_to
from newsbot.feeds.slug import section_slug

__all__ = [
    "atomic_write",
    "dumps_record",
    "render_atom",
    "render_json_feed",
    "render_jsonl",
    "section_slug",
    "write_atom",
    "write_csv",
    "write_csv_to",
    "write_if_changed",
    "write_json_feed",
    "write_jsonl",
    "write_jsonl_to",
]
