"""The links and anchors an export records for each page (`.repodoc-links.jsonl`) against
what markdown-it finds in the page's bytes on disk (linkcheck.parse_page), the oracle."""

from __future__ import annotations

from repodoc_ls.config import load_settings
from repodoc_ls.docs.export import export
from repodoc_ls.docs.linkcheck import is_absolute_url, parse_page
from repodoc_ls.docs.linkrecord import load_records
from repodoc_ls.docs.manifest import page_hash
from repodoc_ls.index.indexer import Index


def test_every_page_of_the_fixture_workspace_records_what_markdown_it_finds(workspace):
    export(Index.build(load_settings(workspace)))
    output = workspace / "docs" / "repodoc"
    records = load_records(output)
    pages = {str(p.relative_to(output)) for p in output.rglob("*.md")}
    assert len(pages) >= 10
    assert records.keys() == pages
    for page, (digest, parsed) in sorted(records.items()):
        data = (output / page).read_bytes()
        assert digest == page_hash(data), page
        assert parsed is not None, page  # every page repodoc writes is read without markdown-it
        links, anchors = parse_page(data.decode("utf-8"))
        expected = sorted(link for link in links if not is_absolute_url(link[1]))
        assert (sorted(parsed[0]), parsed[1]) == (expected, anchors), page
