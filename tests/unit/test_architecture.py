"""The product's import graph, read from its source with ``ast`` (nothing is imported or run).

Every import counts: at the top of a file, inside a function (a lazy import is still a dependency)
and under ``TYPE_CHECKING``. An import names the module it reaches, ``from package import module``
the module itself. The rules: no circle between modules; the two entrypoints (the CLI in scripts/,
the server in web/) apart but for ``serve`` starting the app; the model beneath everything else;
nothing of bench/ or tests/, which a wheel does not hold.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("domain", "projections", "consumers", "notifications", "scripts", "web")
SERVE_STARTS_THE_APP = {("scripts.server_commands", "web.app"), ("scripts.server_commands", "web.settings"),
                        ("scripts.server_commands", "web.serving")}
# what a package may never import: the model knows no reader or entrypoint, the readers no entrypoint
BENEATH = {
    "domain": {"projections", "consumers", "notifications", "scripts", "web"},
    "projections": {"consumers", "notifications", "scripts", "web"},
    "consumers": {"projections", "notifications", "scripts", "web"},
    # delivery of signals reads the model and the views; the entrypoints run it, never the other way round
    "notifications": {"consumers", "scripts", "web"},
}
NOT_PACKAGED = {"bench", "tests"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    return {module_name(path): path for package in PRODUCT for path in sorted((ROOT / package).rglob("*.py"))}


def imported_names(module: str, path: Path) -> Iterator[str]:
    """Every module this file imports, relative imports resolved: ``from a import b`` is ``a.b`` when that
    is a module, else ``a`` (b is a name defined there)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                yield f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules() else base


def target(name: str) -> str | None:
    """The product module an imported name is (or lives in: its longest module prefix), or None outside it."""
    known = modules()
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


@cache
def graph() -> dict[str, set[str]]:
    """Each product module and the product modules it imports."""
    return {module: {t for t in map(target, imported_names(module, path)) if t is not None and t != module}
            for module, path in modules().items()}


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_graph_is_read_from_the_whole_product() -> None:
    edges = graph()
    assert {m.split(".")[0] for m in edges} == set(PRODUCT)
    assert "web.app" in edges["scripts.server_commands"]  # a function-level import is seen
    assert {"projections.rendering.charts", "web.templating"} <= edges["web.team_page"]  # `from a import b`, both ways


def test_the_circle_finder_finds_circles() -> None:
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_no_import_circle_in_the_product() -> None:
    found = circles(graph())
    assert found == [], f"modules that import each other (directly or around a circle): {found}"


def test_the_cli_and_the_server_import_each_other_only_for_serve() -> None:
    crossing = {(module, reached) for module, targets in graph().items() for reached in targets
                if {module.split(".")[0], reached.split(".")[0]} == {"scripts", "web"}}
    assert crossing <= SERVE_STARTS_THE_APP, sorted(crossing - SERVE_STARTS_THE_APP)


def test_the_model_and_the_readers_import_no_entrypoint() -> None:
    upward = sorted((module, reached) for module, targets in graph().items() for reached in targets
                    if reached.split(".")[0] in BENEATH.get(module.split(".")[0], set()))
    assert upward == []


def test_the_product_imports_nothing_a_wheel_does_not_hold() -> None:
    unpackaged = sorted((module, name) for module, path in modules().items()
                        for name in imported_names(module, path) if name.split(".")[0] in NOT_PACKAGED)
    assert unpackaged == []
