"""bench: the functions `make bench` calls run and report sane shapes (no timings asserted)."""

from __future__ import annotations

from benchmarks.store import bench_dedup, bench_store
from newsbot.store import open_store


def test_bench_store(store_target):
    result = bench_store(store_target, records=150, batch=50)
    assert result["records"] == 150 and result["insert_records_per_s"] > 0
    assert result["unchanged_records_per_s"] > 0
    with open_store(store_target) as store:
        assert store.count_articles() == 150


def test_bench_dedup_small():
    result = bench_dedup(20_000, lookups=1_000, lsh_size=300, lsh_queries=30)
    assert result["fingerprints"] == 20_000
    assert result["lookup_hit_share"] == 0.5  # half the probes are stored fingerprints
    assert result["fingerprint_memory_mb"] > 1
    assert result["lsh_queries_per_s"] > 0
