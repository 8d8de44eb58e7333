"""The store's exceptions: what callers catch to report a store problem in one line."""

from __future__ import annotations


class StoreError(Exception):
    """A store could not be opened, read or written (the message says which and why)."""


class StoreLocked(StoreError):
    """Another run holds the run lock this run needs (same site, or the whole store)."""
