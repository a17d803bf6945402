"""The import picture: data flows one way (ingest < nlp < extract < graph < viz < the commands), and no circles.

What is counted: every ``import kg...`` and ``from kg... import ...`` in every ``kg/**/*.py``, at module level and
inside functions alike (a deferred import still makes the module depend on the other), absolute and relative.
``from kg.x import y`` counts as an import of the module ``kg.x.y`` when there is one, else of ``kg.x``.
"""
from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# layer of each module, by the longest prefix that names it; a module may import its own layer and those below
LAYERS = {
    "kg.errors": 0, "kg.paths": 0, "kg.records": 0, "kg.vocab": 0, "kg.names": 0,   # below every stage
    "kg.ingest": 1,
    "kg.nlp": 2,
    "kg.extract": 3,
    "kg.graph": 4,
    "kg.viz": 5,
    "kg": 6, "kg.build": 6, "kg.parallel": 6, "kg.eval": 6, "kg.info": 6, "kg.cli": 6,   # the commands and the API
}
LAYER_NAMES = {0: "base", 1: "ingest", 2: "nlp", 3: "extract", 4: "graph", 5: "viz", 6: "commands"}
# imports the layer order alone would allow but the design does not: what graph/ needs from nlp/ lives in kg.names
FORBIDDEN = [("kg.graph", "kg.nlp")]


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def kg_imports(root: Path) -> list[tuple[str, str, int]]:
    """(importing module, imported module, line) for every import of a kg module under ``root/kg``."""
    modules = {module_name(p, root): p for p in (root / "kg").rglob("*.py")}
    found = []
    for name, path in sorted(modules.items()):
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                found += [(name, alias.name, node.lineno) for alias in node.names if _in_kg(alias.name)]
            elif isinstance(node, ast.ImportFrom):
                base = _absolute(node, package)
                if _in_kg(base):
                    for alias in node.names:
                        full = f"{base}.{alias.name}"
                        found.append((name, full if full in modules else base, node.lineno))
    return [(a, b, line) for a, b, line in found if a != b]


def _in_kg(module: str) -> bool:
    return module == "kg" or module.startswith("kg.")


def _absolute(node: ast.ImportFrom, package: str) -> str:
    if not node.level:
        return node.module or ""
    parts = package.split(".")[:len(package.split(".")) - node.level + 1]
    return ".".join(parts + ([node.module] if node.module else []))


def layer(module: str) -> int | None:
    while module:
        if module in LAYERS:
            return LAYERS[module]
        module = module.rpartition(".")[0]
    return None


def _under(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def violations(imports) -> list[str]:
    out = []
    for a, b, line in imports:
        if layer(b) is not None and layer(a) is not None and layer(b) > layer(a):
            out.append(f"{a}:{line} imports {b}: {LAYER_NAMES[layer(a)]} may not import {LAYER_NAMES[layer(b)]}")
        out += [f"{a}:{line} imports {b}: {low} may not import {high}"
                for low, high in FORBIDDEN if _under(a, low) and _under(b, high)]
        if _under(b, "kg.cli") and not _under(a, "kg.cli"):
            out.append(f"{a}:{line} imports {b}: nothing imports the command line")
    return out


def cycles(imports) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    graph = defaultdict(set)
    for a, b, _ in imports:
        graph[a].add(b)
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while not component or component[-1] != v:
                component.append(stack.pop())
                on_stack.discard(component[-1])
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(set(graph) | {b for targets in graph.values() for b in targets}):
        if v not in index:
            visit(v)
    return found


IMPORTS = kg_imports(ROOT)


def test_every_module_has_a_layer():
    modules = {module_name(p, ROOT) for p in (ROOT / "kg").rglob("*.py")}
    assert [m for m in sorted(modules) if layer(m) is None] == []


def test_no_module_imports_upwards():
    assert violations(IMPORTS) == []


@pytest.mark.parametrize("package", [
    "kg.ingest",
    "kg.nlp",   # tag_lines (kg ner) moved from entities.py to tagging.py, above the pipeline it loads
    "kg.extract", "kg.graph", "kg.viz", "kg",
])
def test_no_import_cycle(package):
    """Each circle is charged to the package of its first module; a circle across layers fails the layer test too."""
    assert [c for c in cycles(IMPORTS) if _under(c[0], package) and layer(c[0]) == layer(package)] == []


# the checker itself, on invented trees: each row must be caught (or must not be)
@pytest.mark.parametrize("files, expected", [
    ({"kg/graph/tabular.py": "from kg.viz.explorer import labels\n"}, ["graph may not import viz"]),
    ({"kg/graph/curated.py": "def key(w):\n    from kg.nlp.canonical import canonical_key\n"},
     ["kg.graph may not import kg.nlp"]),
    ({"kg/graph/rdf.py": "from ..nlp import text\n"}, ["kg.graph may not import kg.nlp"]),
    ({"kg/viz/explorer.py": "import kg.cli\n"}, ["commands", "nothing imports the command line"]),
    ({"kg/build.py": "from kg.graph import store\n"}, []),
    ({"kg/nlp/entities.py": "from kg.names import fold\n"}, []),
])
def test_the_checker_finds_upward_imports(tmp_path, files, expected):
    for relative, source in files.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
    for folder in ("kg", "kg/graph", "kg/nlp", "kg/viz"):
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
        (tmp_path / folder / "__init__.py").touch()
    (tmp_path / "kg/nlp/text.py").touch()
    found = "\n".join(violations(kg_imports(tmp_path)))
    assert all(part in found for part in expected) and bool(found) == bool(expected), found


def test_the_checker_finds_a_circle_through_a_deferred_import(tmp_path):
    (tmp_path / "kg").mkdir()
    (tmp_path / "kg/__init__.py").touch()
    (tmp_path / "kg/a.py").write_text("from kg.b import x\n", encoding="utf-8")
    (tmp_path / "kg/b.py").write_text("def f():\n    from kg import a\n", encoding="utf-8")
    assert cycles(kg_imports(tmp_path)) == [["kg.a", "kg.b"]]
