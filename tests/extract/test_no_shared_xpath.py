"""No module of newsbot keeps a compiled ``lxml.etree.XPath`` (issue 11, finding 1).

A compiled XPath object is shared state with a lock: a RecursionError raised inside it
on a deeply nested page once left the lock held, and the next page that used it hung
the run for good. Selectors are strings evaluated per call, or walks of the tree.
"""

from __future__ import annotations

import importlib
import pkgutil

import lxml.etree

import newsbot


def _modules():
    for info in pkgutil.walk_packages(newsbot.__path__, "newsbot."):
        yield importlib.import_module(info.name)


def test_no_module_holds_a_compiled_xpath():
    found = []
    for module in _modules():
        for name, value in vars(module).items():
            values = value.values() if isinstance(value, dict) else [value]
            if isinstance(value, list | tuple | set | frozenset):
                values = value
            if any(isinstance(v, lxml.etree.XPath) for v in values):
                found.append(f"{module.__name__}.{name}")
    assert found == []
