"""Running newsbot as a fleet: a shared frontier on scrapy-redis and fleet-wide politeness."""
