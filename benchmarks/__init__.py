"""Benchmarks for `make bench`: not part of the installed package."""
