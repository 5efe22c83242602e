"""The package's shape: no module of xltools/ over 400 lines, imports only go down the floors, no import cycles,
and the heavy or edge libraries stay where they belong. Read from the source (ast), so lazy imports count too."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "xltools"
MAX_LINES = 400

# Floors, lowest first (README.md's 第 1 层 to 第 8 层), by the top-level component under xltools/ (a package or a module). A module imports only
# from its own floor or below; within a floor, the cycle check keeps the order honest.
FLOORS: tuple[tuple[str, ...], ...] = (
    ("__init__", "cells", "text", "atomic", "extras", "marks", "bounds", "ziparchive"),  # plain helpers, no xltools imports beyond this floor
    ("findings", "data"),  # the contract's codes; data files and their loaders
    ("spec", "targets", "scoring", "workbook", "package", "xmlsafe", "sheetcopy", "ooxml", "odf", "biff", "units",
     "discover", "vba", "rowfit", "vml"),  # the form described; files and texts read
    ("model", "evaluation", "live", "results"),  # a form as data; formulas inside the template; the 校验结果 rows
    ("reader", "rules", "template", "fill", "xlsm"),  # reading, checking, writing a form
    ("engine", "distribute", "approved", "yearend"),  # reader + rules; a round's templates; the year-end round
    ("inputs", "annotate", "excel", "consolidate", "addin", "bundle"),  # what the engine is used for; the installs
    ("cli", "clihelp", "clitext"),  # the command line on top
)
# Third-party libraries the brief confines to one edge of the package.
CONFINED = {"click": ("cli", "clihelp", "clitext"), "xlwings": ("excel",), "pandas": ("consolidate",), "pandera": ("consolidate",)}


def _name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


MODULES = {_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str, path: Path) -> set[str]:
    """Every module ``name`` imports (absolute dotted names), wherever the import statement sits. ``from a import
    b`` imports ``a.b`` when that is a module, else ``a`` (for its name ``b``)."""
    out: set[str] = set()
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".") if is_package else name.split(".")[:-1]
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                out.add(sub if sub in MODULES else base)
    return out


def _edges(name: str) -> set[str]:
    """xltools modules ``name`` depends on: each one it imports, and the packages above those that Python imports
    first (except ``name``'s own packages, which are already being imported when ``name`` runs; importing one of
    them explicitly, for its names, still counts)."""
    own = {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 2)}
    out: set[str] = set()
    for target in _imports(name, MODULES[name]):
        if target.split(".")[0] != "xltools":
            continue
        if target in MODULES and target != name:
            out.add(target)
        parts = target.split(".")
        for i in range(1, len(parts)):
            step = ".".join(parts[:i])
            if step in MODULES and step not in own:
                out.add(step)
    return out


GRAPH = {name: _edges(name) for name in MODULES}


def _component(name: str) -> str:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _floor(name: str) -> int:
    component = _component(name)
    for i, floor in enumerate(FLOORS):
        if component in floor:
            return i
    raise AssertionError(f"{name}: its component {component!r} is on no floor; add it to FLOORS")


@pytest.mark.parametrize("name", sorted(MODULES))
def test_module_is_at_most_400_lines(name: str) -> None:
    path = MODULES[name]
    rel = str(path.relative_to(ROOT))
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{rel} has {lines} lines: split it by concern"


def test_every_component_is_on_a_floor() -> None:
    for name in MODULES:
        _floor(name)


def test_imports_only_go_down_the_floors() -> None:
    upward = sorted(f"{name} ({_floor(name)}) imports {target} ({_floor(target)})"
                    for name, targets in GRAPH.items() for target in targets if _floor(target) > _floor(name))
    assert upward == []


def test_no_import_cycles() -> None:
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1 visiting, 2 done
    stack: list[str] = []

    def visit(name: str) -> None:
        state[name] = 1
        stack.append(name)
        for target in sorted(GRAPH[name]):
            if state.get(target) == 1:
                cycles.append([*stack[stack.index(target):], target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[name] = 2

    for name in sorted(GRAPH):
        if name not in state:
            visit(name)
    assert cycles == []


def test_edge_libraries_stay_at_their_edge() -> None:
    found = sorted(f"{name} imports {lib}" for name, path in MODULES.items()
                   for lib, allowed in CONFINED.items()
                   if _component(name) not in allowed
                   and any(t == lib or t.startswith(lib + ".") for t in _imports(name, path)))
    assert found == []


def test_the_graph_is_read_from_the_source() -> None:
    # A check of the checker: known edges are found, lazy imports included.
    assert "xltools.reader" in GRAPH["xltools.engine"]
    assert "xltools.rules" in GRAPH["xltools.engine"]  # imported inside check_declaration
    assert "xltools.spec.parts" in GRAPH["xltools.spec.form"]
    assert "xltools.spec" not in GRAPH["xltools.spec.form"]  # its own package: already being imported
