"""XPath selectors in the form libxml2 evaluates fastest, with the same results.

``//h1[@class='x']`` abbreviates ``/descendant-or-self::node()/child::h1[...]``: libxml2
first collects every node of the page (text nodes too), then the ``h1`` children of
each. It rewrites the abbreviation to one walk of the descendants itself, but only for
a step without predicates, and a layout's selectors almost always have one (the class
test). ``/descendant::h1[...]`` selects the same nodes whenever the step's predicates
are true/false tests; a predicate that is a number (``[1]``, ``[last()]``, ``[$n]``)
means a position among the siblings and is why the two forms differ. The rewrite here
is made only where no predicate of the step can be a number, on the tokens of the
expression (string literals are never touched), and is cached as a string: each call
still evaluates its own expression (no compiled XPath object is shared between calls
or threads, see ``newsbot.sites.layout``).

The selectors layouts are written in mostly need no XPath at all: a union of chains of
``//tag[has_class(w)]`` steps, with ``[@attr]``, ``[not(ancestor::tag)]`` and
``[ancestor::tag[has_class(w)]]`` tests and the ``(//a | //b)[...]`` group, is read by
:func:`walk_plan` / :func:`walk_select` with lxml's tag iterators (C-level; only the
elements of the step's tags reach Python) and a test of the class words, which selects
the same elements in the same (document) order. libxml2 evaluates such a predicate
through a node-set and a string per candidate element, several times the cost of the
walk. The plan is cached as tuples of strings only; each call walks on its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any, NamedTuple

from lxml import etree

__all__ = [
    "ClassCache",
    "WalkPlan",
    "class_of",
    "descendant_form",
    "has_class",
    "has_word",
    "walk_plan",
    "walk_select",
]

_TOKEN = re.compile(
    r"""
    (?P<literal>"[^"]*"|'[^']*')
  | (?P<number>\d+(?:\.\d*)?|\.\d+)
  | (?P<dslash>//)
  | (?P<axis>[^\W\d][\w.-]*\s*::)
  | (?P<name>(?:[^\W\d][\w.-]*:)?(?:[^\W\d][\w.-]*|\*))
  | (?P<star>\*)
  | (?P<space>\s+)
  | (?P<other>\.\.|!=|<=|>=|[/\[\]()@,.|=<>+$-])
    """,
    re.VERBOSE,
)
#: Functions whose value is never a number: a predicate calling only these (and
#: comparing, and combining with and/or) is a true/false test.
_NOT_NUMBERS = frozenset(
    {
        "boolean",
        "concat",
        "contains",
        "false",
        "lang",
        "local-name",
        "name",
        "namespace-uri",
        "normalize-space",
        "not",
        "starts-with",
        "string",
        "substring-after",
        "substring-before",
        "translate",
        "true",
    }
)
_NODE_TYPES = frozenset({"node", "text", "comment", "processing-instruction"})
#: Tokens after which a name is a name test and ``*`` a wildcard (XPath 1.0, 3.7).
_BEFORE_OPERAND = frozenset({"@", "(", "[", ",", "/", "//", "|", "+", "-", "=", "!=", "<"})
_BEFORE_OPERAND |= {"<=", ">", ">="}
_OPERATOR_NAMES = frozenset({"and", "or", "div", "mod"})


def _tokens(expr: str) -> list[tuple[str, str]] | None:
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(expr):
        m = _TOKEN.match(expr, pos)
        if m is None:
            return None  # something this reader does not know: leave the expression alone
        out.append((m.lastgroup or "", m.group()))
        pos = m.end()
    return out


def _roles(tokens: list[tuple[str, str]]) -> list[str]:
    """Each token's role: ``operator`` for ``*`` and and/or/div/mod used as operators
    (the disambiguation rule of XPath 1.0, section 3.7), else its kind."""
    roles: list[str] = []
    prev: tuple[str, str, str] | None = None  # kind, text, role of the previous token
    for kind, text in tokens:
        role = kind
        if kind in ("name", "star") and prev is not None:
            p_kind, p_text, p_role = prev
            if p_role != "operator" and p_kind != "axis" and p_text not in _BEFORE_OPERAND:
                role = "operator"
        roles.append(role)
        if kind != "space":
            prev = (kind, text, role)
    return roles


def _never_a_number(tokens: list[tuple[str, str]], roles: list[str], start: int, end: int) -> bool:
    """Can the predicate between tokens ``start`` and ``end`` never evaluate to a number?"""
    for i in range(start, end):
        kind, text = tokens[i]
        role = roles[i]
        if kind == "number" or text in ("$", "+", "-"):
            return False
        if role == "operator" and text not in ("and", "or"):
            return False  # * div mod
        if kind == "name" and role != "operator":
            following = next((t for k, t in tokens[i + 1 : end] if k != "space"), None)
            if following == "(" and text not in _NOT_NUMBERS and text not in _NODE_TYPES:
                return False
    return True


@lru_cache(maxsize=4096)
def descendant_form(expr: str) -> str:
    """``expr`` with each ``//step[...]`` whose predicates are true/false tests written
    as ``/descendant::step[...]`` (same nodes, one walk); anything else as it was."""
    if "//" not in expr:
        return expr
    tokens = _tokens(expr)
    if tokens is None:
        return expr
    roles = _roles(tokens)
    closing: dict[int, int] = {}
    open_at: list[int] = []
    for i, (_, text) in enumerate(tokens):
        if text == "[":
            open_at.append(i)
        elif text == "]":
            if not open_at:
                return expr
            closing[open_at.pop()] = i
    if open_at:
        return expr
    significant = [i for i, (kind, _) in enumerate(tokens) if kind != "space"]
    after = {a: b for a, b in zip(significant, significant[1:], strict=False)}
    out = [text for _, text in tokens]
    for i, (kind, _) in enumerate(tokens):
        if kind != "dslash" or i not in after:
            continue
        j = after[i]
        step_kind, step_text = tokens[j]
        if step_kind not in ("name", "star"):
            continue  # //@attr, //., an explicit axis: left as written
        if step_kind == "name" and step_text in _NODE_TYPES:
            # text(), node(), processing-instruction('x'): the test ends at its ")".
            close = next((m for m in significant if m > j and tokens[m][1] == ")"), None)
            if close is None:
                continue
            j = close
        k = after.get(j)
        safe = True
        while k is not None and tokens[k][1] == "[":
            if not _never_a_number(tokens, roles, k + 1, closing[k]):
                safe = False
                break
            k = after.get(closing[k])
        if safe:
            out[i] = "/descendant::"
    return "".join(out)


# --- selectors read without XPath ----------------------------------------------------


def has_class(name: str) -> str:
    """XPath predicate: the element's ``class`` attribute holds the word ``name``."""
    # The plain contains() first: a cheap test that rules out almost every element
    # before the exact word test builds its string.
    return (
        f"contains(@class, '{name}') and "
        f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"
    )


#: What XPath's normalize-space() counts as white space: a class attribute's word separators
#: for has_class (Python's str.split() would split on NBSP and friends too).
_XML_SPACE_CHARS = " \t\r\n"


#: The ``class`` of each element read so far on one page: reading an attribute costs lxml
#: about 1,600 instructions, a lookup here a tenth of that, and a layout's selectors,
#: not-body pass and body walker read the same elements' classes several times. Made
#: per page by whoever reads it (never shared between pages or threads); an element is
#: its key, which also keeps lxml handing out the same Python object for it.
ClassCache = dict[Any, "str | None"]
_UNREAD = object()


def class_of(el: Any, cache: ClassCache | None) -> str | None:
    """``el.get("class")``, read once per element into ``cache`` (when given)."""
    if cache is None:
        return el.get("class")
    classes = cache.get(el, _UNREAD)
    if classes is _UNREAD:
        classes = cache[el] = el.get("class")
    return classes  # type: ignore[return-value]


def has_word(classes: str | None, word: str) -> bool:
    """Is ``word`` one of the words of a ``class`` attribute value (as :func:`has_class`
    tests it)? ``word`` holds no white space (a class name).

    Each place ``word`` occurs is tested for white space or an end on both sides, which
    is what ``' word '`` inside ``concat(' ', normalize-space(@class), ' ')`` means. No
    regex split: splitting a class attribute cost thousands of instructions, and the
    layouts test the words of a few hundred elements a page (most fail at the first
    ``find``)."""
    if classes is None:
        return False
    at = classes.find(word)
    while at >= 0:
        end = at + len(word)
        if (at == 0 or classes[at - 1] in _XML_SPACE_CHARS) and (
            end == len(classes) or classes[end] in _XML_SPACE_CHARS
        ):
            return True
        at = classes.find(word, at + 1)
    return False


class _Step(NamedTuple):
    """One ``//tags[...]`` step: the element's tag (any element when ``tags`` is empty)
    and the tests of its predicates, all of which must hold."""

    tags: tuple[str, ...]
    #: has_class words
    words: tuple[str, ...] = ()
    #: ``[@attr]``: attributes present
    attrs: tuple[str, ...] = ()
    #: ``[not(ancestor::tag)]``
    not_under: tuple[str, ...] = ()
    #: ``[ancestor::tag[has_class(word)]]``
    under: tuple[tuple[str, str], ...] = ()


class WalkPlan(NamedTuple):
    """A selector as :func:`walk_select` reads it: branches of a union, each a chain of
    descendant steps from the document (``//``) or from the context node (``.//``)."""

    relative: bool
    branches: tuple[tuple[_Step, ...], ...]


_NAME = r"[a-z][a-z0-9]*"
_CLASS_TEST = re.compile(
    r"contains\(@class, '([^'\s]+)'\) and contains\(concat\(' ', "
    r"normalize-space\(@class\), ' '\), ' \1 '\)"
)
_PREDICATE = re.compile(
    rf"\[(?:{_CLASS_TEST.pattern}|@(?P<attr>{_NAME})|not\(ancestor::(?P<not_under>{_NAME})\)"
    rf"|ancestor::(?P<under>{_NAME})\[contains\(@class, '(?P<uw>[^'\s]+)'\) and "
    r"contains\(concat\(' ', normalize-space\(@class\), ' '\), ' (?P=uw) '\)\])\]"
)
_STEP = re.compile(rf"//(?P<tag>{_NAME}|\*)")
_GROUP = re.compile(rf"\(//({_NAME})((?: \| //{_NAME})*)\)")


def _predicates(expr: str, pos: int, tags: tuple[str, ...]) -> tuple[_Step, int]:
    words: list[str] = []
    attrs: list[str] = []
    not_under: list[str] = []
    under: list[tuple[str, str]] = []
    while (m := _PREDICATE.match(expr, pos)) is not None:
        if m[1]:
            words.append(m[1])
        elif m["attr"]:
            attrs.append(m["attr"])
        elif m["not_under"]:
            not_under.append(m["not_under"])
        else:
            under.append((m["under"], m["uw"]))
        pos = m.end()
    return _Step(tags, tuple(words), tuple(attrs), tuple(not_under), tuple(under)), pos


def _branches(expr: str) -> list[str]:
    """``expr`` split at its top-level ``|`` (not inside brackets, parentheses or quotes)."""
    parts: list[str] = []
    depth, start, quote = 0, 0, ""
    for i, ch in enumerate(expr):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(expr[start:i].strip())
            start = i + 1
    parts.append(expr[start:].strip())
    return parts


def _chain(branch: str) -> tuple[bool, tuple[_Step, ...]] | None:
    relative = branch.startswith(".//")
    pos = 1 if relative else 0
    steps: list[_Step] = []
    if not relative and (g := _GROUP.match(branch)):
        # (//a | //b)[...]: the union's elements in page order, then the predicates,
        # which is one step over both tags.
        tags = (g[1], *(t.strip(" |/") for t in g[2].split("|") if t.strip(" |/")))
        step, pos = _predicates(branch, g.end(), tags)
        steps.append(step)
    while pos < len(branch):
        m = _STEP.match(branch, pos)
        if m is None:
            return None
        tags = () if m["tag"] == "*" else (m["tag"],)
        step, pos = _predicates(branch, m.end(), tags)
        steps.append(step)
    return (relative, tuple(steps)) if steps else None


@lru_cache(maxsize=1024)
def walk_plan(expr: str) -> WalkPlan | None:
    """The plan reading ``expr`` without XPath, or None when ``expr`` is not of the
    subset described in the module doc (then XPath reads it)."""
    chains = [_chain(b) for b in _branches(expr)]
    if not chains or any(c is None for c in chains):
        return None
    relative = {c[0] for c in chains if c is not None}
    if len(relative) != 1:
        return None
    return WalkPlan(relative.pop(), tuple(c[1] for c in chains if c is not None))


def _matches(el: Any, step: _Step) -> bool:
    if step.words:
        classes = el.get("class")
        if classes is None:
            return False
        for word in step.words:
            if not has_word(classes, word):
                return False
    for attr in step.attrs:
        if el.get(attr) is None:
            return False
    for tag in step.not_under:
        if next(el.iterancestors(tag), None) is not None:
            return False
    for tag, word in step.under:
        if not any(has_word(a.get("class"), word) for a in el.iterancestors(tag)):
            return False
    return True


def _filter(elements: Iterator[Any], step: _Step, cache: ClassCache | None) -> list[Any]:
    """The ``elements`` ``step``'s predicates hold for. Its first class word is tested
    inline (one attribute read per element, or a ``cache`` lookup), the rest only on
    elements that have it."""
    words = step.words
    rest = step.attrs or step.not_under or step.under or len(words) > 1
    if not words:
        return [el for el in elements if _matches(el, step)] if rest else list(elements)
    word = words[0]
    out = []
    for el in elements:
        if cache is None:
            classes = el.get("class")
        else:
            classes = cache.get(el, _UNREAD)
            if classes is _UNREAD:
                classes = cache[el] = el.get("class")
        if (
            classes is not None
            and word in classes
            and (classes == word or has_word(classes, word))
            and (not rest or _matches(el, step))
        ):
            out.append(el)
    return out


def _candidates(node: Any, relative: bool, tags: tuple[str, ...]) -> Iterator[Any]:
    """Elements of ``tags`` (any element when empty) below ``node`` (``.//``) or in
    its whole document (``//``), in page order."""
    selector: tuple[Any, ...] = tags or (etree.Element,)
    if relative:
        return node.iterdescendants(*selector)
    return node.getroottree().iter(*selector)


def walk_select(node: Any, plan: WalkPlan, cache: ClassCache | None = None) -> list[Any]:
    """The elements ``plan`` selects from ``node``, in page order, each once (classes
    read through ``cache`` when given, see :data:`ClassCache`)."""
    branches = plan.branches
    if len(branches) == 1:
        return _walk_chain(node, plan.relative, branches[0], cache)
    steps = [chain[0] for chain in branches]
    if all(len(chain) == 1 for chain in branches) and all(s[1:] == steps[0][1:] for s in steps):
        # The same predicates on each tag (``//h2[c] | //p[c]``): one step, one walk.
        tags = () if any(not s.tags for s in steps) else tuple(t for s in steps for t in s.tags)
        step = steps[0]._replace(tags=tuple(dict.fromkeys(tags)))
        return _filter(_candidates(node, plan.relative, step.tags), step, cache)
    found = [_walk_chain(node, plan.relative, chain, cache) for chain in branches]
    nonempty = [f for f in found if f]
    if len(nonempty) <= 1:
        return nonempty[0] if nonempty else []
    # Several branches found elements: their union in page order.
    members = {el for f in nonempty for el in f}
    last = [chain[-1] for chain in branches]
    tags = () if any(not s.tags for s in last) else tuple({t for s in last for t in s.tags})
    return [el for el in _candidates(node, plan.relative, tags) if el in members]


def _walk_chain(
    node: Any, relative: bool, chain: tuple[_Step, ...], cache: ClassCache | None
) -> list[Any]:
    """``//s1//s2...`` from ``node``: the descendants of each step's elements matching
    the next step. The contexts are in page order, so one nested in an earlier one only
    finds what that one found: its elements are skipped as seen, and the result stays
    in page order."""
    current = _filter(_candidates(node, relative, chain[0].tags), chain[0], cache)
    for step in chain[1:]:
        if len(current) == 1:
            below = current[0].iterdescendants(*(step.tags or (etree.Element,)))
            current = _filter(below, step, cache)
            continue
        found: list[Any] = []
        seen: set[Any] = set()
        for context in current:
            below = context.iterdescendants(*(step.tags or (etree.Element,)))
            for el in _filter(below, step, cache):
                if el not in seen:
                    seen.add(el)
                    found.append(el)
        current = found
    return current
