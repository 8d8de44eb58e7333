"""Scrapy commands newsbot replaces (``COMMANDS_MODULE``).

- ``crawl``: an exit status a scheduler can act on.
- ``parse``, ``shell``: look at pages without taking the store lock or recording a run.
"""
