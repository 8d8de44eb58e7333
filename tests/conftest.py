"""Shared pytest configuration: fixtures every test directory may use."""

pytest_plugins = ["newsbot.replica.testing"]
