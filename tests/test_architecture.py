"""The engine's layering, checked from the source: imports only point down the layers.

Every `engine/**/*.py` is parsed (never imported) and every import in it is collected:
at module level, inside functions, inside `if TYPE_CHECKING:` blocks, relative or
absolute. The layer table below is the one in docs/architecture.md; a module that fits
no row fails the test until it is added to both. The dynamic `importlib.import_module`
calls of `engine/cli/main.py` are not seen; they only load `engine.cli` siblings.
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterable, Iterator, Mapping
from pathlib import Path
from typing import NamedTuple

import pytest

ROOT = Path(__file__).resolve().parent.parent
ENGINE = ROOT / "engine"
MAX_LINES = 400


class Layer(NamedTuple):
    """A row of the layer table: a unit of code, its rank, and the modules it holds."""

    unit: str  # modules of the same unit may import each other (without cycles)
    rank: int
    modules: tuple[str, ...]  # exact module names, or "pkg.*" for a package and its modules


RUNTIME = Layer("engine.runtime", 1, ("engine.runtime.*",))
CLI = Layer("engine.cli", 8, ("engine.cli.*",))
LAYERS = (
    Layer("engine (base)", 0, ("engine", "engine.errors", "engine.diagnostics")),
    RUNTIME,
    Layer("engine.compiler", 2, ("engine.compiler.*",)),
    Layer("engine.saves", 3, ("engine.saves.*",)),
    Layer("engine.canon", 3, ("engine.canon.*",)),
    Layer("engine.tools", 3, ("engine.tools.*",)),
    Layer("engine.export", 3, ("engine.export.*",)),
    Layer("engine.replay", 4, ("engine.replay",)),
    Layer("engine.report", 5, ("engine.report.*",)),
    Layer("engine.session", 6, ("engine.session",)),
    Layer("engine.ui", 7, ("engine.ui.*",)),
    Layer("engine.lsp", 7, ("engine.lsp.*",)),
    CLI,
    Layer("engine.__main__", 9, ("engine.__main__",)),
)

# What the pure state machine must never reach for: files, YAML, the clock, chance, a screen.
RUNTIME_FORBIDDEN = frozenset(
    {
        "yaml",
        "pathlib",
        "os",
        "io",
        "time",
        "datetime",
        "random",
        "tempfile",
        "shutil",
        "subprocess",
        "prompt_toolkit",
    }
)

Graph = Mapping[str, Iterable[str]]


# --- reading the source ------------------------------------------------------------------


class Module(NamedTuple):
    name: str
    path: Path
    tree: ast.Module
    is_package: bool


def module_name(path: Path, root: Path = ROOT) -> str:
    """engine/a/b.py -> engine.a.b; engine/a/__init__.py -> engine.a."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def engine_modules() -> dict[str, Module]:
    """Every module under engine/, parsed, by dotted name."""
    modules = {}
    for path in sorted(ENGINE.rglob("*.py")):
        name = module_name(path)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        modules[name] = Module(name, path, tree, path.name == "__init__.py")
    return modules


def imported_names(module: str, is_package: bool, tree: ast.AST) -> Iterator[tuple[str, int]]:
    """Every name an import statement anywhere in `tree` brings in, with its line.

    `import a.b` gives "a.b"; `from a import b` gives "a.b" (b may be a submodule or just
    an attribute of a: `resolve` decides); relative imports are made absolute.
    """
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                if node.module:
                    base = f"{base}.{node.module}" if base else node.module
            else:
                base = node.module or ""
            for alias in node.names:
                yield (base if alias.name == "*" else f"{base}.{alias.name}"), node.lineno


def resolve(name: str, known: Collection[str]) -> str | None:
    """The known module that importing `name` points to: the longest known prefix."""
    while name:
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


def import_graph(modules: Mapping[str, Module]) -> dict[str, dict[str, int]]:
    """Engine module -> {engine module it imports: first line of such an import}."""
    graph: dict[str, dict[str, int]] = {}
    for name, module in modules.items():
        edges: dict[str, int] = {}
        for imported, line in imported_names(name, module.is_package, module.tree):
            target = resolve(imported, modules)
            if target is not None and target != name:
                edges.setdefault(target, line)
        graph[name] = edges
    return graph


def top_level_imports(tree: ast.AST) -> set[str]:
    """The first component of every absolute module an import in `tree` names."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            found.add(node.module.split(".")[0])
    return found


def layer_of(module: str) -> Layer | None:
    for layer in LAYERS:
        for pattern in layer.modules:
            if pattern.endswith(".*"):
                package = pattern[:-2]
                if module == package or module.startswith(package + "."):
                    return layer
            elif module == pattern:
                return layer
    return None


# --- the graph ---------------------------------------------------------------------------


def strongly_connected(graph: Graph) -> list[list[str]]:
    """Tarjan's strongly connected components, iteratively (no recursion limit)."""
    successors = {node: sorted(set(targets)) for node, targets in graph.items()}
    for targets in list(successors.values()):
        for target in targets:
            successors.setdefault(target, [])
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    for root in sorted(successors):
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, position = work.pop()
            if position == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            recurse = False
            for i in range(position, len(successors[node])):
                target = successors[node][i]
                if target not in index:
                    work.append((node, i + 1))
                    work.append((target, 0))
                    recurse = True
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            if recurse:
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(sorted(component))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return components


def cycle_through(graph: Graph, start: str, members: set[str]) -> list[str]:
    """A shortest cycle from `start` back to it, staying within `members`."""
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for target in sorted(graph.get(node, ())):
                if target not in members:
                    continue
                if target == start:
                    cycle = [node]
                    while cycle[-1] != start:
                        cycle.append(came_from[cycle[-1]])
                    return [start, *reversed(cycle[:-1]), start]
                if target not in came_from:
                    came_from[target] = node
                    following.append(target)
        frontier = following
    return []


def cycles(graph: Graph) -> list[list[str]]:
    """One concrete cycle (first node repeated at the end) per knot in the graph."""
    found = []
    for component in strongly_connected(graph):
        start = component[0]
        if len(component) > 1 or start in graph.get(start, ()):
            found.append(cycle_through(graph, start, set(component)))
    return found


# --- the checks --------------------------------------------------------------------------

MODULES = engine_modules()
GRAPH = import_graph(MODULES)


def test_the_graph_code_finds_a_known_cycle_and_no_false_one() -> None:
    graph = {"a": ["b"], "b": ["c"], "c": ["a", "d"], "d": [], "e": ["a", "e"]}
    assert cycles(graph) == [["a", "b", "c", "a"], ["e", "e"]]
    assert cycles({"a": ["b", "c"], "b": ["c"], "c": []}) == []
    long_chain = {str(i): [str(i + 1)] for i in range(5000)}
    long_chain["5000"] = ["0"]
    assert len(cycles(long_chain)) == 1  # deep graphs do not hit the recursion limit


def test_the_import_walker_sees_relative_nested_and_type_checking_imports() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "from . import rules\n"
        "from ..compiler.loader import load_story\n"
        "from engine.canon import compare, Cause\n"
        "if TYPE_CHECKING:\n"
        "    from engine.session import Session\n"
        "def late():\n"
        "    import engine.report.compare\n"
    )
    known = {
        "engine",
        "engine.runtime",
        "engine.runtime.rules",
        "engine.runtime.state",
        "engine.compiler.loader",
        "engine.canon",
        "engine.canon.compare",
        "engine.session",
        "engine.report.compare",
    }
    modules = {m: Module(m, Path(), ast.parse(""), False) for m in known}
    modules["engine.runtime.state"] = Module(
        "engine.runtime.state", Path(), ast.parse(source), is_package=False
    )
    graph = import_graph(modules)
    assert set(graph["engine.runtime.state"]) == {
        "engine.runtime.rules",
        "engine.compiler.loader",
        "engine.canon.compare",
        "engine.canon",  # `Cause` is not a module: the edge goes to the package
        "engine.session",
        "engine.report.compare",
    }
    # In a package's __init__.py, `.` is the package itself.
    modules["engine.canon"] = Module(
        "engine.canon", Path(), ast.parse("from . import compare\n"), is_package=True
    )
    assert set(import_graph(modules)["engine.canon"]) == {"engine.canon.compare"}


def test_imports_only_point_down_the_layers() -> None:
    problems = []
    for module in sorted(GRAPH):
        if layer_of(module) is None:
            problems.append(
                f"{module} matches no layer: add it to the layer table in "
                "tests/test_architecture.py and docs/architecture.md"
            )
    for module, targets in sorted(GRAPH.items()):
        source = layer_of(module)
        for target, line in sorted(targets.items()):
            dest = layer_of(target)
            if source is None or dest is None or source.unit == dest.unit:
                continue
            if dest.rank >= source.rank:
                problems.append(
                    f"{module} -> {target} (rank {source.rank} -> rank {dest.rank}), "
                    f"{MODULES[module].path.relative_to(ROOT)}:{line}"
                )
    if problems:
        pytest.fail("imports that do not point down the layers:\n" + "\n".join(problems))


def test_no_import_cycles() -> None:
    found = [" -> ".join(cycle) for cycle in cycles(GRAPH)]
    if found:
        pytest.fail("import cycles among engine modules:\n" + "\n".join(found))


def test_no_module_is_longer_than_400_lines() -> None:
    long = []
    for module in MODULES.values():
        lines = len(module.path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES:
            long.append(f"{module.path.relative_to(ROOT)}: {lines} lines")
    if long:
        pytest.fail(f"modules over {MAX_LINES} lines (split them):\n" + "\n".join(sorted(long)))


def test_runtime_touches_no_yaml_disk_or_clock() -> None:
    problems = []
    for name, module in sorted(MODULES.items()):
        if layer_of(name) == RUNTIME:
            for found in sorted(top_level_imports(module.tree) & RUNTIME_FORBIDDEN):
                problems.append(f"{name} imports {found}")
    if problems:
        pytest.fail("the runtime must stay pure:\n" + "\n".join(problems))


# --- the garbage collector ---------------------------------------------------------------


def _own_nodes(scope: ast.AST) -> Iterator[ast.AST]:
    """The nodes of a function (or module) body, not those of functions defined inside."""
    todo = list(ast.iter_child_nodes(scope))
    while todo:
        node = todo.pop()
        yield node
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            todo.extend(ast.iter_child_nodes(node))


class GcNames(NamedTuple):
    modules: set[str]  # names bound to the gc module (`import gc`, `import gc as g`)
    functions: dict[str, str]  # name -> gc function it is (`from gc import disable as d`)


def gc_names(tree: ast.Module) -> GcNames:
    names = GcNames(set(), {})
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.modules.update(a.asname or a.name for a in node.names if a.name == "gc")
        elif isinstance(node, ast.ImportFrom) and node.module == "gc" and not node.level:
            names.functions.update({a.asname or a.name: a.name for a in node.names})
    return names


def gc_calls(names: GcNames, scope: ast.AST) -> list[tuple[str, int]]:
    """(gc function, line) for each call of a `gc` function directly in `scope`."""
    calls = []
    for node in _own_nodes(scope):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id in names.modules
        ):
            calls.append((func.attr, node.lineno))
        elif isinstance(func, ast.Name) and func.id in names.functions:
            calls.append((names.functions[func.id], node.lineno))
    return calls


def test_library_code_leaves_the_garbage_collector_as_it_was() -> None:
    problems = []
    for name, module in sorted(MODULES.items()):
        if layer_of(name) == CLI:
            continue  # the program itself may tune the collector for its whole run
        where = module.path.relative_to(ROOT)
        names = gc_names(module.tree)
        scopes: list[ast.AST] = [module.tree]
        scopes += [
            n
            for n in ast.walk(module.tree)
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        ]
        for scope in scopes:
            calls = gc_calls(names, scope)
            called = {function for function, _ in calls}
            for function, line in calls:
                if function == "freeze":
                    problems.append(f"{where}:{line}: gc.freeze() outside engine/cli")
                if function == "disable" and "enable" not in called:
                    problems.append(
                        f"{where}:{line}: gc.disable() without gc.enable() in the same function"
                    )
    if problems:
        pytest.fail("library code must leave the collector as it found it:\n" + "\n".join(problems))
