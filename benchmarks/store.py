"""Store and dedup throughput, for ``make bench``.

* :func:`bench_store` — records/s written through ``Store.write_batch`` (batches of
  100, one transaction each) with synthetic Vietnamese articles, then records/s for
  an unchanged re-crawl of the same records (the hourly common case). Records carry
  ``_content_hash`` as the dedup pipeline hands them to the store (hashing is timed in
  :func:`bench_dedup`); the store's own work (lookups, raw-page compression, writes,
  commit) is what is timed.
* :func:`bench_dedup` — exact-content lookups/s against a set of N stored
  fingerprints (sha256 digests) and its memory; MinHash signatures/s; LSH insert
  and query rates on a smaller set of signatures.

Numbers depend on the machine; they are printed, never asserted.
"""

from __future__ import annotations

import hashlib
import random
import secrets
import time
import tracemalloc
from typing import Any

from newsbot.store import open_store
from newsbot.store.dedup import (
    DEFAULT_NUM_PERM,
    DEFAULT_THRESHOLD,
    NearDuplicateIndex,
    content_hash,
    signature_bytes,
    signature_from_bytes,
    text_minhash,
)

_WORDS = (
    "tỉnh Hải Dương tổ chức hội nghị tổng kết công tác năm kinh tế xã hội phát triển"
    " nông nghiệp giáo dục y tế người dân huyện thành phố đại hội đảng bộ chính quyền"
    " văn hóa thể thao du lịch đầu tư hạ tầng giao thông công nghiệp doanh nghiệp"
).split()


def synthetic_record(i: int, rng: random.Random, prefix: str = "bench") -> dict[str, Any]:
    """A plausible article record (about 300 words) with a unique URL and source_id."""
    body = "\n\n".join(" ".join(rng.choice(_WORDS) for _ in range(60)) + "." for _ in range(5))
    return {
        "url": f"https://example.invalid/{prefix}/bai-viet-{i}",
        "source_id": f"{prefix}-{i}",
        "site": "bench",
        "section": rng.choice(["Chính trị", "Kinh tế", "Xã hội", "Thể thao"]),
        "title": " ".join(rng.choice(_WORDS) for _ in range(12)),
        "published_at": f"2024-0{1 + i % 9}-{1 + i % 28:02d}T{i % 24:02d}:00:00+07:00",
        "lead": " ".join(rng.choice(_WORDS) for _ in range(30)),
        "body": body,
        "author": "PV",
        "images": [{"url": f"https://example.invalid/img/{i}.jpg", "caption": "Ảnh minh họa"}],
        "related": [],
        "tags": ["Hải Dương"],
        "language": "vi",
        "provenance": {"title": "layout:legacy", "body": "layout:legacy"},
        "_raw_html": (f"<html><body><h1>{i}</h1>" + body + "</body></html>").encode(),
        "_fetched_url": f"https://example.invalid/{prefix}/bai-viet-{i}",
        "_fetched_at": "2024-10-01T00:00:00+00:00",
    }


def bench_store(target: str, records: int = 5000, batch: int = 100) -> dict[str, Any]:
    """Insert ``records`` synthetic records into the store at ``target`` in batches."""
    rng = random.Random(7)
    prefix = f"bench-{secrets.token_hex(4)}"
    data = [synthetic_record(i, rng, prefix) for i in range(records)]
    for record in data:
        record["_content_hash"] = content_hash(record)
    store = open_store(target)
    try:
        run_id = f"bench-{prefix}"
        start = time.perf_counter()
        for i in range(0, records, batch):
            store.write_batch(data[i : i + batch], run_id)
        insert_s = time.perf_counter() - start
        start = time.perf_counter()
        for i in range(0, records, batch):
            store.write_batch(data[i : i + batch], run_id)
        unchanged_s = time.perf_counter() - start
        return {
            "store": store.describe(),
            "engine": store.dialect,
            "records": records,
            "batch": batch,
            "insert_records_per_s": round(records / insert_s, 1),
            "unchanged_records_per_s": round(records / unchanged_s, 1),
        }
    finally:
        store.close()


def bench_dedup(
    fingerprints: int = 1_000_000,
    *,
    lookups: int = 200_000,
    lsh_size: int = 20_000,
    lsh_queries: int = 2_000,
    threshold: float = DEFAULT_THRESHOLD,
    num_perm: int = DEFAULT_NUM_PERM,
) -> dict[str, Any]:
    """Content-hash lookups/s and memory with ``fingerprints`` stored; MinHash/LSH rates."""
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    stored = {hashlib.sha256(i.to_bytes(8, "little")).digest() for i in range(fingerprints)}
    memory_mb = (tracemalloc.get_traced_memory()[0] - base) / 2**20
    tracemalloc.stop()
    # Half the probes are stored fingerprints, half are not.
    first = fingerprints - lookups // 2
    probes = [hashlib.sha256((first + i).to_bytes(8, "little")).digest() for i in range(lookups)]
    start = time.perf_counter()
    hits = sum(1 for p in probes if p in stored)
    lookup_s = time.perf_counter() - start
    del stored

    rng = random.Random(11)
    records = [synthetic_record(i, rng) for i in range(min(lsh_size, 2_000))]
    start = time.perf_counter()
    hash_start = time.perf_counter()
    for r in records[:500]:
        content_hash(r)
    hash_s = time.perf_counter() - hash_start
    signatures = [signature_bytes(text_minhash(r, num_perm)) for r in records]
    minhash_s = time.perf_counter() - start
    # The index holds lsh_size signatures: the computed ones, repeated with a varied
    # last value so they are distinct keys (computing 20 000 would only time MinHash).
    index = NearDuplicateIndex(threshold, num_perm)
    start = time.perf_counter()
    for i in range(lsh_size):
        mh = signature_from_bytes(signatures[i % len(signatures)])
        index.add(f"k{i}", mh, None, None)
    insert_s = time.perf_counter() - start
    queries = [signature_from_bytes(signatures[i % len(signatures)]) for i in range(lsh_queries)]
    start = time.perf_counter()
    for i, mh in enumerate(queries):
        index.original_for(f"q{i}", mh)
    query_s = time.perf_counter() - start
    return {
        "fingerprints": fingerprints,
        "fingerprint_memory_mb": round(memory_mb, 1),
        "content_hash_lookups_per_s": round(lookups / lookup_s),
        "lookup_hit_share": round(hits / lookups, 3),
        "content_hashes_per_s": round(500 / hash_s),
        "minhash_signatures_per_s": round(len(records) / minhash_s, 1),
        "lsh_size": lsh_size,
        "lsh_inserts_per_s": round(lsh_size / insert_s),
        "lsh_queries_per_s": round(lsh_queries / query_s),
        "lsh_threshold": threshold,
        "num_perm": num_perm,
    }


if __name__ == "__main__":  # pragma: no cover - manual use
    import json
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        print(json.dumps(bench_store(f"{tmp}/bench.db", 2000), indent=2))
    print(json.dumps(bench_dedup(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000), indent=2))
