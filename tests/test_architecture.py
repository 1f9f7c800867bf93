"""The layout of docs/architecture.md holds: imports run one way, between packages and inside them.

Every import counts, the ones inside functions too: a lazy import hides a circle from Python, not
from the reader.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("portal", "exams", "candidates", "documents", "notifications")
# The workflow packages: a module inside one belongs to the package's node.
PACKAGES = (
    "candidates.accounts",
    "candidates.registration",
    "candidates.review",
    "documents.pieces",
    "documents.recap",
)


def _modules() -> dict[str, Path]:
    found = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def _imports(module: str, path: Path, known: set[str]) -> set[str]:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # "from pkg import module" imports the module; "from module import name" the module.
            names = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != module:
                targets.add(name)
    return targets


def _node(module: str) -> str:
    for package in PACKAGES:
        if module == package or module.startswith(package + "."):
            return package
    return module


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {module: _imports(module, path, known) for module, path in modules.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def _without_package_inits(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    # An __init__ that is empty imports nothing; "from pkg import mod" names pkg only as a path.
    inits = {m for m in graph if (ROOT / m.replace(".", "/") / "__init__.py").exists()}
    return {m: {t for t in targets if t not in inits} for m, targets in graph.items()}


def test_no_import_circle_between_modules():
    assert _cycle(_without_package_inits(_graph())) is None


def test_no_import_circle_between_workflow_packages():
    packages: dict[str, set[str]] = defaultdict(set)
    for module, targets in _without_package_inits(_graph()).items():
        for target in targets:
            if _node(target) != _node(module):
                packages[_node(module)].add(_node(target))
    assert _cycle(packages) is None


def test_no_app_imports_another_apps_views_or_forms():
    wrong = []
    for module, targets in _graph().items():
        app = module.split(".")[0]
        for target in targets:
            # portal.forms is the project's one form system (issue 11 item 2), shared by design.
            if (
                target.split(".")[0] != app
                and target.split(".")[-1] in {"views", "forms"}
                and app != "portal"
                and target != "portal.forms"
            ):
                wrong.append((module, target))
    assert wrong == []
