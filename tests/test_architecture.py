"""The layering of ARCHITECTURE.md holds, and the checks that keep it would notice a break.

The import-linter contracts live in pyproject.toml ([tool.importlinter]); ruff and mypy are
configured there too. Each runs here on the real tree, and the contracts also on a copy with
one bad import, so a contract that quietly stopped checking anything would fail this file.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _lint_imports(tree: Path) -> subprocess.CompletedProcess:
    code = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
    return subprocess.run(
        [sys.executable, "-c", code, "--no-cache", "--no-logo"],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )


def _copy(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    shutil.copytree(ROOT / "repodoc_ls", tree / "repodoc_ls", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tree / "pyproject.toml")
    return tree


def test_the_import_contracts_hold():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        # the facts model asking the server: an arrow pointing up
        (
            "model.py",
            "from repodoc_ls.server import server as _up\n",
            "Layers: every import arrow points down",
        ),
        # the graph reaching back into the indexer inside a function: a cycle
        (
            "index/graph.py",
            "def _back():\n    from repodoc_ls.index import indexer\n    return indexer\n",
            "No import cycles, at any depth",
        ),
        # the doc set speaking LSP
        ("docs/pages.py", "import lsprotocol as _lsp\n", "Only the server speaks LSP or asks jedi"),
    ],
)
def test_one_bad_import_breaks_a_contract(tmp_path, module, line, contract):
    tree = _copy(tmp_path)
    target = tree / "repodoc_ls" / module
    target.write_text(target.read_text(encoding="utf-8") + "\n\n" + line, encoding="utf-8")
    result = _lint_imports(tree)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{contract} BROKEN" in result.stdout, result.stdout


def test_ruff_passes():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "repodoc_ls", "tests", "bench"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "repodoc_ls", "tests", "bench"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_passes():
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "repodoc_ls"], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout + result.stderr
