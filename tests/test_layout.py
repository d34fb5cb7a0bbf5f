"""The direction of imports (DESIGN.md, "Shape"; the README's layout), read
from the source: every ``import`` and ``from … import`` of every module of
ours, those inside functions included, so a rule cannot be dodged by
importing late.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APPS = ["accounts", "articles", "comments", "core", "images", "newsletter", "pages"]
PROJECT = "glutablog"


def module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_module(name):
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def imports_of(path):
    """The modules of ours ``path`` names in its imports: for ``from a import
    b``, ``a.b`` where that is a module, else ``a``."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module
            for alias in node.names:
                candidate = f"{source}.{alias.name}"
                found.add(candidate if is_module(candidate) else source)
    return {n for n in found if n.split(".")[0] in {*APPS, PROJECT}}


def modules(top):
    """Every module of the package ``top``: name -> what it imports."""
    return {module_name(p): imports_of(p) for p in sorted((ROOT / top).rglob("*.py"))}


def offences(top, forbidden):
    return sorted(
        f"{name} imports {target}"
        for name, targets in modules(top).items()
        for target in targets
        if target.split(".")[0] in forbidden
    )


@pytest.mark.parametrize(
    ("app", "forbidden"),
    [
        ("core", {a for a in APPS if a != "core"} | {PROJECT}),
        ("articles", {"comments", "newsletter", "pages", PROJECT}),
        ("comments", {"pages", PROJECT}),
        ("images", {a for a in APPS if a not in ("core", "images")} | {PROJECT}),
        ("pages", {PROJECT}),
        ("newsletter", {PROJECT}),
        ("accounts", {PROJECT}),
    ],
)
def test_imports_go_one_way(app, forbidden):
    assert offences(app, forbidden) == []


def test_the_rules_see_an_import_inside_a_function(tmp_path, monkeypatch):
    """The reader above finds a late import, relative or absolute."""
    package = tmp_path / "core"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "late.py").write_text(
        "def f():\n    from articles.models import Post\n    from . import other\n"
    )
    (package / "other.py").write_text("")
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    assert offences("core", {"articles"}) == ["core.late imports articles.models"]
    assert imports_of(package / "late.py") == {"articles.models", "core.other"}


def cycles(graph):
    """Each import cycle among ``graph``'s modules, as a list of names."""
    found, done = [], set()

    def visit(name, path):
        if name in path:
            found.append(path[path.index(name) :] + [name])
            return
        if name in done:
            return
        for target in sorted(graph.get(name, ())):
            if target in graph:
                visit(target, path + [name])
        done.add(name)

    for name in sorted(graph):
        visit(name, [])
    return found


@pytest.mark.parametrize("app", APPS)
def test_no_module_imports_another_that_imports_it_back(app):
    graph = modules(app)
    # A package's __init__ gathering its modules is no cycle: importing one of
    # them runs the __init__ first, by Python's rules, not by an import of ours.
    graph = {
        name: {t for t in targets if not name.startswith(f"{t}.")}
        for name, targets in graph.items()
    }
    assert cycles(graph) == []


def test_the_cycle_finder_finds_a_late_import_back():
    graph = {"a.models": {"a.tasks"}, "a.tasks": {"a.models", "a.text"}, "a.text": set()}
    assert cycles(graph) == [["a.models", "a.tasks", "a.models"]]
    assert cycles({"a.models": set(), "a.tasks": {"a.models"}}) == []
