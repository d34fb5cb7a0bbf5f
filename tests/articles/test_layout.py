"""The layout of the articles app, read from its source (``ast``): imports go
one way, and none hides inside a function to dodge a circle (issue 17)."""

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "articles"

# Imports inside a function, each with the documented reason it is there.
FUNCTION_IMPORTS_ALLOWED = {
    # Django's app loading: receivers, checks and the page cache's version
    # functions are wired once every app's models are ready (AppConfig.ready).
    ("articles.apps", "ready"): "Django's app loading",
}


def module_name(path):
    parts = path.relative_to(APP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules():
    """{module name: parsed tree} for every module of the app but its migrations
    (frozen history: each keeps what it imported when it was written)."""
    return {
        module_name(path): ast.parse(path.read_text(), filename=str(path))
        for path in sorted(APP.rglob("*.py"))
        if "migrations" not in path.parts
    }


def is_package(name):
    return (APP.parent / name.replace(".", "/") / "__init__.py").exists()


def imported(name, node, known):
    """The modules of the app an import statement in module ``name`` loads."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names if alias.name in known}
    if node.level:
        package = name if is_package(name) else name.rpartition(".")[0]
        for _ in range(node.level - 1):
            package = package.rpartition(".")[0]
        base = f"{package}.{node.module}" if node.module else package
    else:
        base = node.module or ""
    found = set()
    for alias in node.names:
        if f"{base}.{alias.name}" in known:  # a module: from . import search
            found.add(f"{base}.{alias.name}")
        elif base in known:  # a name defined in (or re-exported by) base
            found.add(base)
    return found


def import_graph():
    trees = modules()
    graph = {}
    for name, tree in trees.items():
        edges = set()
        for node in tree.body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                edges |= imported(name, node, trees)
        # A submodule's own package is loaded first by Python, not by choice.
        graph[name] = {edge for edge in edges if edge != name and not name.startswith(edge + ".")}
    return graph


def cycles(graph):
    """The strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for edge in graph.get(node, ()):
            if edge not in index:
                visit(edge)
                low[node] = min(low[node], low[edge])
            elif edge in on_stack:
                low[node] = min(low[node], index[edge])
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

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def function_imports():
    """(module, function, line) of every import inside a function."""
    found = []
    for name, tree in modules().items():
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.Import | ast.ImportFrom):
                    found.append((name, function.name, node.lineno))
    return found


def test_no_module_of_the_app_imports_one_that_imports_it_back():
    assert cycles(import_graph()) == []


def test_no_module_of_the_app_imports_inside_a_function():
    unexplained = [
        (module, function, line)
        for module, function, line in function_imports()
        if (module, function) not in FUNCTION_IMPORTS_ALLOWED
    ]
    assert unexplained == []


def test_the_model_layer_is_a_package_that_reaches_no_service_back():
    graph = import_graph()
    assert "articles.models.post" in graph
    assert "articles.models" not in graph["articles.search"]  # a plain service


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({"a": {"b"}, "b": {"a"}}, [["a", "b"]]),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}, [["a", "b", "c"]]),
        ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
    ],
)
def test_the_cycle_finder_finds_direct_and_longer_circles(graph, expected):
    assert cycles(graph) == expected


def test_the_import_reader_sees_a_circle_and_a_hidden_import(tmp_path, monkeypatch):
    """The checks above cannot pass by reading nothing: a small app with a
    circle and an import in a function is caught."""
    app = tmp_path / "articles"
    (app / "models").mkdir(parents=True)
    (app / "__init__.py").write_text("")
    (app / "models" / "__init__.py").write_text("from .post import Post\n")
    (app / "models" / "post.py").write_text("from articles import search\nclass Post: pass\n")
    (app / "search.py").write_text(
        "from articles.models import Post\n\ndef find():\n    from .models import post\n"
    )
    monkeypatch.setattr(f"{__name__}.APP", app)

    assert cycles(import_graph()) == [
        ["articles.models", "articles.models.post", "articles.search"]
    ]
    assert function_imports() == [("articles.search", "find", 4)]
