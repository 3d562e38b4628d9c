"""`export` and `check` on the fixture workspace: incremental writes, safety, crash recovery."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from repodoc_ls.config import load_settings
from repodoc_ls.docs import export as export_module
from repodoc_ls.docs import subpages
from repodoc_ls.docs.export import ExportError, check, export, render_all
from repodoc_ls.docs.linkcheck import check_links
from repodoc_ls.docs.linkrecord import LINKS_NAME
from repodoc_ls.docs.render import Renderer
from repodoc_ls.index.indexer import Index
from repodoc_ls.scan import MANIFEST_NAME


def _build(ws: Path, **overrides) -> Index:
    return Index.build(load_settings(ws, overrides))


def _snapshot(output: Path) -> dict[str, tuple[int, bytes]]:
    out = {}
    for path in sorted(output.rglob("*")):
        if path.is_file() and path.name not in (MANIFEST_NAME, LINKS_NAME):
            out[path.relative_to(output).as_posix()] = (path.stat().st_mtime_ns, path.read_bytes())
    return out


def test_export_writes_every_page_and_every_link_resolves(workspace):
    index = _build(workspace)
    result = export(index)
    output = workspace / "docs" / "repodoc"
    assert result.output_dir == output
    assert result.written == len(render_all(Renderer(index))) and result.removed == 0
    for page in (
        "shop/cart.py_docs.md",
        "shop/cart.py_kw.md",
        "odd names/café menu.py_docs.md",
        "index.md",
        "doc.md",
        "sub.md",
        "shop/util/index.md",
        "data/logo.png_docs.md",
        "README.md_docs.md",
        "tests/test_package.py_docs.md",
    ):
        assert (output / page).is_file(), page
    assert check_links(output, source_root=workspace) == []
    assert check(index).ok
    manifest = json.loads((output / MANIFEST_NAME).read_text())
    assert manifest["generator"] == "repodoc" and "shop/cart.py_docs.md" in manifest["pages"]


def test_the_output_folder_and_other_doc_sets_are_never_documented(workspace):
    export(_build(workspace))
    again = _build(workspace)  # the output folder now exists inside the root
    assert not [p for p in again.paths() if p.startswith(("docs/", "old_docs/"))]
    elsewhere = workspace / "build" / "site"
    export(_build(workspace, output_dir="build/site"))
    third = _build(workspace, output_dir="build/site")
    assert not [p for p in third.paths() if p.startswith(("build/", "docs/"))]
    assert (elsewhere / "index.md").is_file()


def test_a_second_export_writes_nothing(workspace):
    export(_build(workspace))
    output = workspace / "docs" / "repodoc"
    before = _snapshot(output)
    result = export(_build(workspace))
    assert (result.written, result.removed) == (0, 0)
    assert result.unchanged == len(before)
    assert _snapshot(output) == before


@pytest.mark.parametrize("split_bytes", [500_000, 1500], ids=["one-sub-page", "sub-split-by-letter"])
def test_one_changed_file_rewrites_exactly_the_pages_whose_bytes_change(workspace, monkeypatch, split_bytes):
    monkeypatch.setattr(subpages, "SUB_SPLIT_BYTES", split_bytes)
    export(_build(workspace))
    output = workspace / "docs" / "repodoc"
    before = _snapshot(output)
    pricing = workspace / "shop" / "pricing.py"
    pricing.write_text(
        pricing.read_text().replace(
            "import functools\n",
            "import functools\n\nTAX = 0.2\n\n\ndef with_tax(amount):\n    return amount * (1 + TAX)\n",
        )
    )
    index = _build(workspace)
    expected = render_all(Renderer(index))
    changed = {page for page, data in expected.items() if before.get(page, (0, b""))[1] != data}
    result = export(index)
    assert set(result.written_pages) == changed
    # Its own two pages, its folders' pages and the pages that link to its lines or anchors.
    if split_bytes > 100_000:
        assert {"shop/pricing.py_docs.md", "shop/pricing.py_kw.md", "shop/sub.md", "sub.md"} <= changed
    else:  # the new symbols' letters (t, w) and the letter index's counts
        assert {"shop/pricing.py_docs.md", "sub.md", "sub-t.md", "sub-w.md"} <= changed
        assert "sub-s.md" not in changed and "sub-s.md" in before
    assert "data/config.json_docs.md" not in changed
    # Incremental: far fewer pages were rendered than exist.
    assert result.rendered < len(expected) // 2
    after = _snapshot(output)
    assert {p for p in after if after[p][0] != before.get(p, (None,))[0]} == changed
    assert check(index).ok


def test_a_new_import_updates_the_imported_modules_pages(workspace):
    export(_build(workspace))
    helpers = workspace / "shop" / "util" / "helpers.py"
    helpers.write_text(helpers.read_text() + "\nfrom shop.pricing import apply_discount\n")
    index = _build(workspace)
    result = export(index)
    assert "shop/pricing.py_docs.md" in result.written_pages  # "Used by" gained an importer
    assert check(index).ok


def test_a_deleted_file_loses_its_pages_and_nothing_else_is_removed(workspace):
    export(_build(workspace))
    output = workspace / "docs" / "repodoc"
    mine = output / "shop" / "notes.txt"
    mine.write_text("a file of the user's")
    (workspace / "scripts" / "run_me.py").unlink()
    index = _build(workspace)
    result = export(index)
    assert result.removed >= 2
    assert not (output / "scripts" / "run_me.py_docs.md").exists()
    assert not (output / "scripts").exists()  # its folder pages went with the last file
    assert mine.read_text() == "a file of the user's"
    assert check(index).ok


def test_a_page_edited_by_hand_is_restored(workspace):
    export(_build(workspace))
    page = workspace / "docs" / "repodoc" / "shop" / "cart.py_docs.md"
    original = page.read_bytes()
    page.write_text("edited")
    index = _build(workspace)
    assert check(index).stale == ["shop/cart.py_docs.md"]
    result = export(index)
    assert result.written_pages == ("shop/cart.py_docs.md",)
    assert page.read_bytes() == original


def test_files_it_did_not_write_are_never_overwritten(workspace):
    output = workspace / "docs" / "repodoc"
    (output / "shop").mkdir(parents=True)
    (output / "shop" / "cart.py_docs.md").write_text("mine")
    with pytest.raises(ExportError, match=r"not written by repodoc.*\n  shop/cart.py_docs.md"):
        export(_build(workspace))
    assert sorted(p.name for p in output.rglob("*")) == ["cart.py_docs.md", "shop"]  # nothing written
    result = export(_build(workspace), force=True)
    assert result.written > 10 and (output / "shop" / "cart.py_docs.md").read_text() != "mine"


@pytest.mark.parametrize("where", [".", ".."])
def test_an_output_folder_holding_the_root_is_refused(workspace, where):
    with pytest.raises(ExportError, match="contains the workspace root"):
        export(_build(workspace), workspace / where)


def test_check_reports_stale_missing_extra_and_broken(workspace):
    index = _build(workspace)
    export(index)
    output = workspace / "docs" / "repodoc"
    (output / "shop" / "cart.py_kw.md").unlink()
    (output / "extra.md").write_text("[gone](nowhere.md)\n")
    with open(output / "shop" / "pricing.py_docs.md", "a") as fh:
        fh.write("\n[bad](cart.py_docs.md#no-such-anchor)\n")
    result = check(index)
    assert result.missing == ["shop/cart.py_kw.md"]
    assert result.stale == ["shop/pricing.py_docs.md"]
    assert result.extra == ["extra.md"]
    assert {(b.page, b.target) for b in result.broken} >= {
        ("extra.md", "nowhere.md"),
        ("shop/pricing.py_docs.md", "cart.py_docs.md#no-such-anchor"),
    }


def test_templates_can_be_overridden_by_the_workspace(workspace):
    custom = workspace / "my_templates"
    custom.mkdir()
    (custom / "file_kw.md.j2").write_text("# {{ title | text }} (custom)\n")
    index = _build(workspace, templates="my_templates")
    export(index)
    output = workspace / "docs" / "repodoc"
    assert (output / "shop" / "cart.py_kw.md").read_text() == "# shop/cart.py (custom)\n"
    assert (output / "shop" / "cart.py_docs.md").read_text().startswith("# `shop/cart.py`\n")
    # A changed template changes the fingerprint: everything is re-rendered, the kw pages rewritten.
    (custom / "file_kw.md.j2").write_text("# {{ title | text }} (custom 2)\n")
    result = export(_build(workspace, templates="my_templates"))
    assert result.rendered > result.written > 0
    # (The template is itself a file of the workspace: its own page changes too.)
    assert {p for p in result.written_pages if not p.endswith("_kw.md")} == {
        "my_templates/file_kw.md.j2_docs.md"
    }


_KILLED_EXPORT = """
import os, sys
from repodoc_ls.config import load_settings
from repodoc_ls.docs import export as e
from repodoc_ls.index.indexer import Index

import threading
count = 0
lock = threading.Lock()
real = e.atomic_write

def slow_write(target, data):
    global count
    real(target, data)
    if not str(target).endswith(".md"):
        return  # the manifest
    with lock:
        count += 1
        half = count == int(sys.argv[2])
    if half:
        print("HALF", flush=True)
        import time; time.sleep(60)

e.atomic_write = slow_write
e.export(Index.build(load_settings(sys.argv[1], {"jobs": 1})))
"""


def test_an_export_killed_half_way_leaves_whole_pages_and_a_rerun_completes(workspace):
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILLED_EXPORT, str(workspace), "30"], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline().strip() == "HALF"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    output = workspace / "docs" / "repodoc"
    index = _build(workspace)
    expected = render_all(Renderer(index))
    on_disk = [p for p in output.rglob("*.md")]
    assert len(on_disk) >= 30
    for path in on_disk:  # every page on disk is whole: exactly what export renders
        assert path.read_bytes() == expected[path.relative_to(output).as_posix()]
    result = export(index)  # no conflict: the claimed pages are recognised as ours
    assert result.written == len(expected) - len(on_disk)
    assert not list(output.rglob("*.repodoc-tmp"))  # the killed run's temporary files are gone
    assert check(index).ok


def test_the_fixture_test_node_ids_are_accepted_by_pytest(workspace):
    index = _build(workspace)
    page = Renderer(index).render_page("tests/test_pricing.py", "docs")
    page += Renderer(index).render_page("tests/test_package.py", "docs")
    node_ids = sorted(
        {
            line.split("`python -m pytest ")[1].split("`")[0]
            for line in page.splitlines()
            if "`python -m pytest tests/test_" in line and "::" in line
        }
    )
    assert "tests/test_pricing.py::TestCurrency::test_default" in node_ids
    assert "tests/test_package.py::TestPackage::test_total" in node_ids
    env = {**os.environ, "PYTHONPATH": str(workspace)}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--collect-only",
            "-q",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(workspace),
            *node_ids,
        ],
        cwd=workspace,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for node in node_ids:
        assert node in proc.stdout


def test_progress_reports_reach_the_total(workspace):
    seen = []
    export(_build(workspace), progress=lambda done, total, msg: seen.append((done, total, msg)))
    assert seen and seen[-1][0] == seen[-1][1]
    assert {msg for _, _, msg in seen} >= {"rendering", "writing"}
    assert export_module.unit_of_page("a/b.py_docs.md").path == "a/b.py"


@pytest.mark.parametrize("pool", [False, True], ids=["in-process", "forked-workers"])
def test_a_build_for_an_export_writes_its_store_while_the_export_renders(workspace, monkeypatch, pool):
    if pool:
        monkeypatch.setattr(export_module, "_MIN_UNITS_FOR_POOL", 1)
    settings = load_settings(workspace, {"jobs": 2})
    plain = Index.build(settings, persistent=False)
    index = Index.build(settings, defer_store=True)
    assert index.store.file_table() == {}  # nothing written yet...
    assert index.content_hashes() == plain.content_hashes()  # ...but the hashes are known
    result = export(index)
    assert result.written == len(render_all(Renderer(plain)))
    assert set(index.store.file_table()) == set(plain.paths())
    assert index.store._conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    again = Index.build(settings)
    assert (again.stats.extracted, again.stats.reused) == (0, len(plain.paths()))
    assert sorted(again.store.edges()) == sorted(plain.store.edges())
    assert check(again).ok


def test_an_index_store_that_cannot_be_written_costs_a_warning_not_the_export(workspace, monkeypatch):
    import sqlite3

    from repodoc_ls.index.store import Store

    def disk_full(self, entries):
        raise sqlite3.OperationalError("database or disk is full")

    index = Index.build(load_settings(workspace), defer_store=True)
    hashes = index.content_hashes()
    monkeypatch.setattr(Store, "write_files", disk_full)
    result = export(index)
    assert result.written == len(render_all(Renderer(index)))
    assert any("could not write the index store (database or disk is full)" in w for w in index.warnings)
    assert index.content_hashes() == hashes
    monkeypatch.undo()
    again = Index.build(load_settings(workspace))
    assert again.stats.extracted == len(hashes)  # nothing was stored: everything is extracted again
    assert check(again).ok
