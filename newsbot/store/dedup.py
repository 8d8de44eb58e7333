"""Fingerprints and near-duplicate detection: what makes two records the same article.

* :func:`content_hash` — sha256 of the normalised title, lead and body; equal hashes
  mean an unchanged article, a different hash under the same identity is an edit.
* :func:`text_minhash` — MinHash (datasketch) of the word 3-shingles of title + body.
* :class:`NearDuplicateIndex` — MinHashLSH over stored signatures. Two articles whose
  estimated Jaccard similarity reaches the threshold (``NEWSBOT_NEAR_DUP_THRESHOLD``,
  default 0.8) are one story; the one published earlier is the original, the other
  is stored with ``duplicate_of`` set to the original's URL.
* :class:`Deduplicator` — what the dedup pipeline and ``reparse`` share: it annotates
  a record with ``_content_hash``, ``_signature`` and, for a new article that is a
  near-duplicate, ``duplicate_of`` (or ``_supersedes`` when the new one is the
  earlier publication, so stored copies get re-pointed to it).

The index is rebuilt at start from the signatures stored in the ``minhash`` table
(the hash values as bytes), never by re-hashing stored text.
"""

from __future__ import annotations

import hashlib
import inspect
import re
import zlib
from collections.abc import Iterable, Iterator, Mapping
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
        self.lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
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


Signature = tuple[str, str, int, bytes, "str | None", "str | None"]


class StoredArticles(Protocol):
    """What a :class:`Deduplicator` asks of the store (``newsbot.store.Store`` has it);
    declared here so this module needs nothing else of the store package."""

    def find_identity(self, url: str | None, site: str | None, source_id: Any) -> str | None: ...

    def iter_signatures(self, published_since: str | None = None) -> Iterator[Signature]: ...


class Deduplicator:
    """Annotates records with fingerprints and near-duplicate links before storing.

    Build with :meth:`from_store` (loads stored signatures). Identity (URL or
    ``(site, source_id)``) is looked up in the store and among the records this
    deduplicator has already passed but the store may not have flushed yet.
    """

    def __init__(
        self,
        store: StoredArticles | None,
        threshold: float = DEFAULT_THRESHOLD,
        num_perm: int = DEFAULT_NUM_PERM,
    ) -> None:
        self.store = store
        self.index = NearDuplicateIndex(threshold, num_perm)
        self.num_perm = num_perm
        self._pending_url: set[str] = set()
        self._pending_id: dict[tuple[str, str], str] = {}
        self.skipped_signatures = 0

    @classmethod
    def from_store(
        cls,
        store: StoredArticles,
        threshold: float = DEFAULT_THRESHOLD,
        num_perm: int = DEFAULT_NUM_PERM,
        *,
        published_since: str | None = None,
    ) -> Deduplicator:
        """Index the stored signatures (with ``published_since``, a UTC instant, only of
        articles published since then: the near-duplicate horizon)."""
        dedup = cls(store, threshold, num_perm)
        dedup.load(store.iter_signatures(published_since))
        return dedup

    def load(self, rows: Iterable[Signature]) -> None:
        """Index stored ``(url, scheme, num_perm, signature, published_at, duplicate_of)``."""
        for url, scheme, num_perm, signature, published_at, duplicate_of in rows:
            if scheme != SCHEME or num_perm != self.num_perm:
                # Made with other parameters: not comparable. Counted so it shows up.
                self.skipped_signatures += 1
                continue
            self.index.add(url, signature_from_bytes(signature, scheme), published_at, duplicate_of)

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

    def annotate(self, record: dict[str, Any]) -> dict[str, Any]:
        """Add ``_content_hash``, ``_signature`` and, when new and a copy, ``duplicate_of``."""
        record["_content_hash"] = content_hash(record)
        mh = text_minhash(record, self.num_perm)
        record["_signature"] = signature_bytes(mh)
        record["_signature_scheme"] = SCHEME
        record["_num_perm"] = self.num_perm
        url = record["url"]
        known = self._known(record)
        if known is not None:
            # An existing article keeps its duplicate status; only its signature moves.
            record.pop("duplicate_of", None)
            self.index.replace_signature(known, mh)
            return record
        original = self.index.original_for(url, mh)
        published = record.get("published_at")
        if original is not None:
            if _sort_key(published) < self.index.published.get(original, float("inf")):
                # The new record is the earlier publication: it becomes the original.
                record["_supersedes"] = original
                record.pop("duplicate_of", None)
                self.index.repoint(original, url)
                original = None
            else:
                record["duplicate_of"] = original
        else:
            record.pop("duplicate_of", None)
        self.index.add(url, mh, published, original)
        self._pending_url.add(url)
        if record.get("site") and record.get("source_id"):
            self._pending_id[(record["site"], str(record["source_id"]))] = url
        return record

    def flushed(self) -> None:
        """The store has written everything passed so far; forget the pending identities."""
        self._pending_url.clear()
        self._pending_id.clear()
