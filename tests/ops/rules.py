"""Reading the shipped alert rules in tests: the file, one rule, and a tiny evaluator.

The evaluator understands only ``metric{matchers} OP number`` and
``metric{matchers} OP number * other{matchers}`` (one-to-one on identical labels):
what the threshold alerts need, so a test can show from a metrics file alone that an
alert's condition holds. promtool checks the full syntax where it is installed.
"""

from __future__ import annotations

import operator
import re
from pathlib import Path
from typing import Any

import yaml

RULES = Path(__file__).resolve().parents[2] / "deploy" / "prometheus" / "newsbot-alerts.yml"

_THRESHOLD = re.compile(
    r"^\s*(?P<name>[a-z_:][a-z0-9_:]*)(?:\{(?P<matchers>[^}]*)\})?\s*"
    r"(?P<op><=|>=|==|!=|<|>)\s*(?P<value>[0-9.]+)\s*"
    r"(?:\*\s*(?P<other>[a-z_:][a-z0-9_:]*)(?:\{(?P<other_matchers>[^}]*)\})?)?\s*$"
)
_MATCHER = re.compile(r'\s*(?P<label>\w+)\s*(?P<op>=~|!~|!=|=)\s*"(?P<value>[^"]*)"\s*,?')
_OPS = {
    "<": operator.lt,
    ">": operator.gt,
    "<=": operator.le,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}


def load_rules() -> list[dict[str, Any]]:
    doc = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    return [rule for group in doc["groups"] for rule in group["rules"]]


def alert_rule(name: str) -> dict[str, Any]:
    (rule,) = [r for r in load_rules() if r.get("alert") == name]
    return rule


def evaluate_threshold(
    expr: str, samples: list[tuple[str, dict[str, str], float]]
) -> list[tuple[dict[str, str], float]]:
    """The samples for which ``expr`` (one metric, matchers, a comparison) holds."""
    match = _THRESHOLD.match(expr)
    if match is None:
        raise ValueError(f"not a single-metric threshold: {expr!r}")

    def selector(matchers: str | None) -> Any:
        parsed = [m.groupdict() for m in _MATCHER.finditer(matchers or "")]

        def selected(labels: dict[str, str]) -> bool:
            for m in parsed:
                have = labels.get(m["label"], "")
                full = re.fullmatch(m["value"], have) is not None
                ok = {"=": have == m["value"], "!=": have != m["value"], "=~": full, "!~": not full}
                if not ok[m["op"]]:
                    return False
            return True

        return selected

    compare, factor = _OPS[match["op"]], float(match["value"])
    left = selector(match["matchers"])
    if match["other"]:
        right = selector(match["other_matchers"])
        others = {
            tuple(sorted(labels.items())): value
            for name, labels, value in samples
            if name == match["other"] and right(labels)
        }
    out = []
    for name, labels, value in samples:
        if name != match["name"] or not left(labels):
            continue
        if match["other"]:
            other = others.get(tuple(sorted(labels.items())))
            if other is None:
                continue  # no series on the right: PromQL drops the sample too
            threshold = factor * other
        else:
            threshold = factor
        if compare(value, threshold):
            out.append((labels, value))
    return out
