"""The distribution installs as a wheel (not only editable) and exposes every part and the CLI."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import tomllib
import venv
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]

PARTS = ["attribution", "grids", "contracts", "ledger", "api"]


def _declared_packages() -> set[str]:
    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    return set(config["tool"]["setuptools"]["packages"])


def test_every_python_folder_is_declared_as_a_package() -> None:
    on_disk = {
        "greenproof." + ".".join(init.parent.relative_to(REPO_ROOT).parts)
        for part in PARTS
        for init in (REPO_ROOT / part).rglob("__init__.py")
        if "migrations" not in init.parts
    }
    assert on_disk == _declared_packages()


@pytest.mark.slow
def test_wheel_installs_and_imports_outside_the_source_tree(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp_path / "dist"), str(REPO_ROOT)],
        check=True, capture_output=True,
    )
    (wheel,) = (tmp_path / "dist").glob("greenproof-*.whl")
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    env_python = env_dir / "bin" / "python"
    target = Path(subprocess.check_output(
        [str(env_python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True).strip())
    # The wheel alone goes into the fresh venv; its dependencies come from the dev venv's
    # site-packages through a .pth line (a plain path: the editable finder there is not activated).
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target),
                    str(wheel)], check=True)
    (target / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    probe = "; ".join([f"import greenproof.{part} as m{i}; assert m{i}.__file__.startswith({str(target)!r}), "
                       f"m{i}.__file__" for i, part in enumerate(PARTS)])
    subprocess.run([str(env_python), "-c", probe], check=True, cwd=tmp_path)
    # Package data ships in the wheel: the contract artifact loads, the migrations build a database,
    # the dashboard's templates and vendored chart library are there, and the API docs' Swagger UI.
    data_probe = "\n".join([
        "from importlib.resources import files",
        "from greenproof.contracts import load_artifact",
        "from greenproof.ledger.database import upgrade",
        "import sqlite3",
        "assert load_artifact().abi",
        f"upgrade('sqlite:///{tmp_path}/wheel.sqlite')",
        f"tables = {{r[0] for r in sqlite3.connect('{tmp_path}/wheel.sqlite').execute("
        "\"SELECT name FROM sqlite_master WHERE type='table'\")}",
        "assert {'plants', 'firms', 'allocation_leaves', 'provenance_records'} <= tables, tables",
        "assert (files('greenproof.api.web') / 'templates' / 'park.html').is_file()",
        "assert (files('greenproof.api.web') / 'static' / 'vendor' / 'echarts' / 'echarts.min.js').is_file()",
        "assert (files('greenproof.api.http') / 'docs_assets' / 'swagger-ui-bundle.js').is_file()",
    ])
    subprocess.run([str(env_python), "-c", data_probe], check=True, cwd=tmp_path)
    scripts = target / "bin" / "greenproof"
    if not scripts.exists():  # pip --target puts console scripts under <target>/bin
        scripts = env_dir / "bin" / "greenproof"
    result = subprocess.run([str(env_python), str(scripts), "--help"], capture_output=True, text=True,
                            cwd=tmp_path, check=True)
    assert "demo" in result.stdout


@pytest.mark.slow
def test_wheel_build_is_quiet_about_package_data(tmp_path: Path) -> None:
    """Data folders (templates, static, artifacts, migrations) are package data, not undeclared packages."""
    build = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp_path / "dist"), str(REPO_ROOT)],
        check=True, capture_output=True, text=True,
    )
    output = build.stdout + build.stderr
    assert "greenproof/api/web/templates" in output  # the data files were copied: the folders were seen
    assert "absent from the `packages` configuration" not in output, output[-3000:]
