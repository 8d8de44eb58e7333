"""Item pipelines: normalise → validate → dedup → store → publish. Publisher-agnostic.

Enabled, with the run state they share, by the newsbot add-on
(``ADDONS = {"newsbot.addon.Newsbot": 0}``; see :mod:`newsbot.addon`). The dedup and
store pipelines find the crawler's :class:`~newsbot.pipelines.run.RunState` extension
with ``crawler.get_extension``. The :class:`~newsbot.pipelines.publish.PublishPipeline`
(which writes the feeds with :func:`newsbot.feeds.publish.publish_run`) connects to the
:data:`~newsbot.pipelines.run.run_stored` signal: it is sent once the last batch is
written and before the run is recorded and its lock released, with the run id and the
open store, so the run's records can be read (``Store.iter_run_changes(run_id)``)
while no other run can write.

Settings (defaults in :mod:`newsbot.addon`):

=============================  =====================  ===========================================
setting                        default                meaning
=============================  =====================  ===========================================
NEWSBOT_STORE                  ``output/newsbot.db``  SQLite path or ``postgresql://`` DSN
NEWSBOT_STORE_BATCH            100                    records per write transaction; 1 when
                                                      ``JOBDIR`` is set (a resumable job marks
                                                      requests seen before their items are
                                                      stored, so a SIGKILL must not lose a batch)
NEWSBOT_STORE_BATCH_WAIT       1.0                    longest a record waits for its batch (s)
NEWSBOT_NEAR_DUP_THRESHOLD     0.8                    estimated Jaccard similarity of word
                                                      3-shingles (title + body) from which two
                                                      articles are one story
NEWSBOT_MINHASH_PERM           128                    MinHash permutations (signatures made with
                                                      another value are not compared)
=============================  =====================  ===========================================

Stats written: ``newsbot/run_id``, ``newsbot/items_seen``, ``newsbot/coverage/<field>``,
``newsbot/provenance/<field>/<source>``, ``newsbot/dropped/<reason>``,
``newsbot/stored/<outcome>`` and, when the run cannot start, ``newsbot/fatal``.
Stats read from the spider: ``newsbot/run_status`` (the run's status when the close
reason does not tell it, e.g. ``nothing_fetched``), ``newsbot/errors`` (given-up requests, list of {url, reason};
recorded with the run), ``newsbot/article_pages`` (article pages it tried to parse: the
coverage denominator when larger than the items seen) and ``newsbot/parse_errors/<kind>``
(recorded in the run's counts). The run's ``args`` are the spider's ``args`` dict (its
``-a`` arguments) when it has one, plus ``JOBDIR``.
"""

from newsbot.pipelines.dedup import DedupPipeline
from newsbot.pipelines.normalize import NormalizePipeline, normalize_record
from newsbot.pipelines.publish import PublishPipeline
from newsbot.pipelines.run import RunState, run_stored, store_target
from newsbot.pipelines.store import StorePipeline
from newsbot.pipelines.validate import ValidatePipeline, missing_reason

__all__ = [
    "DedupPipeline",
    "NormalizePipeline",
    "PublishPipeline",
    "RunState",
    "StorePipeline",
    "ValidatePipeline",
    "missing_reason",
    "normalize_record",
    "run_stored",
    "store_target",
]
