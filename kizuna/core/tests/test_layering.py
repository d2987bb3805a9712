"""`kizuna.core` is the floor every app stands on: it imports no app (its tests included).

The project package's own modules (settings, urls, api) count as apps here: they import them.
"""

import ast
from pathlib import Path

import kizuna

KIZUNA = Path(kizuna.__file__).resolve().parent
CORE = KIZUNA / "core"


def imports_outside_core(source: str, *, package: str = "kizuna.core") -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against the importing package
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            modules = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        else:
            continue
        for module in modules:
            parts = module.split(".")
            if parts[0] == "kizuna" and len(parts) > 1 and parts[1] != "core":
                found.add(module)
    return found


def test_the_scan_catches_every_way_of_importing_an_app():
    source = (
        "import kizuna.accounts.models\n"
        "from kizuna.partners import services\n"
        "from kizuna import community\n"
        "from kizuna.core import events\n"
        "def f():\n    from kizuna.site.navigation import nav_link\n"
        "from ...insights import models\n"
    )
    assert imports_outside_core(source, package="kizuna.core.tests") == {
        "kizuna.accounts.models",
        "kizuna.partners",
        "kizuna.partners.services",
        "kizuna.community",
        "kizuna.site.navigation",
        "kizuna.site.navigation.nav_link",
        "kizuna.insights",
        "kizuna.insights.models",
    }


def test_no_module_of_core_imports_an_app():
    offenders = set()
    for path in sorted(CORE.rglob("*.py")):
        package = ".".join(("kizuna", *path.relative_to(KIZUNA).parent.parts))
        offenders |= {
            f"{path.relative_to(KIZUNA)}: {module}"
            for module in imports_outside_core(path.read_text(), package=package)
        }
    assert offenders == set()
