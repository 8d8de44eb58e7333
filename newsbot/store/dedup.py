"""Fingerprints and near-duplicate detection: what makes two records the same article.

* :func:`content_hash` — sha256 of the normalised title, lead and body; equal hashes
  mean an unchanged article, a different hash under the same identity is an edit.
* :func:`text_minhash` — MinHash (datasketch) of the word 3-shingles of title + body.
* :class:`Bands` — the LSH bands of a signature as 64-bit keys, kept in the store's
  ``minhash_bands`` table: two articles sharing a key are near-duplicate candidates
  (estimated Jaccard similarity of word 3-shingles around ``NEWSBOT_NEAR_DUP_THRESHOLD``,
  default 0.8), found by one indexed query, so no run holds every signature in memory.
* :class:`NearDuplicateIndex` — MinHashLSH in memory, for the records passed but not
  written yet (one batch) and for benchmarks.
* :class:`Deduplicator` — what the dedup pipeline and ``reparse`` share: it annotates
  a record with ``_content_hash``, ``_signature``, ``_bands`` and, for a new article
  that is a near-duplicate, ``duplicate_of`` = the earlier publication's URL (or
  ``_supersedes`` when the new one is the earlier publication, so stored copies get
  re-pointed to it).

Band keys are made from the stored signatures (the hash values as bytes), never by
re-hashing stored text; a store without keys for the current parameters gets them
at the start of the next run.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import re
import zlib
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

from newsbot.extract.text import normalize_text

DEFAULT_THRESHOLD = 0.8
DEFAULT_NUM_PERM = 128
SHINGLE_WORDS = 3
#: Seed of the MinHash permutations; signatures made with another seed don't compare.
SEED = 1

# datasketch 2 names its permutation schemes; 1.x has one unnamed scheme ("legacy").
_HAS_SCHEMES = "scheme" in inspect.signature(MinHash.__init__).parameters
SCHEME = "affine32" if _HAS_SCHEMES else "legacy"
_SCHEME_DTYPE = {"affine32": "<u4", "affine64": "<u8", "legacy": "<u8"}

_WORD = re.compile(r"\w+")
# Odd 32-bit multiplier mixing word hashes into a shingle hash (a polynomial hash).
_SHINGLE_MULT = 0x9E3779B1
_MASK32 = np.uint64(0xFFFFFFFF)


def normalise_text(value: Any) -> str:
    """The text the fingerprints are taken of: as records are normalised; None is ''."""
    return "" if value is None else normalize_text(str(value))


def content_hash(record: Mapping[str, Any]) -> str:
    """sha256 hex of the normalised title, lead and body (the article's text)."""
    parts = (normalise_text(record.get(k)) for k in ("title", "lead", "body"))
    # A separator that cannot occur in text keeps "a|bc" and "ab|c" apart.
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def _words(record: Mapping[str, Any]) -> list[str]:
    text = f"{record.get('title') or ''} {record.get('body') or ''}".casefold()
    return _WORD.findall(normalise_text(text))


def shingle_hashes(record: Mapping[str, Any], size: int = SHINGLE_WORDS) -> np.ndarray:
    """32-bit hashes of the word n-shingles, computed with numpy from per-word CRC32s.

    Equivalent in use to hashing each shingle's text (a set of distinct shingles
    maps to distinct values but for rare 32-bit collisions) and several times
    cheaper: this runs once per fetched article on the crawl's hot path.
    """
    words = _words(record)
    if not words:
        return np.empty(0, dtype=np.uint64)
    h = np.fromiter(map(zlib.crc32, map(str.encode, words)), dtype=np.uint64, count=len(words))
    if len(h) >= size:
        combined = h[: len(h) - size + 1].copy()
        for i in range(1, size):
            combined = (
                combined * np.uint64(_SHINGLE_MULT) + h[i : len(h) - size + 1 + i]
            ) & _MASK32
        h = combined
    return np.unique(h)


def _minhash_kwargs() -> dict[str, Any]:
    return {"scheme": SCHEME} if _HAS_SCHEMES else {}


_PERMUTATIONS: dict[int, MinHash] = {}


def _identity(value: Any) -> Any:
    return value


def text_minhash(record: Mapping[str, Any], num_perm: int = DEFAULT_NUM_PERM) -> MinHash:
    """MinHash of the record's shingle hashes (permutations cached per ``num_perm``)."""
    proto = _PERMUTATIONS.get(num_perm)
    if proto is None:
        proto = _PERMUTATIONS[num_perm] = MinHash(num_perm=num_perm, seed=SEED, **_minhash_kwargs())
    mh = MinHash(
        num_perm=num_perm,
        seed=SEED,
        permutations=proto.permutations,
        hashfunc=_identity,
        **_minhash_kwargs(),
    )
    hashes = shingle_hashes(record)
    if len(hashes):
        mh.update_batch(hashes.tolist())  # Python ints iterate faster than numpy scalars
    return mh


def signature_bytes(mh: MinHash) -> bytes:
    """The MinHash hash values as little-endian bytes (what the ``minhash`` table keeps)."""
    return np.asarray(mh.hashvalues).astype(_SCHEME_DTYPE[SCHEME]).tobytes()


def signature_from_bytes(data: bytes, scheme: str = SCHEME) -> LeanMinHash:
    """A MinHash rebuilt from stored hash values, usable in the LSH index."""
    values = np.frombuffer(data, dtype=_SCHEME_DTYPE[scheme]).astype(
        "uint32" if scheme == "affine32" else "uint64"
    )
    if _HAS_SCHEMES:
        return LeanMinHash(seed=SEED, hashvalues=values, scheme=scheme)
    return LeanMinHash(seed=SEED, hashvalues=values)


def _sort_key(published_at: str | None) -> float:
    """Publication time as a number; unknown dates sort last (never the original)."""
    if not published_at:
        return float("inf")
    try:
        return datetime.fromisoformat(published_at).timestamp()
    except ValueError:
        return float("inf")


@functools.lru_cache(maxsize=16)
def lsh_params(threshold: float, num_perm: int) -> tuple[int, int]:
    """The (bands, rows) split MinHashLSH picks for ``threshold`` and ``num_perm``.

    Worked out once per process: datasketch finds it by numerical integration over every
    split (tens of milliseconds), and an index is made anew after every written batch.
    """
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return int(lsh.b), int(lsh.r)


def new_lsh(threshold: float, num_perm: int) -> MinHashLSH:
    """An empty MinHashLSH with the split of :func:`lsh_params` (no integration)."""
    return MinHashLSH(
        threshold=threshold, num_perm=num_perm, params=lsh_params(threshold, num_perm)
    )


class NearDuplicateIndex:
    """MinHashLSH over article signatures, with each story's original remembered.

    ``root[url]`` is the original of the story ``url`` belongs to (itself for an
    original), so a third copy points at the first publication, not at the second.
    """

    def __init__(
        self, threshold: float = DEFAULT_THRESHOLD, num_perm: int = DEFAULT_NUM_PERM
    ) -> None:
        self.threshold = threshold
        self.num_perm = num_perm
        self.lsh = new_lsh(threshold, num_perm)
        self.root: dict[str, str] = {}
        self.published: dict[str, float] = {}

    def __len__(self) -> int:
        return len(self.root)

    def __contains__(self, url: str) -> bool:
        return url in self.root

    def add(
        self, url: str, mh: MinHash, published_at: str | None, duplicate_of: str | None
    ) -> None:
        if url in self.lsh:
            self.lsh.remove(url)
        self.lsh.insert(url, mh, check_duplication=False)
        self.root[url] = duplicate_of or url
        self.published[url] = _sort_key(published_at)

    def replace_signature(self, url: str, mh: MinHash) -> None:
        """An edited article keeps its place in its story; only its signature moves."""
        if url in self.lsh:
            self.lsh.remove(url)
            self.lsh.insert(url, mh, check_duplication=False)

    def original_for(self, url: str, mh: MinHash) -> str | None:
        """The original (earliest published) of the story ``mh`` is a copy of, if any."""
        roots = {self.root[k] for k in self.lsh.query(mh) if k != url and k in self.root}
        roots.discard(url)
        if not roots:
            return None
        return min(roots, key=lambda u: (self.published.get(u, float("inf")), u))

    def repoint(self, old_root: str, new_root: str) -> None:
        for key, root in self.root.items():
            if root == old_root:
                self.root[key] = new_root


class Bands:
    """LSH banding of stored signatures, so near-duplicate candidates are an indexed
    lookup in the store instead of an index of every signature held in memory.

    A signature is cut into ``b`` bands of ``r`` hash values (the split MinHashLSH picks
    for the threshold and ``num_perm``); each band becomes one 64-bit key, salted with
    the parameters (:attr:`name`), so keys made with other parameters never match. Two
    signatures sharing any key are candidates, exactly as in MinHashLSH.
    """

    def __init__(
        self,
        threshold: float = DEFAULT_THRESHOLD,
        num_perm: int = DEFAULT_NUM_PERM,
        scheme: str = SCHEME,
    ) -> None:
        self.b, self.r = lsh_params(threshold, num_perm)
        self.name = f"{scheme}:{num_perm}:{self.b}x{self.r}"
        self._width = self.r * np.dtype(_SCHEME_DTYPE[scheme]).itemsize
        self._salt = self.name.encode()

    def keys(self, signature: bytes) -> list[int]:
        """The band keys of a signature (as :func:`signature_bytes` makes it)."""
        out = []
        for i in range(self.b):
            band = signature[i * self._width : (i + 1) * self._width]
            digest = hashlib.blake2b(
                self._salt + i.to_bytes(2, "big") + band, digest_size=8
            ).digest()
            out.append(int.from_bytes(digest, "big", signed=True))
        return out


#: A stored candidate: (url, the original of its story, that original's published_at).
Candidate = tuple[str, str, "str | None"]


class StoredArticles(Protocol):
    """What a :class:`Deduplicator` asks of the store (``newsbot.store.Store`` has it);
    declared here so this module needs nothing else of the store package."""

    def find_identity(self, url: str | None, site: str | None, source_id: Any) -> str | None: ...

    def near_candidates(self, lsh: str, keys: Sequence[int]) -> list[Candidate]: ...

    def signatures_without_bands(self, lsh: str) -> Iterator[tuple[str, str, int, bytes]]: ...

    def save_bands(self, lsh: str, rows: Sequence[tuple[int, str]]) -> None: ...


class Deduplicator:
    """Annotates records with fingerprints and near-duplicate links before storing.

    Build with :meth:`from_store`. Stored stories are found through the store's band
    keys (:class:`Bands`, one indexed query per new article), so memory does not grow
    with the archive; records passed since the last :meth:`flushed` (not written yet)
    are held in a small in-memory index. Identity (URL or ``(site, source_id)``) is
    looked up in the store and among those pending records. Each record gets
    ``_bands`` (the LSH parameters' name and its keys), which the store writes.
    """

    def __init__(
        self,
        store: StoredArticles | None,
        threshold: float = DEFAULT_THRESHOLD,
        num_perm: int = DEFAULT_NUM_PERM,
    ) -> None:
        self.store = store
        self.threshold = threshold
        self.num_perm = num_perm
        self.bands = Bands(threshold, num_perm)
        #: Records passed and not flushed yet (all of them without a store).
        self.index = NearDuplicateIndex(threshold, num_perm)
        self._pending_url: set[str] = set()
        self._pending_id: dict[tuple[str, str], str] = {}
        # Publication sort keys of the stories' originals met since the last flush, and
        # stored originals a pending record superseded (the store re-points them on write).
        self._published: dict[str, float] = {}
        self._repointed: dict[str, str] = {}
        #: Stored signatures made with other MinHash parameters (never compared).
        self.skipped_signatures = 0
        self.backfilled = 0

    @classmethod
    def from_store(
        cls,
        store: StoredArticles,
        threshold: float = DEFAULT_THRESHOLD,
        num_perm: int = DEFAULT_NUM_PERM,
    ) -> Deduplicator:
        """A deduplicator over ``store``; stored signatures that have no band keys for these
        parameters yet (an older store, another threshold) get them now, streamed."""
        dedup = cls(store, threshold, num_perm)
        dedup._backfill()
        return dedup

    def _backfill(self, chunk: int = 2000) -> None:
        assert self.store is not None
        rows: list[tuple[int, str]] = []
        for url, scheme, num_perm, signature in self.store.signatures_without_bands(
            self.bands.name
        ):
            if scheme != SCHEME or num_perm != self.num_perm:
                # Made with other parameters: not comparable. Counted so it shows up.
                self.skipped_signatures += 1
                continue
            rows.extend((key, url) for key in self.bands.keys(bytes(signature)))
            self.backfilled += 1
            if len(rows) >= chunk:
                self.store.save_bands(self.bands.name, rows)
                rows = []
        if rows:
            self.store.save_bands(self.bands.name, rows)

    def _known(self, record: Mapping[str, Any]) -> str | None:
        url = record.get("url")
        site, source_id = record.get("site"), record.get("source_id")
        if url in self._pending_url:
            return url
        if site and source_id and (site, str(source_id)) in self._pending_id:
            return self._pending_id[(site, str(source_id))]
        if self.store is not None:
            return self.store.find_identity(url, site, source_id)
        return None

    def _original_for(self, url: str, mh: MinHash, keys: Sequence[int]) -> str | None:
        """The original (earliest published) of the story the record is a copy of, if any."""
        roots: dict[str, float] = {}
        for candidate in self.index.lsh.query(mh):
            root = self.index.root.get(candidate)
            if candidate != url and root and root != url:
                roots[root] = self._published.get(root, float("inf"))
        if self.store is not None:
            for _candidate, root, root_published in self.store.near_candidates(
                self.bands.name, keys
            ):
                root = self._repointed.get(root, root)
                if root == url:
                    continue
                if root not in self._published:
                    self._published[root] = _sort_key(root_published)
                roots.setdefault(root, self._published[root])
        if not roots:
            return None
        return min(roots, key=lambda u: (roots[u], u))

    def annotate(self, record: Any) -> Any:
        """Add ``_content_hash``, ``_signature``, ``_bands`` and, when new and a copy,
        ``duplicate_of`` (or ``_supersedes`` when it is the earlier publication)."""
        record["_content_hash"] = content_hash(record)
        mh = text_minhash(record, self.num_perm)
        signature = signature_bytes(mh)
        keys = self.bands.keys(signature)
        record["_signature"] = signature
        record["_signature_scheme"] = SCHEME
        record["_num_perm"] = self.num_perm
        record["_bands"] = (self.bands.name, keys)
        url = record["url"]
        known = self._known(record)
        if known is not None:
            # An existing article keeps its duplicate status; only its signature moves.
            record.pop("duplicate_of", None)
            self.index.replace_signature(known, mh)
            return record
        original = self._original_for(url, mh, keys)
        published = record.get("published_at")
        if original is not None:
            if _sort_key(published) < self._published.get(original, float("inf")):
                # The new record is the earlier publication: it becomes the original.
                record["_supersedes"] = original
                record.pop("duplicate_of", None)
                self.index.repoint(original, url)
                for old, new in list(self._repointed.items()):
                    if new == original:
                        self._repointed[old] = url
                self._repointed[original] = url
                original = None
            else:
                record["duplicate_of"] = original
        else:
            record.pop("duplicate_of", None)
        self.index.add(url, mh, published, original)
        self._published[url] = _sort_key(published)
        self._pending_url.add(url)
        if record.get("site") and record.get("source_id"):
            self._pending_id[(record["site"], str(record["source_id"]))] = url
        return record

    def flushed(self) -> None:
        """The store has written everything passed so far: it now answers for them, so the
        pending records are forgotten (memory stays bounded by one batch)."""
        self._pending_url.clear()
        self._pending_id.clear()
        if self.store is not None:
            self.index = NearDuplicateIndex(self.threshold, self.num_perm)
            self._published.clear()
            self._repointed.clear()
