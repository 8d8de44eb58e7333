"""The shipped alert rules: valid, and naming only metrics newsbot exports.

Two checks of validity, both run by ``make test``: promtool's own (``check rules`` and
the rule unit tests), with the promtool the Makefile unpacks from Debian's prometheus
package into the venv, and a check without it that parses every expression with a
PromQL parser (promql-parser, the dev extra) and holds the file to Prometheus's rule
format: groups and names, durations, label names, template braces.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from newsbot.metrics import METRIC_NAMES
from tests.ops.rules import RULES, load_rules
from tests.services import skip_or_fail

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


def promtool() -> str | None:
    """promtool on PATH, or the one ``make`` put next to this Python (the venv)."""
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    return shutil.which("promtool", path=path)


@pytest.mark.parametrize(
    "command", [["check", "rules", RULES.name], ["test", "rules", "newsbot-alerts.test.yml"]]
)
def test_promtool_accepts_the_rules(command):
    tool = promtool()
    if tool is None:
        skip_or_fail("promtool is not installed (`make test` unpacks it where apt works)")
    proc = subprocess.run(
        [tool, *command], cwd=RULES.parent, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


_LABEL = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
_RULE_KEYS = {"alert", "expr", "for", "keep_firing_for", "labels", "annotations"}


def rule_problems(doc: object) -> list[str]:
    """What keeps a rules file from loading into Prometheus, one line each (what the
    parser can tell without promtool)."""
    import promql_parser

    problems: list[str] = []
    if not isinstance(doc, dict) or set(doc) != {"groups"}:
        return ["the file must hold one key, groups"]
    names = [g.get("name") for g in doc["groups"]]
    if len(names) != len(set(names)) or not all(isinstance(n, str) and n for n in names):
        problems.append(f"group names must be unique and set: {names}")
    for group in doc["groups"]:
        if "interval" in group:
            try:
                promql_parser.parse_duration(str(group["interval"]))
            except ValueError as exc:
                problems.append(f"group {group.get('name')}: interval: {exc}")
        for rule in group.get("rules") or []:
            name = rule.get("alert") or rule.get("record") or "?"
            if set(rule) - _RULE_KEYS:
                problems.append(f"{name}: unknown keys {sorted(set(rule) - _RULE_KEYS)}")
            if not isinstance(rule.get("alert"), str) or not _LABEL.match(rule["alert"]):
                problems.append(f"{name}: alert must be a metric-like name")
            try:
                expr = promql_parser.parse(str(rule.get("expr", "")))
            except ValueError as exc:
                problems.append(f"{name}: expr: {exc}")
            else:
                if isinstance(expr, promql_parser.StringLiteral):
                    problems.append(f"{name}: expr is a string, not a vector or scalar")
            for key in ("for", "keep_firing_for"):
                if key in rule:
                    try:
                        promql_parser.parse_duration(str(rule[key]))
                    except ValueError as exc:
                        problems.append(f"{name}: {key}: {exc}")
            for key in ("labels", "annotations"):
                block = rule.get(key) or {}
                if not isinstance(block, dict):
                    problems.append(f"{name}: {key} must be a map")
                    continue
                for label, value in block.items():
                    if not _LABEL.match(str(label)) or str(label).startswith("__"):
                        problems.append(f"{name}: {key}: bad name {label!r}")
                    if not isinstance(value, str):
                        problems.append(f"{name}: {key}.{label}: must be a string")
                    elif value.count("{{") != value.count("}}"):
                        problems.append(f"{name}: {key}.{label}: unbalanced template braces")
    return problems


def test_rules_file_is_valid_prometheus_rules():
    doc = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    assert rule_problems(doc) == []


def test_rule_check_finds_what_prometheus_would_reject():
    good = {"alert": "A", "expr": "newsbot_run_success == 0", "for": "5m"}
    broken = [
        {**good, "expr": "newsbot_run_success{ == 0"},  # PromQL syntax
        {**good, "expr": "sum by (site (newsbot_run_requests)"},  # unbalanced
        {**good, "expr": '"down"'},  # a string is no rule result
        {**good, "for": "5 minutes"},  # not a Prometheus duration
        {**good, "labels": {"severity": 3}},  # label values are strings
        {**good, "labels": {"bad-name": "x"}},
        {**good, "annotations": {"summary": "{{ $labels.site }"}},
        {**good, "expresion": "typo"},
    ]
    assert rule_problems({"groups": [{"name": "g", "rules": [good]}]}) == []
    for rule in broken:
        assert rule_problems({"groups": [{"name": "g", "rules": [rule]}]}), rule
    assert rule_problems({"groups": [{"name": "g", "rules": []}, {"name": "g", "rules": []}]})
