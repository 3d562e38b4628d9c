"""`check` on its fast path (the manifest, the recorded links, markdown-it only for pages
whose bytes are not the recorded ones) against `check --deep` (render everything, parse
everything): the oracle. No timings: what is rendered and parsed is counted instead."""

from __future__ import annotations

import os
from pathlib import Path

from repodoc_ls.config import load_settings
from repodoc_ls.docs import linkcheck
from repodoc_ls.docs.check import CheckResult, check
from repodoc_ls.docs.export import export
from repodoc_ls.docs.linkrecord import LINKS_NAME
from repodoc_ls.docs.render import Renderer
from repodoc_ls.index.indexer import Index


def _build(ws: Path) -> Index:
    return Index.build(load_settings(ws))


def _fields(result: CheckResult) -> dict[str, object]:
    return {
        "stale": result.stale,
        "missing": result.missing,
        "extra": result.extra,
        "stray": result.stray,
        "broken": result.broken,
        "manifest_error": result.manifest_error,
    }


def _same_as_deep(index: Index) -> CheckResult:
    fast = check(index)
    assert _fields(fast) == _fields(check(index, deep=True))
    return fast


def test_a_fresh_export_checks_clean_without_rendering_or_parsing(workspace, monkeypatch):
    index = _build(workspace)
    export(index)
    assert (workspace / "docs" / "repodoc" / LINKS_NAME).is_file()
    rendered, parsed = [], []
    real_render, real_parse = Renderer.render_unit, linkcheck._parse
    monkeypatch.setattr(
        Renderer, "render_unit", lambda self, unit: rendered.append(unit) or real_render(self, unit)
    )
    monkeypatch.setattr(linkcheck, "_parse", lambda text: parsed.append(text) or real_parse(text))
    assert check(index).ok
    assert rendered == []
    # markdown-it reads only the workspace's own Markdown files a link's anchor points into
    assert all(not text.startswith("# ") or "repodoc" not in text for text in parsed)
    assert len(parsed) <= 2


def test_new_mtimes_as_in_a_fresh_clone_change_nothing(workspace, monkeypatch):
    index = _build(workspace)
    export(index)
    output = workspace / "docs" / "repodoc"
    for page in output.rglob("*.md"):
        os.utime(page, ns=(1, 1))
    rendered = []
    real_render = Renderer.render_unit
    monkeypatch.setattr(
        Renderer, "render_unit", lambda self, unit: rendered.append(unit) or real_render(self, unit)
    )
    assert check(index).ok and rendered == []


def test_stale_missing_extra_hand_edited_and_lost_lines_as_deep_reports_them(workspace, monkeypatch):
    export(_build(workspace))
    output = workspace / "docs" / "repodoc"
    with open(workspace / "shop" / "cart.py", "a") as fh:  # stale pages
        fh.write("\n\ndef added_later():\n    return 1\n")
    (output / "shop" / "cart.py_kw.md").unlink()  # a missing page
    (output / "extra.md").write_text("[gone](nowhere.md)\n")  # an extra file, broken link
    with open(output / "shop" / "pricing.py_docs.md", "a") as fh:  # a hand edit, broken link
        fh.write("\n[bad](cart.py_docs.md#no-such-anchor)\n")
    (workspace / "README.md").write_text("# Fixture workspace\n")  # lines a page links to are gone
    index = _build(workspace)
    parsed = []
    real_parse = linkcheck._parse
    monkeypatch.setattr(linkcheck, "_parse", lambda text: parsed.append(text) or real_parse(text))
    result = check(index)
    pages_parsed = {text for text in parsed if "[gone]" in text or "no-such-anchor" in text}
    assert len(pages_parsed) == 2  # only the pages whose bytes are not the recorded ones
    monkeypatch.setattr(linkcheck, "_parse", real_parse)
    assert _fields(result) == _fields(check(index, deep=True))
    assert "shop/cart.py_docs.md" in result.stale and "shop/pricing.py_docs.md" in result.stale
    assert "README.md_docs.md" in result.stale
    assert result.missing == ["shop/cart.py_kw.md"]
    assert result.extra == result.stray == ["extra.md"]
    broken = {(b.page, b.target) for b in result.broken}
    assert ("extra.md", "nowhere.md") in broken
    assert ("shop/pricing.py_docs.md", "cart.py_docs.md#no-such-anchor") in broken
    assert ("README.md_docs.md", "../../README.md#L10") in broken


def test_missing_or_damaged_link_records_fall_back_to_markdown_it(workspace):
    index = _build(workspace)
    export(index)
    output = workspace / "docs" / "repodoc"
    with open(output / "shop" / "pricing.py_docs.md", "a") as fh:
        fh.write("\n[bad](cart.py_docs.md#no-such-anchor)\n")
    records = output / LINKS_NAME
    lines = records.read_bytes().split(b"\n")
    records.write_bytes(b"\n".join(line[: len(line) // 2] for line in lines))
    damaged = _same_as_deep(index)
    records.unlink()
    assert _fields(_same_as_deep(index)) == _fields(damaged)
    assert [b.target for b in damaged.broken] == ["cart.py_docs.md#no-such-anchor"]


def test_a_page_whose_record_lies_is_not_believed_once_its_bytes_differ(workspace):
    index = _build(workspace)
    export(index)
    output = workspace / "docs" / "repodoc"
    page = output / "shop" / "pricing.py_docs.md"
    page.write_text(page.read_text() + "\n[bad](nowhere.md)\n")
    result = _same_as_deep(index)
    assert ("shop/pricing.py_docs.md", "nowhere.md") in {(b.page, b.target) for b in result.broken}
