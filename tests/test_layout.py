"""The package layout follows the pipeline: each subpackage imports only from the stages before it, with no cycles.

Every import counts: at the top of a module, inside a function (lazy imports), and under `TYPE_CHECKING`; the few
type-only imports that point the other way are listed in TYPE_ONLY, and each entry must still be needed.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.helpers import ROOT

PACKAGE = ROOT / "composefix"

# The layers, and which layers each one may import from (besides itself).
BASE = "base"  # composefix/__init__.py (the version), model.py, resources.py, data/
ALLOWED: dict[str, frozenset[str]] = {
    BASE: frozenset(),
    "platform": frozenset({BASE}),
    "reading": frozenset({BASE}),
    "analysis": frozenset({"reading", BASE}),
    "rules": frozenset({"analysis", "reading", BASE}),
    "reporting": frozenset({"rules", "analysis", "reading", BASE}),
    "graph": frozenset({"reporting", "rules", "analysis", "reading", BASE}),
    "fixing": frozenset({"graph", "reporting", "rules", "analysis", "reading", "platform", BASE}),
    "app": frozenset({"graph", "fixing", "reporting", "rules", "analysis", "reading", "platform", BASE}),
    "cli": frozenset({"app", "reporting", BASE}),
}
BASE_MODULES = frozenset({"composefix", "composefix.masking", "composefix.model", "composefix.resources"})
# The interfaces: the command line and the language server.
CLI_MODULES = frozenset({"composefix.cli", "composefix.entry", "composefix.__main__", "composefix.server"})

# (importer, imported): imports that exist for type annotations only, under `if TYPE_CHECKING:`. The typed
# changes in model.py name the string and the scalar a replacement edits.
TYPE_ONLY = frozenset(
    {
        ("composefix.model", "composefix.analysis.strings"),
        ("composefix.model", "composefix.reading.document"),
    }
)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> str:
    if module in BASE_MODULES or module.startswith("composefix.data"):
        return BASE
    if module in CLI_MODULES:
        return "cli"
    parts = module.split(".")
    if len(parts) < 2 or parts[1] not in ALLOWED:
        raise AssertionError(f"{module} is in no layer: put it in a subpackage (or add it to BASE_MODULES)")
    return parts[1]


class Import:
    def __init__(self, importer: str, imported: str, line: int, type_only: bool) -> None:
        self.importer, self.imported, self.line, self.type_only = importer, imported, line, type_only


def _type_checking_lines(tree: ast.Module) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
            for stmt in node.body:
                lines.update(range(stmt.lineno, (stmt.end_lineno or stmt.lineno) + 1))
    return lines


def imports_of(module: str, source: str, modules: set[str]) -> list[Import]:
    """Every composefix module ``source`` imports (`from a.b import c` is `a.b.c` when that is a module)."""
    tree = ast.parse(source)
    type_only = _type_checking_lines(tree)
    found: list[Import] = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [
                f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in modules else node.module
                for alias in node.names
            ]
        for name in names:
            if name.split(".")[0] == "composefix":
                found.append(Import(module, name, node.lineno, node.lineno in type_only))
    return found


def violations(sources: dict[str, str]) -> list[str]:
    """What breaks the layering in ``sources`` (module -> source text): wrong-way imports and layer cycles."""
    modules = set(sources)
    problems: list[str] = []
    edges: dict[str, set[str]] = {}
    used_exceptions: set[tuple[str, str]] = set()
    for module, source in sorted(sources.items()):
        for found in imports_of(module, source, modules):
            source_layer, target_layer = layer_of(found.importer), layer_of(found.imported)
            if source_layer == target_layer:
                continue
            key = (found.importer, found.imported)
            if key in TYPE_ONLY and found.type_only:
                used_exceptions.add(key)
                continue
            edges.setdefault(source_layer, set()).add(target_layer)
            if target_layer not in ALLOWED[source_layer]:
                problems.append(
                    f"{found.importer}:{found.line} imports {found.imported}: {source_layer} may not import "
                    f"{target_layer}"
                )
    problems.extend(f"TYPE_ONLY lists {a} -> {b}, which is no longer imported" for a, b in TYPE_ONLY - used_exceptions)
    problems.extend(f"import cycle between layers: {' -> '.join(cycle)}" for cycle in cycles(edges))
    return problems


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """One cycle through each strongly connected group of layers (depth-first search)."""
    found: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                found.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)
    return found


def package_sources() -> dict[str, str]:
    return {module_name(path): path.read_text(encoding="utf-8") for path in sorted(PACKAGE.rglob("*.py"))}


def test_every_module_is_in_a_layer():
    modules = package_sources()
    assert len(modules) > 50
    for module in modules:
        layer_of(module)


def test_imports_follow_the_pipeline_and_make_no_cycle():
    assert violations(package_sources()) == []


def test_the_allowed_directions_themselves_have_no_cycle():
    assert cycles({layer: set(allowed) for layer, allowed in ALLOWED.items()}) == []


def test_a_wrong_way_import_is_reported_even_inside_a_function():
    sources = package_sources()
    sources["composefix.reading.document"] += "\n\ndef late():\n    from composefix.rules.runner import Report\n"
    problems = violations(sources)
    line = len(sources["composefix.reading.document"].splitlines())
    assert problems[0] == (
        f"composefix.reading.document:{line} imports composefix.rules.runner: reading may not import rules"
    )
    assert "import cycle between layers: reading -> rules -> reading" in problems[1:]
    assert all(p.startswith("import cycle between layers: ") for p in problems[1:])


def test_a_type_only_exception_must_stay_type_only():
    sources = package_sources()
    model = sources["composefix.model"]
    assert "if TYPE_CHECKING:" in model
    sources["composefix.model"] = model.replace("if TYPE_CHECKING:", "if True:", 1)
    problems = violations(sources)
    assert any("composefix.model:" in p and "base may not import analysis" in p for p in problems), problems
