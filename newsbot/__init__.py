"""newsbot: a news ingester for Vietnamese provincial portals, built on Scrapy."""

__version__ = "0.1.0"
