"""Links from pages into sources: Markdown sources by heading anchor (forges ignore `#L<n>` on
rendered Markdown), and the `source-url` setting that points every source link at a forge."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest
from lsprotocol import types
from markdown_it import MarkdownIt
from pygls.exceptions import JsonRpcInvalidParams
from server_helpers import request, running_server, uri

from repodoc_ls.config import SettingsError, load_settings
from repodoc_ls.docs import pages
from repodoc_ls.docs.export import export
from repodoc_ls.docs.linkcheck import check_links, page_anchors
from repodoc_ls.docs.slugs import source_headings
from repodoc_ls.docs.sourceurl import git_head_commit
from repodoc_ls.index.indexer import Index

# Headings and the anchors GitHub gives them (github-slugger), written out by hand.
GUIDE = """---
title: not a heading
---
# The Guide

Intro.

## Usage

Text under usage.

## Usage

Second usage section.

## `repodoc check` in CI

Café menu
---------

```
# not a heading
```
"""
GUIDE_ANCHORS = {1 + 3: "the-guide", 8: "usage", 12: "usage-1", 16: "repodoc-check-in-ci", 18: "café-menu"}

FORGE = "https://github.com/owner/repo/blob/{rev}/{path}#L{line}"
_MD = MarkdownIt("commonmark").enable("table")


def _workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    (ws / "pkg").mkdir(parents=True)
    (ws / "pkg" / "__init__.py").write_text('"""Pkg."""\n')
    (ws / "pkg" / "mod.py").write_text('"""Mod."""\n\n\ndef run():\n    return 1\n')
    (ws / "docs").mkdir()
    (ws / "docs" / "guide.md").write_text(GUIDE, encoding="utf-8")
    return ws


def _export(ws: Path, tmp_path: Path, **overrides) -> Path:
    out = tmp_path / "out"
    settings = load_settings(ws, {"output_dir": str(out), "cache_dir": str(tmp_path / "cache"), **overrides})
    export(Index.build(settings), out)
    return out


def _links(page: str) -> list[str]:
    out = []
    for tok in _MD.parse(page):
        for child in tok.children or ():
            if child.type == "link_open":
                out.append(str(child.attrs["href"]))
    return out


def _all_links(out: Path) -> list[str]:
    return [link for page in sorted(out.rglob("*.md")) for link in _links(page.read_text(encoding="utf-8"))]


def _leaving(out: Path) -> list[str]:
    """Relative links of the doc set that lead out of the output folder."""
    found = []
    for page in sorted(out.rglob("*.md")):
        for link in _links(page.read_text(encoding="utf-8")):
            if not re.match(r"[a-z]+:", link):
                target = (page.parent / unquote(link.partition("#")[0])).resolve()
                if not target.is_relative_to(out.resolve()):
                    found.append(link)
    return found


def test_markdown_sources_are_linked_by_heading_anchor(tmp_path):
    ws = _workspace(tmp_path)
    out = _export(ws, tmp_path)
    page = (out / pages.file_page("docs/guide.md")).read_text(encoding="utf-8")
    targets = [t for t in _links(page) if "guide.md" in t and "_docs" not in t and "_kw" not in t]
    fragments = {t.partition("#")[2] for t in targets if "#" in t}
    expected = {pages.heading_fragment(a) for a in GUIDE_ANCHORS.values()}
    assert fragments == expected
    # no page anywhere links a Markdown source by line
    assert not [t for t in _all_links(out) if re.search(r"\.md#L\d", t)]
    assert check_links(out, source_root=ws) == []
    assert _leaving(out)  # without source-url, source links are relative to the output folder


def test_linkcheck_rejects_line_anchors_on_markdown_and_checks_headings(tmp_path):
    ws = _workspace(tmp_path)
    out = _export(ws, tmp_path)
    extra = {
        "extra.md": "[a](../ws/docs/guide.md#L4) [b](../ws/docs/guide.md#usage-1) "
        "[c](../ws/docs/guide.md#usage-2) [d](../ws/docs/guide.md#title-not-a-heading)\n"
    }
    got = {(b.target, b.reason.split(":")[0]) for b in check_links(out, extra, source_root=ws)}
    targets = {t for t, _ in got}
    assert targets == {
        "../ws/docs/guide.md#L4",
        "../ws/docs/guide.md#usage-2",
        "../ws/docs/guide.md#title-not-a-heading",
    }
    assert any("forges ignore line anchors" in b.reason for b in check_links(out, extra, source_root=ws))


def test_source_url_links_every_source_to_the_forge(tmp_path):
    ws = _workspace(tmp_path)
    out = _export(ws, tmp_path, source_url=FORGE, source_rev="v1.2")
    links = _all_links(out)
    base = "https://github.com/owner/repo/blob/v1.2/"
    assert f"{base}pkg/mod.py#L4" in links  # the function `run`
    assert f"{base}pkg/mod.py" in links  # the file itself
    assert f"{base}docs/guide.md#usage-1" in links
    assert not _leaving(out)  # no relative link leaves the output folder: mkdocs can publish it
    assert check_links(out, source_root=ws) == []  # external links are not followed


def test_source_url_without_a_line_part_links_files(tmp_path):
    ws = _workspace(tmp_path)
    out = _export(ws, tmp_path, source_url="https://forge.example/r/{path}", source_rev="x")
    mod = _links((out / pages.file_page("pkg/mod.py")).read_text(encoding="utf-8"))
    assert "https://forge.example/r/pkg/mod.py" in mod and not [t for t in mod if "mod.py#" in t]


@pytest.mark.parametrize(
    "template",
    [
        "ftp://host/{path}",
        "https://host/{pth}",
        "https://host/file",  # no {path}
        "https://host/{path}{line}",  # a line outside the fragment
        "https://host/{path}) [x](y",  # would break out of the link
        "https://host/{path}#L{line:>4}",
        "javascript:alert(1)//{path}",
    ],
)
def test_bad_source_urls_are_refused_from_the_workspace_and_the_user(tmp_path, template):
    ws = _workspace(tmp_path)
    with pytest.raises(SettingsError, match="source-url"):
        load_settings(ws, {"source_url": template})
    (ws / "pyproject.toml").write_text(f"[tool.repodoc]\nsource-url = {template!r}\n")
    result = subprocess.run(
        [sys.executable, "-m", "repodoc_ls", "export", str(ws), "-o", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_a_workspace_may_set_source_url_and_rev_is_read_from_git(tmp_path):
    ws = _workspace(tmp_path)
    (ws / "pyproject.toml").write_text(f'[tool.repodoc]\nsource-url = "{FORGE}"\n')
    git = ["git", "-C", str(ws), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "one"], check=True)
    head = subprocess.run(
        [*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert git_head_commit(ws) == head  # read from .git/refs/heads/main
    subprocess.run([*git, "pack-refs", "--all"], check=True)
    assert not (ws / ".git" / "refs" / "heads" / "main").exists()
    assert git_head_commit(ws) == head  # read from .git/packed-refs
    subprocess.run([*git, "checkout", "-q", "--detach"], check=True)
    assert git_head_commit(ws) == head  # a detached HEAD
    out = _export(ws, tmp_path)
    assert f"https://github.com/owner/repo/blob/{head}/pkg/mod.py#L4" in _all_links(out)


def test_unknown_rev_is_an_error_not_a_guess(tmp_path):
    ws = _workspace(tmp_path)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "repodoc_ls",
            "export",
            str(ws),
            "-o",
            str(tmp_path / "out"),
            "--source-url",
            FORGE,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 2 and "source-rev" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_changing_the_rev_renders_the_pages_again(tmp_path):
    ws = _workspace(tmp_path)
    out = _export(ws, tmp_path, source_url=FORGE, source_rev="a")
    out = _export(ws, tmp_path, source_url=FORGE, source_rev="b")
    links = _all_links(out)
    assert not [t for t in links if "/blob/a/" in t] and [t for t in links if "/blob/b/" in t]


# -- the language server: a `{rev}` nothing names costs the forge links, not the pages


async def test_server_without_a_rev_shows_pages_with_local_links_and_refuses_export(tmp_path):
    ws = _workspace(tmp_path).resolve()
    (ws / "pyproject.toml").write_text(f'[tool.repodoc]\nsource-url = "{FORGE}"\n')
    async with running_server(ws) as client:
        assert any("source-rev" in m.message for m in client.messages)  # said once, at start
        doc = await request(client, "repodoc/fileDoc", {"uri": uri(ws, "pkg/mod.py")})
        assert "](../../../pkg/mod.py#L4)" in doc["markdown"] and "github.com" not in doc["markdown"]
        with pytest.raises(JsonRpcInvalidParams, match="source-rev"):
            await client.workspace_execute_command_async(
                types.ExecuteCommandParams(command="repodoc.exportDocs", arguments=[{"uri": uri(ws)}])
            )
    assert not (ws / "docs" / "repodoc").exists()


async def test_server_pages_link_to_the_forge_with_a_rev(tmp_path):
    ws = _workspace(tmp_path).resolve()
    (ws / "pyproject.toml").write_text(f'[tool.repodoc]\nsource-url = "{FORGE}"\nsource-rev = "main"\n')
    async with running_server(ws) as client:
        doc = await request(client, "repodoc/fileDoc", {"uri": uri(ws, "docs/guide.md")})
        assert "](https://github.com/owner/repo/blob/main/docs/guide.md#usage-1)" in doc["markdown"]


def test_source_headings_agree_with_linkcheck_on_this_projects_markdown():
    """The renderer's block-only parse finds the anchors linkcheck's full parse finds."""
    root = Path(__file__).resolve().parents[1]
    for name in ("README.md", "ARCHITECTURE.md", "CHANGELOG.md", "nvim-client/README.md"):
        text = (root / name).read_text(encoding="utf-8")
        text += "\n[ref]: https://example.com\n# Heading with ![img][ref] and [link][ref]\n# `code` *em*\n"
        anchors = {anchor for _, anchor in source_headings(text)}
        headings = [t for t in _MD.parse(text) if t.type == "heading_open"]
        assert len(anchors) == len(headings) and anchors <= page_anchors(text), name
