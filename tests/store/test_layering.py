"""store/ imports point one way: no cycles, nothing above it (pipelines, feeds, ...).

Read from the source with :mod:`ast`, so imports under ``TYPE_CHECKING`` and inside
functions count too: a cycle hidden in either is still a cycle to a reader.
"""

from __future__ import annotations

import ast
from pathlib import Path

import newsbot.store

PACKAGE = Path(newsbot.store.__file__).parent
#: What the store may import of newsbot besides itself (it sits above extract/record).
ALLOWED_OUTSIDE = ("newsbot.record", "newsbot.extract")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            # "from newsbot.store import schema" imports the module newsbot.store.schema.
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name.startswith("newsbot")}


def _graph() -> dict[str, set[str]]:
    modules = {
        f"newsbot.store.{p.stem}" if p.stem != "__init__" else "newsbot.store": p
        for p in PACKAGE.glob("*.py")
    }
    return {name: {m for m in _imports(path) if m in modules} for name, path in modules.items()}


def test_store_modules_import_nothing_above_the_store():
    for path in PACKAGE.glob("*.py"):
        for name in _imports(path):
            if name.startswith("newsbot.store"):
                continue
            assert name.startswith(ALLOWED_OUTSIDE), f"{path.name} imports {name}"


def test_store_has_no_import_cycles():
    # The package's __init__ only re-exports; it is left out so its re-exports don't
    # read as every module importing every other.
    graph = {k: v - {"newsbot.store"} for k, v in _graph().items() if k != "newsbot.store"}
    state: dict[str, str] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                cycle = trail[trail.index(nxt) :] + [nxt] if nxt in trail else [node, nxt]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert "newsbot.store.store" in graph and graph["newsbot.store.dedup"] == set()
