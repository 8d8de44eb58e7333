"""The newsbot add-on (newsbot/addon.py): every NEWSBOT_* default once, as the README's
settings table says, the environment under the command line, and every component wired."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from scrapy import Spider
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from newsbot.addon import DEFAULTS, FROM_ENV, Newsbot
from newsbot.pipelines import RunState

README = Path(__file__).resolve().parents[1] / "README.md"
ROW = re.compile(r"^\| `(NEWSBOT_[A-Z_]+)`( \*env\*)? \| ([^|]+) \|", re.M)


def readme_settings() -> dict[str, tuple[bool, str]]:
    section = README.read_text(encoding="utf-8").split("## Settings", 1)[1]
    return {m[1]: (bool(m[2]), m[3].strip()) for m in ROW.finditer(section)}


def test_readme_settings_table_is_the_addons_defaults():
    table = readme_settings()
    assert set(table) == set(DEFAULTS), "a setting the README and the add-on disagree on"
    for name, (env, cell) in table.items():
        assert env == (name in FROM_ENV), name
        default = DEFAULTS[name]
        shown = cell.strip("`")
        if default is None:
            # "none", or words saying where the value comes from; never a literal value.
            assert not cell.startswith("`"), name
        elif default == "":
            assert shown.startswith("empty"), name
        elif isinstance(default, float):
            assert float(shown) == default, name
        else:
            assert shown == str(default), name


def apply(project: dict, cmdline: dict | None = None) -> Settings:
    settings = Settings()
    settings.setdict(project, priority="project")
    settings.setdict(cmdline or {}, priority="cmdline")
    Newsbot().update_settings(settings)
    return settings


def test_environment_gives_a_default_the_command_line_and_project_override(monkeypatch):
    monkeypatch.setenv("NEWSBOT_STORE", "env/store.db")
    monkeypatch.setenv("NEWSBOT_CONTACT", "ops@example.org")
    assert apply({})["NEWSBOT_STORE"] == "env/store.db"
    assert apply({}, {"NEWSBOT_STORE": "cli.db"})["NEWSBOT_STORE"] == "cli.db"
    assert apply({"NEWSBOT_STORE": "project.db"})["NEWSBOT_STORE"] == "project.db"
    # Not from the environment: only the add-on's default.
    monkeypatch.setenv("NEWSBOT_STORE_BATCH", "7")
    assert apply({}).getint("NEWSBOT_STORE_BATCH") == 100
    # The User-Agent names the contact, wherever it came from.
    assert "contact: ops@example.org" in apply({})["USER_AGENT"]
    assert "contact: me@x.org" in apply({}, {"NEWSBOT_CONTACT": "me@x.org"})["USER_AGENT"]
    assert apply({"USER_AGENT": "mine"})["USER_AGENT"] == "mine"


def test_project_order_of_a_component_wins_and_none_disables_it():
    settings = apply({"ITEM_PIPELINES": {"newsbot.pipelines.PublishPipeline": None}})
    pipelines = settings.getdict("ITEM_PIPELINES")
    assert pipelines["newsbot.pipelines.PublishPipeline"] is None
    assert pipelines["newsbot.pipelines.StorePipeline"] == 400


@pytest.mark.parametrize("with_addon", [True, False])
def test_crawler_gets_the_run_state_extension_only_with_the_addon(tmp_path, with_addon):
    settings = {"NEWSBOT_STORE": str(tmp_path / "s.db")}
    if with_addon:
        settings["ADDONS"] = {"newsbot.addon.Newsbot": 0}
    crawler = get_crawler(Spider, settings)
    state = crawler.get_extension(RunState)
    assert (state is not None) is with_addon
    if with_addon:
        assert state.batch_size == 100 and state.batch_wait == 1.0
        middlewares = crawler.settings.getdict("SPIDER_MIDDLEWARES")
        assert "newsbot.pipelines.pages.FetchedPageMiddleware" in middlewares
        assert crawler.settings["REQUEST_FINGERPRINTER_CLASS"].endswith("CanonicalFingerprinter")


def test_finding10_scrapy_remote_control_console_is_off_for_every_crawl():
    """Scrapy's telnet console (a remote Python shell into the crawl) is off in the
    settings ``scrapy crawl`` loads from this project, as its command line reads them."""
    import subprocess
    import sys

    root = README.parent
    out = subprocess.run(
        [sys.executable, "-m", "scrapy", "settings", "--get", "TELNETCONSOLE_ENABLED"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
