"""The shape of ``api/``: the use cases import none of the three doors, and no module outgrows 400 lines.

Read from the source text with :mod:`ast` (nothing under ``api/`` is imported here), so a door
imported by a use case is caught whether it is written absolute (``greenproof.api.http.deps``) or
relative (``from ..web import series``, ``from .. import cli``). The package face
``greenproof.api`` and ``greenproof.api.app`` count as doors: importing them builds the HTTP API
and the dashboard. Imports made at run time by name (``importlib``) are not seen.
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
API = REPO_ROOT / "api"
USE_CASES = API / "usecases"
MAX_LINES = 400
#: Modules a use case may not import: the three doors, and what imports them.
DOORS = ("greenproof.api.http", "greenproof.api.web", "greenproof.api.cli", "greenproof.api.app")
FACE = "greenproof.api"


def _module_of(path: Path) -> tuple[str, bool]:
    """Return the dotted module name of a file under ``api/`` and whether it is a package's ``__init__``."""
    parts = path.relative_to(API).with_suffix("").parts
    is_package = parts[-1] == "__init__"
    return ".".join([FACE, *(parts[:-1] if is_package else parts)]), is_package


def _imported(source: str, module: str, is_package: bool) -> list[str]:
    """Return every module an import statement of ``source`` names, relative ones resolved from ``module``.

    Names imported from a package's face (``from .. import cli``, ``from greenproof.api import http``)
    are taken as submodules too.
    """
    package = module if is_package else module.rpartition(".")[0]
    names: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[:len(parts) - (node.level - 1)])
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            names.append(target)
            if node.module is None or target == FACE:  # `from .. import cli`: the names are submodules
                names += [f"{target}.{alias.name}" for alias in node.names]
    return names


def _door_imports(source: str, module: str, is_package: bool = False) -> list[str]:
    """Return the doors (or the package face) that ``source`` imports."""
    found = set()
    for name in _imported(source, module, is_package):
        if name == FACE or any(name == door or name.startswith(door + ".") for door in DOORS):
            found.add(name)
    return sorted(found)


def test_use_cases_import_no_door() -> None:
    offenders = {}
    for path in sorted(USE_CASES.rglob("*.py")):
        module, is_package = _module_of(path)
        doors = _door_imports(path.read_text(encoding="utf-8"), module, is_package)
        if doors:
            offenders[str(path.relative_to(REPO_ROOT))] = doors
    assert len(list(USE_CASES.rglob("*.py"))) > 20  # the use-case layer was found and read
    assert not offenders, offenders


def test_the_check_sees_absolute_and_relative_door_imports() -> None:
    module = "greenproof.api.usecases.evidence"
    assert _door_imports("from ..http.deps import SessionDep", module) == ["greenproof.api.http.deps"]
    assert _door_imports("from greenproof.api.web import install_dashboard", module) == ["greenproof.api.web"]
    assert _door_imports("import greenproof.api.cli.typer_app", module) == ["greenproof.api.cli.typer_app"]
    assert _door_imports("from .. import cli", module) == ["greenproof.api", "greenproof.api.cli"]
    assert _door_imports("from ... import http", "greenproof.api.usecases.schemas.series") == [
        "greenproof.api", "greenproof.api.http"]
    assert _door_imports("from ..app import create_app", module) == ["greenproof.api.app"]
    assert _door_imports("def f():\n    from ..web import series\n", module) == ["greenproof.api.web"]
    assert _door_imports("from ... import web", "greenproof.api.usecases.schemas", is_package=True) == [
        "greenproof.api", "greenproof.api.web"]
    assert _door_imports("from .. import http", "greenproof.api.usecases.schemas", is_package=True) == []
    harmless = ("from .errors import NotFoundError\nfrom .schemas import LeafPublic\n"
                "from greenproof.api.usecases.periods import Period\nfrom greenproof.ledger import models\n"
                "import greenproof.apiary\nfrom ..usecases import units\n")
    assert _door_imports(harmless, module) == []


def test_no_api_module_exceeds_400_lines() -> None:
    sizes = {str(path.relative_to(REPO_ROOT)): len(path.read_text(encoding="utf-8").splitlines())
             for path in API.rglob("*.py")}
    assert len(sizes) > 60  # every module of api/ was counted
    assert {path: lines for path, lines in sizes.items() if lines > MAX_LINES} == {}
