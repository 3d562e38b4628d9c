"""Folders skipped by their name (ruff's default excludes), and `include` walking them again."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from repodoc_ls.config import Settings
from repodoc_ls.scan import DEFAULT_EXCLUDE_DIRS, is_excluded, scan

SKIPPED_BY_NAME = [
    ".venv",
    "venv",
    ".tox",
    ".nox",
    "build",
    "dist",
    "site-packages",
    "node_modules",
    "__pypackages__",
]


def repodoc(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "repodoc_ls", *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def make_project(root: Path, include: list[str] | None = None) -> Path:
    """A project whose tool folders are not virtualenvs (no pyvenv.cfg) and hold no manifest:
    only their names say what they are."""
    settings = f"\n[tool.repodoc]\ninclude = {include!r}\n".replace("'", '"') if include is not None else ""
    (root / "pkg").mkdir(parents=True)
    (root / "pyproject.toml").write_text(f'[project]\nname = "p"\n{settings}')
    (root / "pkg" / "mod.py").write_text("X = 1\n")
    for name in SKIPPED_BY_NAME:
        (root / name / "lib").mkdir(parents=True)
        (root / name / "lib" / "copy.py").write_text("Y = 2\n")
        (root / "pkg" / name).mkdir()  # at any depth
        (root / "pkg" / name / "deep.py").write_text("Z = 3\n")
    return root


def pages(output: Path) -> list[str]:
    return sorted(p.relative_to(output).as_posix() for p in output.rglob("*_docs.md"))


def test_the_list_holds_ruffs_names():
    assert set(SKIPPED_BY_NAME) <= DEFAULT_EXCLUDE_DIRS


def test_folders_named_like_tool_output_are_not_documented(tmp_path):
    project = make_project(tmp_path / "p")
    result = repodoc("export", cwd=project)
    assert result.returncode == 0, result.stderr
    assert pages(project / "docs" / "repodoc") == ["pkg/mod.py_docs.md", "pyproject.toml_docs.md"]
    assert repodoc("check", cwd=project).returncode == 0


def test_an_include_pattern_naming_one_walks_it_again(tmp_path):
    # `*` keeps every file; `dist/` names the folder, so folders of that name are walked.
    project = make_project(tmp_path / "p", include=["*", "dist/"])
    result = repodoc("export", cwd=project)
    assert result.returncode == 0, result.stderr
    assert pages(project / "docs" / "repodoc") == [
        "dist/lib/copy.py_docs.md",
        "pkg/dist/deep.py_docs.md",
        "pkg/mod.py_docs.md",
        "pyproject.toml_docs.md",
    ]
    # Without `*`, include keeps only what its patterns match, as always.
    (project / "pyproject.toml").write_text('[tool.repodoc]\ninclude = ["dist/**/*.py"]\n')
    assert repodoc("export", cwd=project).returncode == 0
    assert pages(project / "docs" / "repodoc") == ["dist/lib/copy.py_docs.md"]


@pytest.mark.parametrize("include", [(), ("*", "dist/"), ("dist/**/*.py",), ("!build/", "*")])
def test_scan_and_the_single_path_check_agree(tmp_path, include):
    project = make_project(tmp_path / "p")
    settings = Settings(root=project, include=include)
    listed = {f.path for f in scan(settings).files}
    everything = [p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file()]
    for rel in everything:
        assert is_excluded(settings, rel) == (rel not in listed), rel
    assert ("dist/lib/copy.py" in listed) == any(
        "dist/" in pattern and not pattern.startswith("!") for pattern in include
    )
    assert "build/lib/copy.py" not in listed  # a negated pattern names nothing


def test_a_virtualenv_stays_skipped_whatever_its_name(tmp_path):
    project = make_project(tmp_path / "p", include=["*", "venv/"])
    (project / "venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    listed = {f.path for f in scan(Settings(root=project, include=("*", "venv/"))).files}
    assert not any(path.startswith("venv/") for path in listed)
    assert "pkg/venv/deep.py" in listed
