"""Packaging: one version everywhere, and a wheel whose metadata is whole and warning-free.

The version is written once, in repodoc_ls/__init__.py: pyproject.toml reads it, the VS Code
extension carries a copy kept by scripts/version.py, the Neovim health check reads it from
the checkout and compares it with the server's.
"""

from __future__ import annotations

import email
import importlib.util
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from test_nvim_client import NVIM, run_lua

import repodoc_ls

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

REPO = Path(__file__).resolve().parent.parent
VERSION_SCRIPT = REPO / "scripts" / "version.py"
needs_nvim = pytest.mark.skipif(NVIM is None, reason="Neovim 0.9+ not found")


# --------------------------------------------------------------------------- one version


def test_pyproject_reads_the_version_from_the_package():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "repodoc_ls.__version__"}


def test_the_cli_the_extension_and_the_plugin_agree():
    version = repodoc_ls.__version__
    cli = subprocess.run(
        [sys.executable, "-m", "repodoc_ls", "--version"], capture_output=True, text=True, timeout=60
    )
    assert cli.stdout.strip() == f"repodoc {version}", cli.stdout + cli.stderr
    package = json.loads((REPO / "vscode-client" / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((REPO / "vscode-client" / "package-lock.json").read_text(encoding="utf-8"))
    assert package["version"] == lock["version"] == lock["packages"][""]["version"] == version
    check = subprocess.run([sys.executable, str(VERSION_SCRIPT), "--check"], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


@needs_nvim
def test_the_health_check_reads_the_checkouts_version(tmp_path):
    got = run_lua("return require('repodoc.health').plugin_version()", tmp_path)
    assert got == repodoc_ls.__version__


@needs_nvim
def test_the_health_check_finds_the_version_through_a_linked_plugin_folder(tmp_path):
    """As installed by `ln -s /path/to/repodoc/nvim-client .../pack/repodoc/start/repodoc`."""
    link = tmp_path / "pack" / "repodoc" / "start" / "repodoc"
    link.parent.mkdir(parents=True)
    link.symlink_to(REPO / "nvim-client")
    assert (
        run_lua("return require('repodoc.health').plugin_version()", tmp_path, runtime=link)
        == repodoc_ls.__version__
    )
    alone = tmp_path / "alone"  # the plugin copied without the rest of the checkout
    shutil.copytree(REPO / "nvim-client", alone)
    assert (
        run_lua("return require('repodoc.health').plugin_version() or 'none'", tmp_path, runtime=alone)
        == "none"
    )


@needs_nvim
def test_the_health_check_warns_when_the_server_is_another_version(tmp_path):
    got = run_lua(
        """
      local compare = require('repodoc.health').compare_versions
      local function pair(...) return { ... } end
      return {
        same = pair(compare("repodoc 0.3.0\\n", "0.3.0")),
        other = pair(compare("repodoc 0.2.9", "0.3.0")),
        silent = pair(compare("", "0.3.0")),
        unknown = pair(compare("repodoc 0.3.0", nil)),
      }""",
        tmp_path,
    )
    assert got["same"] == ["ok", "the plugin and the server are both repodoc 0.3.0"]
    assert got["other"] == ["warn", "the server is repodoc 0.2.9 but the plugin is 0.3.0"]
    assert got["silent"][0] == "warn" and got["unknown"][0] == "info"


def copy_of(tmp_path: Path, *parts: str) -> Path:
    dest = tmp_path / "src"
    for part in parts:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, dest / part, ignore=shutil.ignore_patterns("__pycache__", "node_modules"))
        else:
            (dest / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / part)
    return dest


def test_the_version_script_writes_every_copy(tmp_path):
    root = copy_of(
        tmp_path,
        "scripts/version.py",
        "repodoc_ls/__init__.py",
        "vscode-client/package.json",
        "vscode-client/package-lock.json",
    )
    script = root / "scripts" / "version.py"
    done = subprocess.run([sys.executable, str(script), "--set", "7.8.9"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == "7.8.9", done.stderr
    assert '__version__ = "7.8.9"' in (root / "repodoc_ls" / "__init__.py").read_text(encoding="utf-8")
    package = json.loads((root / "vscode-client" / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((root / "vscode-client" / "package-lock.json").read_text(encoding="utf-8"))
    assert package["version"] == lock["version"] == lock["packages"][""]["version"] == "7.8.9"
    # Only those lines changed: the dependencies' versions in the lock file are untouched.
    before = json.loads((REPO / "vscode-client" / "package-lock.json").read_text(encoding="utf-8"))
    assert {k: v for k, v in lock["packages"].items() if k} == {
        k: v for k, v in before["packages"].items() if k
    }

    (root / "vscode-client" / "package.json").write_text(
        json.dumps(dict(package, version="7.8.8"), indent=2) + "\n", encoding="utf-8"
    )
    check = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True)
    assert check.returncode == 1 and "package.json: 7.8.8 (expected 7.8.9)" in check.stderr, check.stderr
    bad = subprocess.run([sys.executable, str(script), "--set", "1.0"], capture_output=True, text=True)
    assert bad.returncode != 0 and "not X.Y.Z" in bad.stderr


# --------------------------------------------------------------------------- the wheel


@pytest.mark.skipif(importlib.util.find_spec("pip") is None, reason="no pip in this environment")
def test_the_wheel_builds_without_warnings_and_has_whole_metadata(tmp_path):
    """pip builds the wheel from the sources a checkout has (build isolation fetches
    setuptools from the index, as `pipx install` and `uv tool install` do)."""
    root = copy_of(tmp_path, "pyproject.toml", "README.md", "LICENSE", "repodoc_ls")
    out = tmp_path / "dist"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-cache-dir",
            "-v",
            "-w",
            str(out),
            str(root),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-6000:]
    # The old license table gave "BuildBackendWarning: `project.license` as a TOML table is
    # deprecated", with 25 lines more, on every install.
    # (distutils' own "warning: byte-compiling is disabled" lines are not Python warnings.)
    warnings = [
        line
        for line in log.splitlines()
        # a module of ours may be named for deprecations: its path is not a warning
        if re.search(r"[A-Z]\w*Warning\b", line)
        or "deprecat" in re.sub(r"\S*repodoc_ls/\S*", "", line).lower()
    ]
    assert not warnings, "\n".join(warnings)

    (wheel,) = out.glob("repodoc_ls-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        meta_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
        meta = email.message_from_string(zf.read(meta_name).decode("utf-8"))
    assert meta["Version"] == repodoc_ls.__version__
    assert meta["License-Expression"] == "MIT" and meta.get_all("License-File") == ["LICENSE"]
    assert meta_name.replace("METADATA", "licenses/LICENSE") in names
    assert "License" not in meta  # the deprecated free-text field
    assert {u.split(",")[0] for u in meta.get_all("Project-URL")} >= {"Homepage", "Repository", "Issues"}
    assert "Programming Language :: Python :: 3 :: Only" in meta.get_all("Classifier")
    assert any(n.endswith("repodoc_ls/docs/templates/file_docs.md.j2") for n in names)
