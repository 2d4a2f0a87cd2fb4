"""The domain core stays pure Python: no Django anywhere under designer/domain or in quiz/grading.py."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PURE = [*sorted((ROOT / "designer" / "domain").rglob("*.py")), ROOT / "quiz" / "grading.py"]


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_domain_package_has_modules_to_check():
    assert len(PURE) >= 8


@pytest.mark.parametrize("path", PURE, ids=lambda p: str(p.relative_to(ROOT)))
def test_domain_module_imports_no_django(path):
    bad = {m for m in imported_modules(path) if m.split(".")[0] in {"django", "rest_framework", "celery"}}
    bad |= {m for m in imported_modules(path) if m.startswith(("designer.models", "designer.views", "designer.tasks"))}
    assert not bad, f"{path.name} imports {sorted(bad)}"
