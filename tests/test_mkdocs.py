"""The README's mkdocs recipe, as written there, passes a real `mkdocs build --strict` with
the doc set under the site's `docs/`; with source links relative (no `source-url`) the same
build fails, as it did before the recipe."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import materialize_workspace

pytest.importorskip("mkdocs")
pytest.importorskip("pymdownx.superfences")

README = Path(__file__).resolve().parents[1] / "README.md"
_RECIPE = re.compile(r"<!-- mkdocs recipe:.*?-->\n(.*?)<!-- end of mkdocs recipe -->", re.S)
_BLOCK = re.compile(r"```(toml|yaml)\n(.*?)```", re.S)


def recipe() -> dict[str, str]:
    """The recipe's code blocks by language: the pyproject.toml and mkdocs.yml it shows."""
    found = _RECIPE.search(README.read_text(encoding="utf-8"))
    assert found, "the README lost its mkdocs recipe markers"
    return {lang: body for lang, body in _BLOCK.findall(found.group(1))}


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=600)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """The fixture workspace turned into an mkdocs project by the README's recipe."""
    ws = materialize_workspace(tmp_path)
    blocks = recipe()
    pyproject = ws / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "\n" + blocks["toml"])
    (ws / "mkdocs.yml").write_text(blocks["yaml"])
    (ws / "docs").mkdir()
    (ws / "docs" / "index.md").write_text("# My project\n\nSee the [code reference](reference/index.md).\n")
    with (ws / ".gitignore").open("a") as fh:
        fh.write("\nsite/\n")
    return ws


def _warnings(build: subprocess.CompletedProcess) -> list[str]:
    return [line for line in build.stderr.splitlines() if line.startswith(("WARNING", "ERROR"))]


def test_the_readme_recipe_builds_strict(site):
    exported = run("-m", "repodoc_ls", "export", "-q", cwd=site)
    assert exported.returncode == 0, exported.stderr
    assert (site / "docs" / "reference" / "index.md").is_file()
    build = run("-m", "mkdocs", "build", "--strict", cwd=site)
    assert build.returncode == 0 and not _warnings(build), build.stderr
    built = site / "site" / "reference"
    overview = (built / "shop" / "doc" / "index.html").read_text(encoding="utf-8")
    assert '<pre class="mermaid">' in overview  # a diagram, not a code block
    cart = (built / "shop" / "cart.py_docs" / "index.html").read_text(encoding="utf-8")
    assert 'href="https://github.com/OWNER/REPO/blob/main/shop/cart.py#L19"' in cart
    assert (built / ".gitignore_docs" / "index.html").is_file()  # not dropped as a dotfile
    assert "excluded from the built site" not in build.stderr
    assert not (built / ".repodoc-manifest.json").exists()


def test_relative_source_links_fail_the_strict_build(site):
    exported = run("-m", "repodoc_ls", "export", "-q", "--source-url", "", cwd=site)
    assert exported.returncode == 0, exported.stderr
    build = run("-m", "mkdocs", "build", "--strict", cwd=site)
    assert build.returncode != 0
    assert any("not found among documentation files" in w for w in _warnings(build))
