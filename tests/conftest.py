from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURE_WS = Path(__file__).parent / "fixtures" / "ws"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A private copy of the fixture workspace (symlinks kept as symlinks)."""
    dest = tmp_path / "ws"
    shutil.copytree(FIXTURE_WS, dest, symlinks=True)
    return dest


@pytest.fixture
def index(workspace: Path):
    from repodoc_ls.config import load_settings
    from repodoc_ls.index.indexer import Index

    return Index.build(load_settings(workspace))
