"""The shipped alert rules: valid, and naming only metrics newsbot exports."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from newsbot.metrics import METRIC_NAMES
from tests.ops.rules import RULES, load_rules

_METRIC = re.compile(r"\bnewsbot_[a-z0-9_]+\b")
WANTED = {
    "NewsbotNoNewArticle",
    "NewsbotFieldCoverageDropped",
    "NewsbotRunStuck",
    "NewsbotErrorSpike",
}


def test_rules_name_only_exported_metrics():
    rules = load_rules()
    assert WANTED <= {r["alert"] for r in rules}
    for rule in rules:
        assert rule["annotations"]["summary"], rule["alert"]
        names = set(_METRIC.findall(rule["expr"]))
        assert names, f"{rule['alert']} uses no newsbot metric"
        assert names <= set(METRIC_NAMES), f"{rule['alert']}: unknown {names - set(METRIC_NAMES)}"


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool is not installed")
@pytest.mark.parametrize(
    "command", [["check", "rules", RULES.name], ["test", "rules", "newsbot-alerts.test.yml"]]
)
def test_promtool_accepts_the_rules(command):
    proc = subprocess.run(
        ["promtool", *command], cwd=RULES.parent, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
