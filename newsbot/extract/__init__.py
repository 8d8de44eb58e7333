"""Publisher-independent extraction building blocks: pure functions, no Scrapy, no network."""
