"""Scrapy commands newsbot replaces (``COMMANDS_MODULE``)."""
