"""Every module kg imports (at the top of a file or inside a function) is installed by ``pip install kg``, or is an
optional feature's (kg.errors.OPTIONAL_MODULES) that says which extra to install; and an exit code of 1 is never a
crash. ``make demo`` installs the runtime dependencies only: a module missing from them failed there (issue 16)."""
from __future__ import annotations

import ast
import importlib.metadata
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from test_store import add, make_extraction

from kg.errors import OPTIONAL_MODULES
from kg.graph.store import GraphStore

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def distribution(requirement: str) -> str:
    return re.split(r"[<>=!~ ;\[]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def imported_modules() -> dict[str, list[str]]:
    """Top-level module -> the files of kg/ that import it, from every import statement (lazy ones included)."""
    found: dict[str, list[str]] = {}
    for path in sorted((ROOT / "kg").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], []).append(str(path.relative_to(ROOT)))
    return found


def installed_by(module: str) -> set[str]:
    return {name.lower().replace("_", "-") for name in importlib.metadata.packages_distributions().get(module, [])}


RUNTIME = {distribution(r) for r in PROJECT["dependencies"]}
THIRD_PARTY = sorted(m for m in imported_modules() if m not in sys.stdlib_module_names and m not in {"kg", "__future__"})


@pytest.mark.parametrize("module", THIRD_PARTY)
def test_every_imported_module_is_a_runtime_dependency_or_a_named_extra(module):
    if module in OPTIONAL_MODULES:
        extra = PROJECT["optional-dependencies"][OPTIONAL_MODULES[module]]
        assert installed_by(module) & {distribution(r) for r in extra}, f"extra {OPTIONAL_MODULES[module]} lacks {module}"
    else:
        assert installed_by(module) & RUNTIME, (f"{module} (imported by {', '.join(imported_modules()[module])}) "
                                                f"is not in [project].dependencies")


def kg_without(module: str, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    """The kg command line in a Python where ``module`` cannot be imported, as on a machine without it."""
    code = f"import sys; sys.modules[{module!r}] = None; sys.argv[0] = 'kg'; from kg.cli import main; main()"
    return subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, capture_output=True, text=True,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(Path.home())})


@pytest.mark.parametrize("module, feature", [("distributed", "--dask")])
def test_an_optional_feature_without_its_extra_says_what_to_install(tmp_path, module, feature):
    (tmp_path / "a.txt").write_text("义乌市位于金华市。", encoding="utf-8")
    result = kg_without(module, "build", "a.txt", "--out", "g", feature, "tcp://127.0.0.1:9", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert f'[E009] {feature} needs {module}' in result.stderr and f'pip install "kg[{OPTIONAL_MODULES[module]}]"' \
        in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "g").exists()


def test_a_crash_exits_2_not_the_exit_code_of_a_result(tmp_path):
    """kg validate exits 1 for violations only: without pyshacl (a broken install) it exits 2."""
    store = GraphStore(tmp_path / "g")
    add(store, make_extraction("a", [("义乌市", "locatedIn", "金华市")]))
    store.close()
    result = kg_without("pyshacl", "validate", "g", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "[E099]" in result.stderr
