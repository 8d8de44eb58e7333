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
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["descendant_form"]

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
