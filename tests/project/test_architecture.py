"""The apps import each other in one direction only (docs/architecture.md): each app may import the
apps below it, never one above it, not even inside a function. ``kemitraan`` (the project package)
is left out: its settings and URLs name every app.
"""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Lowest first: an app may import the apps before it in this list.
LAYERS = ["partners", "accounts", "evaluations", "workspace"]


def apps_imported_by(source: str) -> set[str]:
    """Return the apps of LAYERS that ``source`` imports, function-local imports included."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names & set(LAYERS)


def imported_apps(app: str) -> dict[str, set[str]]:
    """Return {module path: the apps of LAYERS it imports} for every module of ``app`` but its migrations."""
    return {
        str(path.relative_to(ROOT)): apps_imported_by(path.read_text())
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts
    }


@pytest.mark.parametrize("app", LAYERS)
def test_an_app_imports_no_app_above_it(app):
    above = set(LAYERS[LAYERS.index(app) + 1:])
    wrong = {module: sorted(apps & above) for module, apps in imported_apps(app).items() if apps & above}
    assert wrong == {}, f"{app} may import only {LAYERS[:LAYERS.index(app)]}"


def test_the_check_sees_an_import_inside_a_function():
    source = "def figures():\n    from evaluations.models import EvaluationCycle\n    import workspace.views\n"
    assert apps_imported_by(source) == {"evaluations", "workspace"}
