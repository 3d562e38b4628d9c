"""The links and anchors an export records for each page (`.repodoc-links.jsonl`) against
what markdown-it finds in the page's bytes on disk (linkcheck.parse_page), the oracle."""

from __future__ import annotations

from repodoc_ls.config import load_settings
from repodoc_ls.docs.export import export
from repodoc_ls.docs.linkcheck import is_absolute_url, parse_page
from repodoc_ls.docs.linkrecord import load_records
from repodoc_ls.docs.pagefiles import page_hash
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


def _records_match_pages(output) -> None:
    """Every page on disk has a record for its bytes, as markdown-it reads them."""
    records = load_records(output)
    for page in (str(p.relative_to(output)) for p in output.rglob("*.md")):
        data = (output / page).read_bytes()
        digest, parsed = records[page]
        assert digest == page_hash(data) and parsed is not None, page
        links, anchors = parse_page(data.decode("utf-8"))
        assert (sorted(parsed[0]), parsed[1]) == (
            sorted(link for link in links if not is_absolute_url(link[1])),
            anchors,
        ), page


def _edit(workspace, n: int) -> None:
    with open(workspace / "shop" / "pricing.py", "a") as fh:
        fh.write(f"\n\ndef added_{n}(value):\n    return value\n")


def test_an_export_after_an_edit_appends_its_records_and_a_half_line_does_not_spoil_them(workspace):
    from repodoc_ls.docs.check import check
    from repodoc_ls.docs.linkrecord import LINKS_NAME

    export(Index.build(load_settings(workspace)))
    output = workspace / "docs" / "repodoc"
    records = output / LINKS_NAME
    before = records.read_bytes()
    _edit(workspace, 1)
    export(Index.build(load_settings(workspace)))
    after = records.read_bytes()
    assert after.startswith(before) and len(after) > len(before)  # appended, not rewritten
    _records_match_pages(output)
    with open(records, "ab") as fh:  # what an export killed mid-write leaves
        fh.write(b'"shop/pricing.py_docs.md"\t0123')
    _edit(workspace, 2)
    index = Index.build(load_settings(workspace))
    export(index)
    _records_match_pages(output)
    fast = check(index)
    assert fast.ok and fast == check(index, deep=True)


def test_records_grown_to_twice_their_base_are_rewritten_one_line_a_page(workspace):
    import json

    from repodoc_ls.docs.linkrecord import LINKS_NAME
    from repodoc_ls.scan import MANIFEST_NAME

    export(Index.build(load_settings(workspace)))
    output = workspace / "docs" / "repodoc"
    manifest = json.loads((output / MANIFEST_NAME).read_text())
    assert manifest["links_base"] == (output / LINKS_NAME).stat().st_size
    for n in range(1, 30):
        _edit(workspace, n)
        export(Index.build(load_settings(workspace)))
        size = (output / LINKS_NAME).stat().st_size
        base = json.loads((output / MANIFEST_NAME).read_text())["links_base"]
        assert size < 2 * base + size // 2  # never far past twice its base
        if base == size:
            break
    else:
        raise AssertionError("the records were never rewritten")
    lines = (output / LINKS_NAME).read_bytes().splitlines()
    assert len(lines) == len({line.split(b"\t")[0] for line in lines}) == len(list(output.rglob("*.md")))
    _records_match_pages(output)


def test_records_with_another_name_are_never_written_through(workspace, tmp_path):
    import os

    from repodoc_ls.docs.linkrecord import LINKS_NAME

    export(Index.build(load_settings(workspace)))
    output = workspace / "docs" / "repodoc"
    elsewhere = tmp_path / "elsewhere.txt"
    os.link(output / LINKS_NAME, elsewhere)  # a hard link a hostile repository could commit
    kept = elsewhere.read_bytes()
    _edit(workspace, 1)
    export(Index.build(load_settings(workspace)))
    assert elsewhere.read_bytes() == kept
    _records_match_pages(output)
