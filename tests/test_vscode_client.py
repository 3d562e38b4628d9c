"""The VS Code extension in vscode-client/: lint, typecheck, unit tests and a packaged .vsix.

Runs npm in vscode-client/ (npm ci once per module); skips when npm is not installed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

CLIENT = Path(__file__).resolve().parent.parent / "vscode-client"
NPM = shutil.which("npm")

pytestmark = pytest.mark.skipif(
    NPM is None, reason="npm is not installed (Node.js 20+ is needed to build the VS Code extension)"
)

COMMAND_IDS = {
    "repodoc.showFileDoc",
    "repodoc.showKeywordIndex",
    "repodoc.showFolderDoc",
    "repodoc.searchKeywords",
    "repodoc.showCrossReferences",
    "repodoc.exportDocs",
    "repodoc.reindex",
}


def npm(*args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    env = dict(os.environ, CI="true", npm_config_update_notifier="false", npm_config_fund="false")
    proc = subprocess.run(
        [NPM, *args],
        cwd=CLIENT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if proc.returncode != 0:
        pytest.fail(
            f"npm {' '.join(args)} exited with {proc.returncode}\n"
            f"--- stdout ---\n{proc.stdout[-6000:]}\n--- stderr ---\n{proc.stderr[-6000:]}"
        )
    return proc


@pytest.fixture(scope="module")
def installed() -> Path:
    npm("ci", "--no-audit", "--no-fund", timeout=900)
    return CLIENT


def test_lint(installed):
    npm("run", "lint")


def test_typecheck(installed):
    npm("run", "typecheck")


def test_unit_tests(installed):
    out = npm("test").stdout
    assert "# fail 0" in out or "ℹ fail 0" in out, out[-3000:]


def test_package_holds_the_bundle_and_the_commands(installed):
    vsix = CLIENT / "repodoc.vsix"
    vsix.unlink(missing_ok=True)
    npm("run", "package")
    assert vsix.is_file(), "npm run package made no repodoc.vsix"
    with zipfile.ZipFile(vsix) as zf:
        names = set(zf.namelist())
        assert "extension/dist/extension.js" in names
        assert "extension/package.json" in names
        assert not any(n.startswith("extension/node_modules/") for n in names), "node_modules leaked into the vsix"
        assert not any(n.startswith("extension/src/") for n in names), "sources leaked into the vsix"
        manifest = json.loads(zf.read("extension/package.json"))
        bundle = zf.read("extension/dist/extension.js").decode("utf8")
    contributed = {c["command"] for c in manifest["contributes"]["commands"]}
    assert COMMAND_IDS <= contributed, COMMAND_IDS - contributed
    assert manifest["main"] == "./dist/extension.js"
    assert set(manifest["contributes"]["configuration"]["properties"]) >= {
        "repodoc.python",
        "repodoc.outputDir",
        "repodoc.exclude",
        "repodoc.trace.server",
    }
    # the bundle starts the server with `-m repodoc_ls serve` and needs no node_modules
    assert "repodoc_ls" in bundle and "serve" in bundle
    assert 'require("vscode-languageclient' not in bundle
