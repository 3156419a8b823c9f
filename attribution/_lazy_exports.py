"""Package faces that import a public name's module only when the name is first used (PEP 562).

A package lists its public names once, as ``from .module import Name as Name`` lines inside an
``if TYPE_CHECKING:`` block of its ``__init__.py``: type checkers and readers see ordinary imports,
while at run time :func:`lazy_exports` reads that block and answers each name on first access from
the module named there. Importing a package (or any of its submodules, which imports the package
first) then costs nothing beyond the package's own docstring: ``greenproof --help`` does not load
pandapower, web3 or FastAPI because an error class or a dataclass was imported from the same package.
"""

from __future__ import annotations

import ast
import importlib
import sys
from collections.abc import Callable
from pathlib import Path

__all__ = ["lazy_exports"]


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _export_origins(init_file: Path) -> dict[str, tuple[str, str]]:
    """Return ``{public name: (module as written, name in that module)}`` from the ``TYPE_CHECKING`` block."""
    origins: dict[str, tuple[str, str]] = {}
    for node in ast.parse(init_file.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for statement in node.body:
                if isinstance(statement, ast.ImportFrom):
                    module = "." * statement.level + (statement.module or "")
                    for alias in statement.names:
                        origins[alias.asname or alias.name] = (module, alias.name)
    return origins


def _isort_key(name: str) -> tuple[int, str]:
    """Ruff RUF022 order: CONSTANTS, then Classes, then functions, each alphabetically."""
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def lazy_exports(package: str) -> tuple[list[str], Callable[[str], object], Callable[[], list[str]]]:
    """Return ``__all__``, ``__getattr__`` and ``__dir__`` for the package being initialised.

    Parameters
    ----------
    package : str
        The package's ``__name__``; its ``__init__.py`` declares the public names in an
        ``if TYPE_CHECKING:`` block of ``from … import Name as Name`` statements.

    Returns
    -------
    tuple
        ``__all__`` (every public name, RUF022 order), and the module ``__getattr__`` and
        ``__dir__`` that import a name's module on first access and cache the value on the package.

    Examples
    --------
    In ``attribution/__init__.py``::

        if TYPE_CHECKING:
            from .snapshot import Snapshot as Snapshot

        __all__, __getattr__, __dir__ = lazy_exports(__name__)
    """
    face = sys.modules[package]
    origins = _export_origins(Path(str(face.__file__)))

    def __getattr__(name: str) -> object:
        if name not in origins:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module, attribute = origins[name]
        value = getattr(importlib.import_module(module, package), attribute)
        setattr(face, name, value)  # the next lookup finds it without calling __getattr__
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(face)) | set(origins))

    return sorted(origins, key=_isort_key), __getattr__, __dir__
