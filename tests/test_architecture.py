"""The house: layers import one way, no module imports another that imports it back.

Every ``import`` in ``model/`` is read from the source (including imports inside functions and
``TYPE_CHECKING`` blocks, which are still dependencies for a reader), so a cycle or an upward
import fails here before it confuses anyone. The layers, bottom to top::

    model.version, model.scenario  →  model.engine  →  model.studies  →  model.interfaces

``model/__init__.py`` and ``model/__main__.py`` are the facade on top and may import anything;
nothing in ``model`` imports the facade or the ``experiments`` package, which sits above it all.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "model"
FACADE = {"model", "model.__main__"}
LAYERS = {"version": 0, "lazy": 0, "scenario": 0, "engine": 1, "studies": 2, "interfaces": 3}


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


MODULES = {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _imports(path: Path) -> set[str]:
    """Absolute module names this file imports (``from a import b`` counts ``a.b`` if a module)."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: relative import; use absolute imports"
            if node.module:
                out.add(node.module)
                out |= {f"{node.module}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
    return out


GRAPH = {
    name: {
        t
        for t in _imports(path)
        if t != name and (t in MODULES or t.split(".")[0] == "experiments")
    }
    for name, path in MODULES.items()
}


def _layer(name: str) -> int:
    return LAYERS[name.split(".")[1]]


def test_every_folder_is_a_package():
    """Every folder of Python modules has an ``__init__.py`` (a wheel would leave it out otherwise)."""
    missing = sorted(
        str(d.relative_to(ROOT))
        for d in PACKAGE.rglob("*")
        if d.is_dir() and any(d.glob("*.py")) and not (d / "__init__.py").exists()
    )
    assert missing == []


def test_every_module_is_in_a_layer():
    stray = [n for n in MODULES if n not in FACADE and n.split(".")[1] not in LAYERS]
    assert stray == [], f"modules outside the layers {sorted(LAYERS)}: {stray}"


def test_imports_flow_downward():
    upward = [
        f"{a} (layer {_layer(a)}) imports {b} (layer {_layer(b)})"
        for a, targets in GRAPH.items()
        if a not in FACADE
        for b in targets
        if b in FACADE or b.startswith("experiments") or _layer(b) > _layer(a)
    ]
    assert upward == []


def test_no_import_cycles():
    # Tarjan's strongly connected components; any component of two or more modules is a cycle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in GRAPH.get(v, ()):
            if w not in MODULES:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in MODULES:
        if v not in index:
            visit(v)
    assert cycles == []


#: ``experiments``' layers, bottom to top (``experiments/__init__.py``, which only names the
#: claim modules, sits below them all). Claims and analysis share a layer and import neither
#: the other: a claim module is found by its name (``experiments.EXPERIMENTS``), never imported.
#: The command line's ``--world`` side sits below the command that hands it its options.
EXPERIMENT_LAYERS = {
    "verdicts": 1, "running": 2, "claims": 3, "analysis": 3, "reporting": 4,
    "world_command": 5, "cli": 6,
}  # fmt: skip
EXPERIMENT_MODULES = {
    _module_name(p): p
    for p in (ROOT / "experiments").rglob("*.py")
    if "reports" not in p.relative_to(ROOT).parts
}
EXPERIMENT_GRAPH = {
    name: {t for t in _imports(path) if t != name and t in EXPERIMENT_MODULES}
    for name, path in EXPERIMENT_MODULES.items()
}


def _experiment_layer(name: str) -> tuple[int, str]:
    part = name.split(".")[1] if "." in name else ""
    return EXPERIMENT_LAYERS.get(part, 0), part


def test_every_experiments_module_is_in_a_layer():
    stray = [n for n in EXPERIMENT_MODULES if n != "experiments" and _experiment_layer(n)[0] == 0]
    assert stray == [], f"experiments modules outside {sorted(EXPERIMENT_LAYERS)}: {stray}"
    folders = [
        str(d.relative_to(ROOT))
        for d in (ROOT / "experiments").rglob("*")
        if d.is_dir() and any(d.glob("*.py")) and not (d / "__init__.py").exists()
    ]
    assert folders == []


def test_experiments_imports_flow_downward():
    """A module imports its own subpackage's modules or those of a lower layer, never its
    equal's (claims and analysis) or a higher one's; nothing imports the command line.

    Claim modules are also reached by name, as text (``experiments.EXPERIMENTS``, which the
    running layer's tasks and store read to run and fingerprint a claim): a dependency this
    graph does not see, and the one way a lower layer may reach a claim."""
    wrong = []
    for a, targets in EXPERIMENT_GRAPH.items():
        level, package = _experiment_layer(a)
        for b in targets:
            their_level, theirs = _experiment_layer(b)
            if theirs != package and their_level >= level:
                wrong.append(f"{a} ({package or 'top'}) imports {b} ({theirs or 'top'})")
    assert wrong == []


def test_experiments_subpackages_import_nothing_on_import():
    """Importing ``experiments.X.y`` imports ``experiments.X`` first: a subpackage's
    ``__init__`` that imported its modules would make every module of it a dependency of each
    (unseen by the graph above), so they hold a docstring only."""
    loaded = {
        name: sorted(EXPERIMENT_GRAPH[name])
        for name in EXPERIMENT_MODULES
        if name.count(".") == 1 and EXPERIMENT_MODULES[name].name == "__init__.py"
    }
    assert loaded and all(targets == [] for targets in loaded.values()), loaded


def test_experiments_have_no_import_cycles():
    cycles = []
    for a, targets in EXPERIMENT_GRAPH.items():
        seen, todo = set(), list(targets)
        while todo:
            b = todo.pop()
            if b == a:
                cycles.append(a)
                break
            if b not in seen:
                seen.add(b)
                todo.extend(EXPERIMENT_GRAPH.get(b, ()))
    assert cycles == []


def test_reference_engine_uses_only_public_functions():
    private = [
        f"{path.name}: from {node.module} import {a.name}"
        for path in (PACKAGE / "engine" / "reference").rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("model")
        for a in node.names
        if a.name.startswith("_")
    ]
    assert private == []


def test_modules_are_small():
    """One idea per module: ~400 lines at most, unless the module says at its top why not.

    The claim experiments (``experiments/``) are held to the same rule.
    """
    experiments = {_module_name(p): p for p in (ROOT / "experiments").rglob("*.py")}
    big = [
        f"{n}: {len(p.read_text(encoding='utf-8').splitlines())} lines"
        for n, p in {**MODULES, **experiments}.items()
        if len(p.read_text(encoding="utf-8").splitlines()) > 420
        and "one idea that cannot be split" not in p.read_text(encoding="utf-8")[:2000]
    ]
    assert big == [], (
        "modules over 420 lines: split them by idea (or, where one idea cannot be split, say "
        "so at the module's top with the words 'one idea that cannot be split' and why)"
    )


def test_sources_cite_papers_or_the_odd_not_the_design_notes():
    pattern = re.compile(r"DESIGN(\.md)? ?§|seed 00\d|seed articles?")
    hits = [
        f"{p.relative_to(ROOT)}:{i}"
        for folder in ("model", "experiments")
        for p in (ROOT / folder).rglob("*.py")
        for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert hits == []


@pytest.mark.parametrize(
    ("module", "names"),
    [
        ("model", ["RetentionModel", "Scenario", "ScenarioError", "simulate", "stage_flow"]),
        ("model", ["RunResult", "compare", "optimize", "__version__"]),
        ("model.studies.run", ["simulate", "RunResult"]),
        ("model.interfaces.figures", ["stage_flow"]),
        ("model.studies.sweep", ["load", "load_series", "run_sweep", "load_spec", "executor"]),
        (
            "model.studies.calibration",
            ["calibrate_survival", "calibrate_transactions", "calibrate_targets"],
        ),
        ("model.studies.calibration.data", ["fader_hardie"]),
        ("model.studies.diffusion", ["bass_figure", "bass_scenario"]),
    ],
)
def test_public_api_imports(module, names):
    mod = importlib.import_module(module)
    missing = [n for n in names if not hasattr(mod, n)]
    assert missing == []
