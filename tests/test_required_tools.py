"""Where the run must be complete (CI sets REPODOC_REQUIRE_E2E=1 in .ci/run), the editors'
tests may not skip for want of a tool: this test fails instead, naming what is missing."""

from __future__ import annotations

import os
import shutil

import pytest

REQUIRED = os.environ.get("REPODOC_REQUIRE_E2E") == "1"


@pytest.mark.skipif(not REQUIRED, reason="only where REPODOC_REQUIRE_E2E=1 (CI)")
def test_the_editor_tests_have_their_tools():
    from test_nvim_client import NVIM, NVIM_FOUND

    missing = []
    if NVIM is None:
        missing.append(f"Neovim ({NVIM_FOUND})")
    for tool in ("npm", "node", "make", "g++", "pkg-config"):
        if shutil.which(tool) is None:
            missing.append(tool)
    if not os.path.exists(os.environ.get("CHROMIUM", "/usr/bin/chromium")):
        missing.append("chromium")
    assert not missing, "missing: " + ", ".join(missing)
