"""Acceptance: ``newsbot parse`` reproduces every file in ``../shared/portal/expected/``
and ``../shared/portal/onecms/expected/`` (the publisher's OneCMS site today).

Each specimen goes through the console script (a real subprocess, as a user runs it)
and its JSON must hold every expected key with the expected value, and no contract
field the expected file leaves out. Also: every sentence of the seed article lands in
exactly one field of the legacy specimen's record. Skipped when ``../shared`` is absent
(a clone outside the workspace); ``tests/fixtures`` cover the same quirks there.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from newsbot.extract.dates import parse_datetime
from newsbot.extract.text import normalize_text
from newsbot.record import RECORD_FIELDS

PORTAL = Path(__file__).resolve().parents[1].parent / "shared" / "portal"
SPECIMENS = PORTAL / "specimens"
EXPECTED = PORTAL / "expected"
ONECMS = PORTAL / "onecms"
#: Folders of (specimens, expected results); a case is named by its file stem.
FOLDERS = ((SPECIMENS, EXPECTED), (ONECMS / "specimens", ONECMS / "expected"))

if not EXPECTED.is_dir():
    pytest.skip(
        f"{PORTAL} is absent: no shared specimens to accept against", allow_module_level=True
    )

# Case name ending -> (--kind, specimen extension).
KINDS = {
    "article": ("article", ".html"),
    "longform": ("article", ".html"),
    "section": ("listing", ".html"),
    "rss": ("rss", ".xml"),
    "index": ("sitemap", ".xml"),
    "day": ("sitemap", ".xml"),
}
#: Keys of an expected file that document it and are not output (the sitemap files').
DOCUMENTATION_KEYS = frozenset({"note"})
FOLDER_OF = {p.stem: (spec, exp) for spec, exp in FOLDERS for p in exp.glob("*.json")}
CASES = sorted(FOLDER_OF)
# URLs the specimens were fetched from, where the expected file does not name one
# (PORTAL.md, "The specimens").
LISTING_URLS = {
    "legacy-section": "https://baohaiduong.vn/chuyen-muc/chinh-tri/1",
    "current-section": "https://baohaiduong.vn/giao-duc/",
    "legacy-rss": "https://baohaiduong.vn/rss/chinh-tri.rss",
    "onecms-section": "https://baohaiphong.vn/kinh-te",
    "onecms-sitemap-index": "https://baohaiphong.vn/sitemap.xml",
    "onecms-sitemap-day": "https://baohaiphong.vn/sitemap-article-2026-05-14.xml",
}


def _console_script() -> list[str]:
    script = Path(sys.executable).with_name("newsbot")
    return [str(script)] if script.exists() else [sys.executable, "-m", "newsbot.cli"]


def _expected(case: str) -> dict[str, Any]:
    data = json.loads((FOLDER_OF[case][1] / f"{case}.json").read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if k not in DOCUMENTATION_KEYS}


def _specimen(case: str) -> Path:
    return FOLDER_OF[case][0] / f"{case}{KINDS[case.rsplit('-', 1)[1]][1]}"


def _command(case: str) -> list[str]:
    kind, _ = KINDS[case.rsplit("-", 1)[1]]
    url = _expected(case).get("url") or LISTING_URLS[case]
    # No --site: the profile owning the URL's host must be found (baohaiphong.vn too).
    return [*_console_script(), "parse", str(_specimen(case)), "--url", url, "--kind", kind]


@pytest.fixture(scope="module")
def outputs() -> dict[str, subprocess.CompletedProcess[bytes]]:
    # Started together: the interpreter start-ups in parallel keep the suite quick.
    procs = {
        c: subprocess.Popen(_command(c), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for c in CASES
    }
    done = {}
    for case, proc in procs.items():
        out, err = proc.communicate(timeout=120)
        done[case] = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    return done


def test_every_expected_file_has_a_specimen():
    assert CASES, f"no expected files in {EXPECTED}"
    assert any(c.startswith("onecms-") for c in CASES), f"no OneCMS cases in {ONECMS}"
    for case in CASES:
        assert case.rsplit("-", 1)[1] in KINDS, case
        assert _specimen(case).is_file(), case


@pytest.mark.parametrize("case", CASES)
def test_parse_reproduces_expected(outputs, case: str):
    run = outputs[case]
    assert run.returncode == 0, run.stderr.decode("utf-8", "replace")
    text = run.stdout.decode("utf-8")
    assert "\\u" not in text
    got = json.loads(text)
    expected = _expected(case)
    for key, value in expected.items():
        assert got.get(key) == value, f"{case}: field {key!r} differs"
    extra = [k for k in got if k in RECORD_FIELDS and k not in expected]
    assert extra == [], f"{case}: contract fields the expected file lacks: {extra}"
    if KINDS[case.rsplit("-", 1)[1]][0] == "article":
        assert set(expected) <= set(got)
    else:
        assert set(got) == set(expected)


# --- the seed article: every sentence in exactly one field -----------------------------

# A sentence ends at . ! ? … or ")" followed by space and a letter or an opening quote, so
# "quý I. 2021" (a numbered quarter, then the year) stays one sentence.
_SENTENCE_END = re.compile(r"(?<=[.!?…)])\s+(?=[(\"“]|[^\W\d_])")


def sentences(text: str) -> list[str]:
    """Sentences of a text, after the record's own normalisation (NFC, one space)."""
    out: list[str] = []
    for line in text.splitlines():
        line = normalize_text(line.lstrip(">").strip())
        out.extend(s for s in _SENTENCE_END.split(line) if s)
    return out


@cache
def _legacy_record() -> dict[str, Any]:
    run = subprocess.run(_command("legacy-article"), capture_output=True, timeout=60, check=True)
    return json.loads(run.stdout)


def _fields(record: dict[str, Any]) -> dict[str, list[str]]:
    fields = {
        "title": sentences(record["title"]),
        "lead": sentences(record["lead"]),
        "body": sentences(record["body"]),
        "author": sentences(record["author"] or ""),
    }
    for i, image in enumerate(record["images"]):
        fields[f"images[{i}].caption"] = sentences(image["caption"] or "")
    for i, link in enumerate(record["related"]):
        fields[f"related[{i}].title"] = sentences(link["title"])
    return fields


SEED = PORTAL / "seed-article.txt"
SEED_SENTENCES = sentences(SEED.read_text(encoding="utf-8")) if SEED.is_file() else []


def test_seed_article_is_split_into_sentences():
    assert len(SEED_SENTENCES) > 30
    assert "THỨ SÁU, 22/01/2021 17:11:16" in SEED_SENTENCES
    assert "Sôi nổi thảo luận tại hội trường" in SEED_SENTENCES
    assert "PV" in SEED_SENTENCES


@pytest.mark.parametrize(
    "sentence", [pytest.param(s, id=f"{i:02d}-{s[:40]}") for i, s in enumerate(SEED_SENTENCES)]
)
def test_seed_sentence_lands_in_exactly_one_field(sentence: str):
    record = _legacy_record()
    homes = [name for name, said in _fields(record).items() if sentence in said]
    if parse_datetime(sentence).iso == record["published_at"]:
        homes.append("published_at")
    assert len(homes) == 1, f"{sentence!r} found in {homes or 'no field'}"
    if homes[0] in ("body", "lead"):
        assert _fields(record)[homes[0]].count(sentence) == 1, f"{sentence!r} repeated"
