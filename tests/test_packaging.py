"""What the installed package holds: newsbot only, importable without test tools."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from setuptools import find_packages

ROOT = Path(__file__).resolve().parents[1]


def test_every_module_imports_without_pytest():
    # ``sys.modules[name] = None`` makes ``import name`` fail, as on a machine without it.
    code = (
        "import sys, importlib, pkgutil\n"
        "for blocked in ('pytest', 'hypothesis', '_pytest'):\n"
        "    sys.modules[blocked] = None\n"
        "import newsbot\n"
        "names = [m.name for m in pkgutil.walk_packages(newsbot.__path__, 'newsbot.')]\n"
        "for name in names:\n"
        "    importlib.import_module(name)\n"
        "print(len(names))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert int(proc.stdout.strip()) > 20


def test_replica_and_benchmarks_are_not_packaged():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    include = config["tool"]["setuptools"]["packages"]["find"]["include"]
    packaged = find_packages(where=ROOT, include=include)
    assert "newsbot" in packaged
    assert all(name == "newsbot" or name.startswith("newsbot.") for name in packaged), packaged
    for outside in ("replica", "benchmarks", "tests"):
        assert (ROOT / outside).is_dir()
        assert outside not in packaged
