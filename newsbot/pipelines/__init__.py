"""Item pipelines: normalise → validate → dedup → store. Publisher-agnostic.

Use in ``settings.py``::

    ITEM_PIPELINES = {
        "newsbot.pipelines.NormalizePipeline": 100,
        "newsbot.pipelines.ValidatePipeline": 200,
        "newsbot.pipelines.DedupPipeline": 300,
        "newsbot.pipelines.StorePipeline": 400,
    }

A publish/feeds pipeline, if any, goes after 400. It registers its work with
``RunRecorder.existing(crawler).before_finish(callback)``: the callback runs once the
last batch is written and before the run is recorded and its lock released, so it can
read the run's records with ``Store.iter_run_changes(run_id)`` while no other run can
write.

Settings (read in ``from_crawler``):

=============================  =====================  ===========================================
setting                        default                meaning
=============================  =====================  ===========================================
NEWSBOT_STORE                  ``output/newsbot.db``  SQLite path or ``postgresql://`` DSN; the
                                                      setting wins (``settings.py`` defaults it
                                                      from the environment variable of the same
                                                      name, used when the setting is empty)
NEWSBOT_STORE_BATCH            100                    records per write transaction; 1 when
                                                      ``JOBDIR`` is set (a resumable job marks
                                                      requests seen before their items are
                                                      stored, so a SIGKILL must not lose a batch)
NEWSBOT_NEAR_DUP_THRESHOLD     0.8                    estimated Jaccard similarity of word
                                                      3-shingles (title + body) from which two
                                                      articles are one story
NEWSBOT_MINHASH_PERM           128                    MinHash permutations (signatures made with
                                                      another value are not compared)
=============================  =====================  ===========================================

Stats written: ``newsbot/run_id``, ``newsbot/items_seen``, ``newsbot/coverage/<field>``,
``newsbot/provenance/<field>/<source>``, ``newsbot/dropped/<reason>``,
``newsbot/stored/<outcome>`` and, when the run cannot start, ``newsbot/fatal``.
Stats read from the spider: ``newsbot/errors`` (given-up requests, list of {url, reason};
recorded with the run), ``newsbot/article_pages`` (article pages it tried to parse: the
coverage denominator when larger than the items seen) and ``newsbot/parse_errors/<kind>``
(recorded in the run's counts). The run's ``args`` are the spider's ``args`` dict (its
``-a`` arguments) when it has one, plus ``JOBDIR``.
"""

from newsbot.pipelines.dedup import DedupPipeline
from newsbot.pipelines.normalize import NormalizePipeline, normalize_record
from newsbot.pipelines.run import RunRecorder, store_target
from newsbot.pipelines.store import StorePipeline
from newsbot.pipelines.validate import ValidatePipeline, missing_reason

ITEM_PIPELINES: dict[str, int] = {
    "newsbot.pipelines.NormalizePipeline": 100,
    "newsbot.pipelines.ValidatePipeline": 200,
    "newsbot.pipelines.DedupPipeline": 300,
    "newsbot.pipelines.StorePipeline": 400,
}

__all__ = [
    "ITEM_PIPELINES",
    "DedupPipeline",
    "NormalizePipeline",
    "RunRecorder",
    "StorePipeline",
    "ValidatePipeline",
    "missing_reason",
    "normalize_record",
    "store_target",
]
