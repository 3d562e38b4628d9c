"""The manifest's number rows (format 6): a save and a load give back the same records and
the same bytes, a row that is not one repodoc writes is a one-line ManifestError, and a
format-5 manifest is another version's (its pages are ours, nothing else is reused)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from test_untrusted_output import HOSTILE_ROWS, _page_rows

from repodoc_ls.config import load_settings
from repodoc_ls.docs import manifestjson
from repodoc_ls.docs.export import export
from repodoc_ls.docs.manifest import MANIFEST_FORMAT, Manifest, ManifestError, PageRecord
from repodoc_ls.docs.manifestjson import WrongShape, number_rows, row_numbers
from repodoc_ls.index.indexer import Index
from repodoc_ls.scan import MANIFEST_NAME


def _by_name() -> Manifest:
    manifest = Manifest(
        "fp",
        {f"m{i}.py": f"h{i}" for i in range(12)},
        imports={"m1.py": ("m0.py", "m10.py"), "m2.py": ("/outside/mod.py",)},
        kind_reads={"m3.py": ("m1.py", "m3.py")},
    )
    manifest.entries = {("m1.py", "f"): "e1", ("m11.py", "g"): "e2"}
    manifest.pages = {
        "a.md": PageRecord("ha", 10, 20, ("m0.py", "m1.py", "m11.py"), ("m10.py",), (("m1.py", "f"),)),
        "b.md": PageRecord("hb", 11, 21, ("m1.py",), (), (("m1.py", "f"), ("m11.py", "g"))),
        "c.md": PageRecord("hc", 12, 22),
        "d.md": PageRecord(None),
    }
    return manifest


def test_a_saved_manifest_loads_as_the_same_records_and_saves_the_same_bytes(tmp_path):
    saved = _by_name()
    saved.save(tmp_path / "one")
    raw = json.loads((tmp_path / "one" / MANIFEST_NAME).read_text())
    assert raw["format"] == MANIFEST_FORMAT == 6
    files = raw["files"]
    assert raw["deps"][0] == "".join(f",{files.index(f)}" for f in ("m0.py", "m1.py", "m11.py")) + ","
    assert raw["deps"][2] == raw["counted"][1] == raw["names"][2] == ","
    assert raw["names"][1] == ",0,1,"  # ascending
    assert raw["imports"][files.index("m2.py")] == f",{files.index('/outside/mod.py')},"
    loaded = Manifest.load(tmp_path / "one")
    assert loaded is not None
    assert all(record._table is loaded.table for record in loaded.pages.values())  # not decoded
    loaded.save(tmp_path / "two")  # verbatim
    assert (tmp_path / "two" / MANIFEST_NAME).read_bytes() == (tmp_path / "one" / MANIFEST_NAME).read_bytes()
    assert loaded.pages == saved.pages and loaded.pages["a.md"] != saved.pages["b.md"]
    assert (loaded.imports, loaded.kind_reads, loaded.entries) == (
        saved.imports,
        saved.kind_reads,
        saved.entries,
    )
    loaded.save(tmp_path / "three")  # decoded by name now: numbered anew, the same bytes
    assert (tmp_path / "three" / MANIFEST_NAME).read_bytes() == (
        tmp_path / "one" / MANIFEST_NAME
    ).read_bytes()


def test_a_numbering_that_lost_a_file_or_key_is_made_anew(tmp_path):
    _by_name().save(tmp_path / "one")
    loaded = Manifest.load(tmp_path / "one")
    assert loaded is not None and loaded.table is not None
    del loaded.pages["a.md"]  # the only page with m0.py, m10.py (not sources once dropped)
    for gone in ("m0.py", "m10.py"):
        del loaded.sources[gone]
    del loaded.imports["m1.py"]
    assert loaded._numbering() is None
    loaded.save(tmp_path / "two")
    again = Manifest.load(tmp_path / "two")
    assert again is not None and again.table is not None
    assert "m0.py" not in again.table.files and again.pages["b.md"] == loaded.pages["b.md"]
    del again.pages["b.md"]  # the last page looking up ("m11.py", "g")
    assert again._numbering() is None
    again.save(tmp_path / "three")
    last = Manifest.load(tmp_path / "three")
    assert last is not None and last.table is not None and last.table.keys == []
    assert last._numbering() == (last.table.files, [])


@pytest.mark.parametrize("name", list(HOSTILE_ROWS))
def test_a_hostile_number_row_is_one_line(tmp_path, name):
    (tmp_path / MANIFEST_NAME).write_bytes(HOSTILE_ROWS[name])
    with pytest.raises(ManifestError) as caught:
        Manifest.load(tmp_path)
    assert "\n" not in str(caught.value) and "not one repodoc wrote" in str(caught.value)


@pytest.mark.parametrize("row", [",", ",0,"])
def test_the_hostile_rows_manifest_loads_with_a_good_row(tmp_path, row):
    (tmp_path / MANIFEST_NAME).write_bytes(_page_rows(row, row))
    manifest = Manifest.load(tmp_path)
    assert manifest is not None
    assert manifest.pages["a.md"].deps == manifest.pages["a.md"].counted == (("a.py",) if row != "," else ())


def test_a_format_5_manifest_is_another_versions(workspace):
    output = workspace / "docs" / "repodoc"
    first = export(Index.build(load_settings(workspace)))
    raw = json.loads((output / MANIFEST_NAME).read_text())
    for key in ("deps", "counted", "names", "imports", "kind_reads"):
        raw[key] = [[int(n) for n in row.strip(",").split(",") if n] for row in raw[key]]
    raw["format"] = 5
    (output / MANIFEST_NAME).write_text(json.dumps(raw))
    old = Manifest.load(output)
    assert old is not None and old.table is None and not old.sources
    assert set(old.pages) == set(raw["pages"]) and all(r.hash is None for r in old.pages.values())
    again = export(Index.build(load_settings(workspace)))
    assert again.rendered == first.rendered and again.written == 0 and again.removed == 0
    assert json.loads((output / MANIFEST_NAME).read_text())["format"] == 6
    assert export(Index.build(load_settings(workspace))).rendered == 0


def test_number_rows_are_saved_verbatim_when_nothing_changed(workspace, tmp_path: Path):
    output = workspace / "docs" / "repodoc"
    export(Index.build(load_settings(workspace)))
    before = (output / MANIFEST_NAME).read_bytes()
    assert export(Index.build(load_settings(workspace))).rendered == 0
    assert (output / MANIFEST_NAME).read_bytes() == before


@pytest.mark.parametrize("bound", [0, 1, 2, 9, 10, 11, 99, 100, 101, 250, 1000, 7388, 10000, 12345])
def test_a_number_row_holds_exactly_the_numbers_below_its_bound(bound):
    """The one regex that checks a number column (manifestjson.number_rows) admits a number
    just when it is below the bound and written without a leading zero."""
    probes = {*range(130), *range(max(bound - 12, 0), bound + 12), 10 * bound, 99999}
    for n in sorted(probes):
        raw = {"rows": [",", f",{n},", ","]}
        if n < bound:
            assert number_rows(raw, "rows", 3, bound)[1] == f",{n},"
        else:
            with pytest.raises(WrongShape):
                number_rows(raw, "rows", 3, bound)
        with pytest.raises(WrongShape):
            number_rows({"rows": [f",0{n},"]}, "rows", 1, bound)
    if bound > 2:
        row = f",0,1,{bound - 1},"
        assert row_numbers(number_rows({"rows": [row]}, "rows", 1, bound)[0]) == (0, 1, bound - 1)


@pytest.mark.skipif(sys.version_info < (3, 11), reason="atomic groups: Python 3.11")
@pytest.mark.parametrize("bound", [1, 10, 101, 7388])
def test_the_row_by_row_check_of_older_pythons_agrees_with_the_one_regex(bound, monkeypatch):
    """Python 3.10 has no atomic groups: it checks a column row by row (the same numbers)."""
    rows = [",", f",0,{bound - 1},", f",{bound},", ",01,", ",1", "1,", ",,", ",-1,", ",1,2,", ",\u00b2,", ""]
    for row in rows:
        for column in ([row], [",", row], [row, ","]):
            results = []
            for version in (sys.version_info, (3, 10)):
                monkeypatch.setattr(manifestjson.sys, "version_info", version)
                try:
                    results.append(number_rows({"rows": column}, "rows", len(column), bound))
                except WrongShape:
                    results.append(None)
            monkeypatch.undo()
            assert results[0] == results[1], (bound, column)
