"""`repodoc check --format text|json|github`: the same findings, with paths that open from
the folder the command ran in."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


def repodoc(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "repodoc_ls", *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


@pytest.fixture
def findings_ws(workspace: Path) -> Path:
    """The fixture workspace with its doc set exported, then: one source changed (stale
    pages), one page deleted (missing), one page of a deleted file (extra), a note of the
    user's with a broken link on line 3 (not written by repodoc), and one with `,` and `:`
    in its name (escaped in annotations)."""
    assert repodoc("export", "-q", cwd=workspace).returncode == 0
    out = workspace / "docs" / "repodoc"
    (workspace / "shop" / "pricing.py").write_text('"""Changed."""\n')
    (out / "shop" / "cart.py_kw.md").unlink()
    (workspace / "scripts" / "run_me.py").unlink()
    (out / "notes.md").write_text("# notes\n\n[gone](nowhere.md)\n")
    (out / "a,b:c.md").write_text("# odd\n")
    return workspace


def test_text_paths_are_relative_to_the_current_folder(findings_ws):
    result = repodoc("check", cwd=findings_ws)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    for line in (
        "stale: docs/repodoc/shop/pricing.py_docs.md",
        "missing: docs/repodoc/shop/cart.py_kw.md",
        "extra: docs/repodoc/scripts/run_me.py_docs.md",
        "not written by repodoc: docs/repodoc/notes.md: remove it or add it to `exclude`",
        "broken link: docs/repodoc/notes.md:3: nowhere.md (no such page 'nowhere.md')",
    ):
        assert line in lines, result.stdout
    assert result.stderr.startswith("docs/repodoc: ") and "stale" in result.stderr
    # From a folder above the root, the paths start there; from elsewhere they are absolute.
    above = repodoc("check", "ws", cwd=findings_ws.parent)
    assert "stale: ws/docs/repodoc/shop/pricing.py_docs.md" in above.stdout.splitlines()
    below = repodoc("check", cwd=findings_ws / "shop")
    assert f"stale: {findings_ws}/docs/repodoc/shop/pricing.py_docs.md" in below.stdout.splitlines()


def test_json_lists_every_finding(findings_ws):
    result = repodoc("check", "--format", "json", cwd=findings_ws)
    assert result.returncode == 1
    report = json.loads(result.stdout)  # stdout is the JSON document alone
    assert report["ok"] is False and report["output_dir"] == "docs/repodoc"
    found = {(f["kind"], f["path"], f["line"]) for f in report["findings"]}
    assert {
        ("stale", "docs/repodoc/shop/pricing.py_docs.md", None),
        ("missing", "docs/repodoc/shop/cart.py_kw.md", None),
        ("extra", "docs/repodoc/scripts/run_me.py_docs.md", None),
        ("stray", "docs/repodoc/notes.md", None),
        ("broken-link", "docs/repodoc/notes.md", 3),
    } <= found
    broken = next(f for f in report["findings"] if f["kind"] == "broken-link")
    assert broken["message"] == "broken link nowhere.md (no such page 'nowhere.md')"
    assert all(set(f) == {"kind", "path", "line", "message"} for f in report["findings"])


def test_github_annotations(findings_ws):
    result = repodoc("check", "--format", "github", cwd=findings_ws)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert all(line.startswith("::error file=") for line in lines), result.stdout
    assert (
        "::error file=docs/repodoc/notes.md,line=3,title=repodoc check%3A broken-link::"
        "broken link nowhere.md (no such page 'nowhere.md')"
    ) in lines
    assert (
        "::error file=docs/repodoc/shop/pricing.py_docs.md,title=repodoc check%3A stale::"
        "the page is stale: run `repodoc export`"
    ) in lines
    assert any(line.startswith("::error file=docs/repodoc/a%2Cb%3Ac.md,title=") for line in lines)
    assert "stale" in result.stderr  # the summary stays in the log, outside the annotations


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_an_up_to_date_doc_set_exits_0_in_every_format(workspace, fmt):
    assert repodoc("export", "-q", cwd=workspace).returncode == 0
    result = repodoc("check", "--format", fmt, cwd=workspace)
    assert result.returncode == 0, result.stdout + result.stderr
    if fmt == "json":
        assert json.loads(result.stdout) == {"ok": True, "output_dir": "docs/repodoc", "findings": []}
    elif fmt == "github":
        assert result.stdout == "" and "up to date" in result.stderr
    else:
        assert result.stdout == "docs/repodoc: the doc set is up to date and every link resolves\n"


def test_a_damaged_manifest_is_a_finding_of_its_own(workspace):
    assert repodoc("export", "-q", cwd=workspace).returncode == 0
    (workspace / "docs" / "repodoc" / ".repodoc-manifest.json").write_text("{not json")
    result = repodoc("check", "--format", "json", cwd=workspace)
    assert result.returncode == 1
    manifest = [f for f in json.loads(result.stdout)["findings"] if f["kind"] == "manifest"]
    assert len(manifest) == 1 and manifest[0]["path"] == "docs/repodoc/.repodoc-manifest.json"
    assert "--force" in manifest[0]["message"]


def test_deep_reports_what_the_fast_path_reports(findings_ws):
    fast = repodoc("check", "--format", "json", cwd=findings_ws)
    deep = repodoc("check", "--deep", "--format", "json", cwd=findings_ws)
    assert fast.returncode == deep.returncode == 1
    assert json.loads(fast.stdout) == json.loads(deep.stdout)
