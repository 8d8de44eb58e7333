"""newsbot.extract.xpath: ``//step[...]`` rewritten as ``/descendant::step[...]`` only
where both select the same nodes (the predicates are true/false tests)."""

from __future__ import annotations

import random

import lxml.html
import pytest

from newsbot.extract.xpath import descendant_form

HAS_X = "contains(concat(' ', normalize-space(@class), ' '), ' x ')"

# fmt: off
REWRITTEN = [
    (f"//div[{HAS_X}]", f"/descendant::div[{HAS_X}]"),
    (".//img", "./descendant::img"),
    ("//li//a", "/descendant::li/descendant::a"),
    ("//a[@href][normalize-space()]", "/descendant::a[@href][normalize-space()]"),
    ("//*[self::article or self::div]", "/descendant::*[self::article or self::div]"),
    ("//div[not(ancestor::aside)]/@class", "/descendant::div[not(ancestor::aside)]/@class"),
    ("//p[@class='1']", "/descendant::p[@class='1']"),  # a digit in a string is no number
    ("//text()", "/descendant::text()"),
]
# A predicate that may be a number is a position among siblings: left as written.
KEPT = [
    "//div[1]", "//p[last()]", "//a[position()=2]", "//div[count(p)]", "//div[@class][2]",
    "//div[.//a[1]]", "//text()[1]", "//div[$n]", "//div[@a * @b]", "//div[@a div @b]",
    "//div[string-length(@class)]", "//div[re:test(@class, 'x')]", "//@href", "/html/body",
    "//processing-instruction('x')[1]", "//div[@class='a'",  # unbalanced: not ours to fix
]
# fmt: on


@pytest.mark.parametrize(("expr", "fast"), REWRITTEN)
def test_rewritten(expr: str, fast: str):
    assert descendant_form(expr) == fast


@pytest.mark.parametrize("expr", KEPT)
def test_positional_or_unknown_kept(expr: str):
    assert descendant_form(expr) == expr


def test_both_forms_select_the_same_nodes_on_random_pages():
    rng = random.Random(7)
    tags = ["div", "p", "span", "a", "li", "ul", "img", "article"]

    def markup(depth: int = 0) -> str:
        out = []
        for _ in range(rng.randrange(0, 4 if depth < 5 else 1)):
            tag = rng.choice(tags)
            cls = f' class="{rng.choice(["x", "y", "x y", "xy"])}"' if rng.random() < 0.6 else ""
            href = ' href="/a"' if rng.random() < 0.3 else ""
            out.append(f"<{tag}{cls}{href}>t{markup(depth + 1)}</{tag}>tail")
        return "".join(out)

    exprs = [e for e, _ in REWRITTEN] + [
        f"//div[{HAS_X}][.//*[normalize-space(.)='t']]//a[@href]",
        "//ul/li[1]//a",
        "(//a)[1]",
        "//div | //p[1] | //span",
    ]
    changed = 0
    for _ in range(150):
        doc = lxml.html.document_fromstring(f"<html><body>{markup()}</body></html>")
        for node in [doc, *list(doc.iter())[::5]]:
            for expr in exprs:
                fast = descendant_form(expr)
                changed += fast != expr
                assert node.xpath(fast) == node.xpath(expr), expr
    assert changed  # the test compared rewritten forms, not only untouched ones


@pytest.mark.parametrize(
    "expr",
    [
        "//ul/li",  # a child step: left to XPath
        "//div[1]",
        "//a/@href",
        "//div[contains(@class, 'x')]",  # not has_class's exact text
        "//h1 | ./p",  # absolute and relative branches
        "//div[@class='x']",
    ],
)
def test_walk_plan_leaves_other_selectors_to_xpath(expr: str):
    from newsbot.extract.xpath import walk_plan

    assert walk_plan(expr) is None


def test_has_word_is_has_class_on_random_class_attributes():
    """has_word (a find per occurrence) against XPath's has_class on the same values."""
    from lxml import etree

    from newsbot.extract.xpath import has_class, has_word

    rng = random.Random(11)
    pieces = ["a", "b", "ab", "a-b", "-", "_", " ", "  ", "\t", "\n", "\r", "\u3000", "\xa0", "é"]
    words = ["a", "b", "ab", "a-b", "é"]
    for _ in range(3000):
        classes = "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 7)))
        el = etree.Element("div")
        el.set("class", classes)
        for word in words:
            assert has_word(classes, word) is el.xpath(f"boolean(self::*[{has_class(word)}])"), (
                classes,
                word,
            )
    assert has_word(None, "a") is False
