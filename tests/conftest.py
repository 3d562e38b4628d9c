from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# The end-to-end server tests' fixtures (`ws`, `server_setup`, `client`).
pytest_plugins = ("server_helpers",)

FIXTURE_WS = Path(__file__).parent / "fixtures" / "ws"


def materialize_workspace(parent: Path) -> Path:
    """A copy of the fixture workspace under `parent`, with its symlinks added.

    The symlinks (a loop `loop -> .` and `escape` pointing out of the workspace) are made
    here rather than committed: pip and setuptools follow them when they copy the source
    tree of this project, and never finish."""
    dest = parent / "ws"
    # Leftovers of a tool run on the fixture itself (its index store, a doc set) stay behind.
    shutil.copytree(FIXTURE_WS, dest, symlinks=True, ignore=shutil.ignore_patterns(".repodoc", "docs"))
    os.symlink(".", dest / "loop")
    os.symlink("../../..", dest / "escape")
    return dest


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A private copy of the fixture workspace, symlink loop and escaping link included."""
    return materialize_workspace(tmp_path)


@pytest.fixture
def index(workspace: Path):
    from repodoc_ls.config import load_settings
    from repodoc_ls.index.indexer import Index

    return Index.build(load_settings(workspace))
