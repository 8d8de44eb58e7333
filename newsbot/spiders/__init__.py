"""Scrapy glue: one spider per site profile (see ``portal.py``)."""
