"""The `repodoc` command line, run as a user runs it: a subprocess."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def repodoc(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "repodoc_ls", *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def test_export_then_check_then_stale(workspace):
    first = repodoc("export", str(workspace))
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith(f"exported {workspace / 'docs' / 'repodoc'}: ")
    assert " written, 0 unchanged, 0 removed in " in first.stdout
    again = repodoc("export", str(workspace))
    assert "exported" in again.stdout and ": 0 written, " in again.stdout
    ok = repodoc("check", str(workspace))
    assert ok.returncode == 0 and "up to date" in ok.stdout
    (workspace / "shop" / "pricing.py").write_text('"""Changed."""\n')
    stale = repodoc("check", cwd=workspace)
    assert stale.returncode == 1
    assert "stale: docs/repodoc/shop/pricing.py_docs.md" in stale.stdout.splitlines()
    assert "run `repodoc export` to update" in stale.stderr


def test_export_to_another_folder_and_check_it(workspace, tmp_path):
    out = tmp_path / "site"
    assert repodoc("export", str(workspace), "-o", str(out), "--jobs", "1").returncode == 0
    assert (out / "shop" / "cart.py_docs.md").is_file()
    assert repodoc("check", str(workspace), "-o", str(out)).returncode == 0
    assert not (workspace / "docs").exists()


def test_show_prints_one_page(workspace):
    page = repodoc("show", str(workspace / "shop" / "cart.py"))
    assert page.returncode == 0 and page.stdout.startswith("# `shop/cart.py`\n")
    kw = repodoc("show", "shop/cart.py", "--kind", "kw", cwd=workspace)
    assert kw.stdout.startswith("# `shop/cart.py` — keywords\n")
    folder = repodoc("show", str(workspace / "shop"), "--kind", "sub")
    assert folder.stdout.startswith("# `shop/` — symbols")
    root = repodoc("show", ".", cwd=workspace)
    assert root.stdout.startswith("# `ws`\n")


@pytest.mark.parametrize(
    "args,message",
    [
        (["export", "/no/such/root"], "the workspace root /no/such/root does not exist"),
        (["check", "/no/such/root"], "the workspace root /no/such/root does not exist"),
        (["show", "shop/nothing.py"], "shop/nothing.py is not documented"),
        (["show", "shop/cart.py", "--kind", "index"], "--kind index does not apply to a file"),
    ],
)
def test_errors_are_one_clear_line(workspace, args, message):
    result = repodoc(*args, cwd=workspace)
    assert result.returncode == 2
    assert result.stderr.strip() == f"repodoc: error: {message}" or message in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_bad_settings_and_refused_output_folders(workspace):
    pyproject = workspace / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + '\n[tool.repodoc]\nmax-source-bytes = "lots"\n')
    bad = repodoc("export", str(workspace))
    assert bad.returncode == 2 and "max" in bad.stderr and "Traceback" not in bad.stderr
    pyproject.write_text('[project]\nname = "x"\n')
    refused = repodoc("export", str(workspace), "-o", str(workspace))
    assert refused.returncode == 2
    assert "contains the workspace root" in refused.stderr and "Traceback" not in refused.stderr


def test_conflicting_files_stop_the_export_before_anything_is_written(workspace):
    out = workspace / "docs" / "repodoc"
    out.mkdir(parents=True)
    (out / "index.md").write_text("my own index\n")
    result = repodoc("export", str(workspace))
    assert result.returncode == 2
    assert "not written by repodoc" in result.stderr and "  index.md" in result.stderr
    assert [p.name for p in out.iterdir()] == ["index.md"]
    forced = repodoc("export", str(workspace), "--force")
    assert forced.returncode == 0 and (out / "index.md").read_text().startswith("# `ws`")
