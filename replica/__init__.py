"""The local portal replica: a deterministic fake baohaiduong.vn served on loopback.

Used by end-to-end tests (real Scrapy crawls), ``make demo`` and ``make bench``::

    with Replica(articles=300, seed=1, faults=FaultConfig.all()) as replica:
        crawl(replica.origin)
        expected = replica.ground_truth()

``generator`` builds the portal (articles, link graph, ground truth), ``pages``
renders its pages in the specimens' markup, ``server`` serves them and plays the
fault modes, ``testing`` holds the pytest fixtures.
"""

from replica.generator import SECTIONS, Portal, Section
from replica.server import FaultConfig, Replica, ReplicaProcess, RequestLogEntry

__all__ = [
    "SECTIONS",
    "FaultConfig",
    "Portal",
    "Replica",
    "ReplicaProcess",
    "RequestLogEntry",
    "Section",
]
