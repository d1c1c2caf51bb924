"""The apps import each other one way: no cycle among module-level imports.

An import inside a function (a later stage read by an earlier one, on purpose and rarely) is not
counted; module-level imports, including those of `if` and `try` blocks at the top, are, except
under `if TYPE_CHECKING:` (annotations only). docs/architecture.md draws the resulting order.

core/ is two layers and counted as two nodes: its helpers (access policy, CSV and JSON safety,
navigation tag) import no app, so accounts and audit build on them; its API and middleware
plumbing (CORE_PLUMBING) builds on accounts and audit in turn.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APPS = (
    "config",
    "core",
    "accounts",
    "audit",
    "ads",
    "analytics",
    "maps",
    "cases",
    "partners",
    "api",
    "demo",
)


CORE_PLUMBING = ("core.api", "core.viewsets", "core.middleware")
NODES = (*APPS, "core.plumbing")


def node_of(module: str) -> str | None:
    """The graph node of a dotted module name, or None outside the apps."""
    if any(module == m or module.startswith(f"{m}.") for m in CORE_PLUMBING):
        return "core.plumbing"
    top = module.split(".", 1)[0]
    return top if top in APPS else None


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _module_level_imports(tree: ast.Module, package: str = "") -> list[str]:
    """Dotted names imported at module level; relative imports resolved against `package`."""
    found: list[str] = []

    def walk(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.Import):
                found.extend(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.append(node.module)
            elif isinstance(node, ast.ImportFrom) and package:
                parts = package.split(".")
                base = parts[: len(parts) - node.level + 1]
                found.append(".".join([*base, node.module] if node.module else base))
            elif isinstance(node, ast.If) and not _is_type_checking(node):
                walk(node.body)
                walk(node.orelse)
            elif isinstance(node, ast.Try):
                walk(node.body)
                for handler in node.handlers:
                    walk(handler.body)
                walk(node.orelse)
                walk(node.finalbody)

    walk(tree.body)
    return found


def app_graph() -> dict[str, set[str]]:
    """node -> the other nodes its modules import at module level (tests and migrations aside)."""
    graph: dict[str, set[str]] = {node: set() for node in NODES}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            dotted = ".".join(parts).removesuffix(".__init__")
            package = dotted if path.name == "__init__.py" else ".".join(parts[:-1])
            source = node_of(dotted)
            assert source is not None
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for module in _module_level_imports(tree, package):
                target = node_of(module)
                if target is not None and target != source:
                    graph[source].add(target)
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_function_local_and_type_checking_imports_are_not_counted():
    tree = ast.parse(
        "import ads.models\n"
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from cases.models import Case\n"
        "try:\n    import maps.models\nexcept ImportError:\n    pass\n"
        "from .selectors import x\n"
        "def f():\n    from api import urls\n"
    )
    found = _module_level_imports(tree, "cases.views")
    assert found == ["ads.models", "typing", "maps.models", "cases.views.selectors"]


def test_the_apps_import_each_other_without_a_cycle():
    graph = app_graph()
    assert graph["cases"], "the graph reads the real apps"
    assert _cycle(graph) is None, f"import cycle between apps: {' -> '.join(_cycle(graph) or [])}"


def test_nothing_below_imports_the_api_or_the_wiring():
    graph = app_graph()
    for node, targets in graph.items():
        if node not in {"config", "api"}:
            assert "api" not in targets, node
        if node != "config":
            assert "config" not in targets, node


def test_core_helpers_import_no_app():
    assert app_graph()["core"] == set()


def test_every_app_says_its_job_in_its_package_docstring():
    for app in APPS:
        tree = ast.parse((ROOT / app / "__init__.py").read_text(encoding="utf-8"))
        assert len(ast.get_docstring(tree) or "") > 40, app
