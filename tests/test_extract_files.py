"""Tests for repodoc_ls.extract: dispatch, Markdown, data files, text and binary files."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from repodoc_ls.extract import MAX_NON_PYTHON_BYTES, extract_file, file_type, is_python_shebang
from repodoc_ls.model import FileFacts, FileKind, NoteKind, OutlineEntry

FIXTURE = Path(__file__).parent / "fixtures" / "ws"


def fixture(rel: str) -> FileFacts:
    return extract_file(rel, (FIXTURE / rel).read_bytes())


def outline(facts: FileFacts) -> list[tuple[int, str, int]]:
    return [(o.level, o.title, o.line) for o in facts.outline]


# --------------------------------------------------------------------------- Markdown


def test_fixture_readme():
    facts = fixture("README.md")
    assert facts.kind == FileKind.MARKDOWN
    assert facts.path == "README.md"
    assert facts.encoding == "utf-8"
    assert facts.size == (FIXTURE / "README.md").stat().st_size
    assert facts.lines == 12
    assert outline(facts) == [(1, "Fixture workspace", 1), (2, "Layout", 5), (2, "Running the tests", 10)]
    assert facts.summary == "A small workspace that exercises every case the index must handle."
    assert facts.notes == []


def test_markdown_fences_setext_and_front_matter():
    text = (
        "\n".join(
            [
                "---",  # 1 front matter
                "title: # not a heading",  # 2
                "---",  # 3
                "[![build](https://ci/badge.svg)](https://ci)",  # 4 badges only: not the summary
                "",  # 5
                "Project Title",  # 6
                "=============",  # 7
                "",  # 8
                "First *prose* paragraph",  # 9
                "on two lines.",  # 10
                "",  # 11
                "```python",  # 12
                "# a comment, not a heading",  # 13
                "```",  # 14
                "~~~~",  # 15
                "## still code",  # 16
                "~~~",  # 17 too short to close
                "~~~~~",  # 18 closes
                "Second",  # 19
                "------",  # 20 setext level 2
                "#hashtag is not a heading",  # 21
                "   ### Closed heading ###",  # 22
                "    # indented code",  # 23
                "<!--",  # 24
                "# commented out",  # 25
                "-->",  # 26
                "",  # 27
                "---",  # 28 a thematic break, not a heading
                "####### seven is too many",  # 29
                "###### Six",  # 30
                "#",  # 31 empty heading: nothing to list
            ]
        )
        + "\n"
    )
    facts = extract_file("docs/guide.md", text.encode())
    assert outline(facts) == [
        (1, "Project Title", 6),
        (2, "Second", 19),
        (3, "Closed heading", 22),
        (6, "Six", 30),
    ]
    assert facts.docstring == "First *prose* paragraph on two lines."
    assert facts.lines == 31


def test_markdown_unclosed_fence_and_crlf():
    facts = extract_file("a.markdown", b"# Top\r\n\r\nText\r\n```\r\n# inside\r\n")
    assert facts.kind == FileKind.MARKDOWN
    assert outline(facts) == [(1, "Top", 1)]
    assert facts.lines == 5
    assert facts.summary == "Text"


def test_markdown_not_utf8_is_binary_with_note():
    facts = extract_file("notes.md", "# Café\n\nlatin-1 text\n".encode("latin-1"))
    assert facts.kind == FileKind.BINARY
    assert facts.encoding is None
    assert facts.outline == []
    assert [(n.kind, n.line) for n in facts.notes] == [(NoteKind.ENCODING, 1)]


def test_markdown_bom_and_empty():
    facts = extract_file("bom.md", b"\xef\xbb\xbf# Title\n")
    assert outline(facts) == [(1, "Title", 1)]
    assert facts.encoding == "utf-8-sig"
    empty = extract_file("empty.md", b"")
    assert (empty.kind, empty.lines, empty.outline, empty.docstring) == (FileKind.MARKDOWN, 0, [], None)


# --------------------------------------------------------------------------- data files


def test_fixture_config_json():
    facts = fixture("data/config.json")
    assert facts.kind == FileKind.JSON
    assert outline(facts) == [(1, "name", 1), (1, "version", 1), (1, "features", 1)]
    assert facts.notes == []


def test_fixture_bad_json():
    facts = fixture("data/bad.json")
    assert facts.kind == FileKind.JSON
    assert len(facts.notes) == 1
    note = facts.notes[0]
    assert note.kind == NoteKind.MALFORMED
    assert note.line >= 1
    assert note.detail.startswith("JSON error: ")
    assert facts.lines >= 1 and facts.size == 18


def test_json_lines_nested_and_arrays():
    text = '{\n  "a": {"inner": 1},\n  "b\\"q": ["x", {"not": "top"}],\n\n  "c": null\n}\n'
    facts = extract_file("x.json", text.encode())
    assert outline(facts) == [(1, "a", 2), (1, 'b"q', 3), (1, "c", 5)]
    facts = extract_file("list.json", b"\n[1, 2, 3]\n")
    assert outline(facts) == [(1, "array of 3 items", 2)]
    assert outline(extract_file("one.json", b"[{}]")) == [(1, "array of 1 item", 1)]
    assert outline(extract_file("scalar.json", b'"just a string"')) == []


def test_fixture_settings_toml():
    facts = fixture("data/settings.toml")
    assert facts.kind == FileKind.TOML
    assert outline(facts) == [(1, "server", 1), (1, "client", 4)]
    assert facts.notes == []


def test_toml_keys_tables_and_errors():
    text = (
        'name = "x"\ntext = """\nfake = 1\n"""\narr = [\n  1,\n]\n'
        '"dotted.key".sub = 2\n[tool.repodoc]\nx = 1\n[[bin]]\n[[bin]]\n'
    )
    facts = extract_file("pyproject.toml", text.encode())
    assert outline(facts) == [
        (1, "name", 1),
        (1, "text", 2),
        (1, "arr", 5),
        (1, "dotted.key", 8),
        (1, "tool.repodoc", 9),
        (1, "bin", 11),
    ]
    bad = extract_file("bad.toml", b"a = 1\n\nb = = 2\n")
    assert [(n.kind, n.line) for n in bad.notes] == [(NoteKind.MALFORMED, 3)]
    assert bad.notes[0].detail.startswith("TOML error: ")
    assert outline(bad) == [(1, "a", 1), (1, "b", 3)]  # as far as the scanner tells


def test_yaml_top_level_keys():
    text = (
        "\n".join(
            [
                "# comment: not a key",  # 1
                "%YAML 1.2",  # 2
                "---",  # 3
                "name: demo",  # 4
                "on:",  # 5
                "  push: {}",  # 6 indented: not top level
                '"quoted: key": 1',  # 7
                "jobs:",  # 8
                "  - run: x",  # 9
                "- item: in a list",  # 10
                "script: |",  # 11
                "  echo: no",  # 12
                "...",  # 13
                "---",  # 14
                "name: second document",  # 15 repeated key: listed once
                "url: http://example.com:80",  # 16
            ]
        )
        + "\n"
    )
    for name in ("ci.yaml", "ci.yml"):
        facts = extract_file(name, text.encode())
        assert facts.kind == FileKind.YAML
        assert outline(facts) == [
            (1, "name", 4),
            (1, "on", 5),
            (1, "quoted: key", 7),
            (1, "jobs", 8),
            (1, "script", 11),
            (1, "url", 16),
        ]
        assert facts.notes == []


def test_ini_sections_and_keys():
    text = (
        "\n".join(
            [
                "[metadata]",  # 1
                "name = demo",  # 2
                "description: long",  # 3
                "  continued = no key",  # 4
                "; comment",  # 5
                "# comment",  # 6
                "",  # 7
                "[options]",  # 8
                "install_requires =",  # 9
                "    a",  # 10
                "    b",  # 11
                "zip_safe",  # 12
            ]
        )
        + "\n"
    )
    for name in ("setup.cfg", "tox.ini"):
        facts = extract_file(name, text.encode())
        assert facts.kind == FileKind.INI
        assert outline(facts) == [
            (1, "metadata", 1),
            (2, "name", 2),
            (2, "description", 3),
            (1, "options", 8),
            (2, "install_requires", 9),
            (2, "zip_safe", 12),
        ]
        assert facts.notes == []


def test_malformed_ini():
    facts = extract_file("bad.ini", b"key = 1\n[section]\nx = 1\n")
    assert [(n.kind, n.line) for n in facts.notes] == [(NoteKind.MALFORMED, 1)]
    assert facts.notes[0].detail.startswith("INI error: ")
    assert facts.lines == 3
    dup = extract_file("dup.cfg", b"[a]\nx = 1\nx = 2\n")
    assert [(n.kind, n.line) for n in dup.notes] == [(NoteKind.MALFORMED, 3)]
    assert "already exists" in dup.notes[0].detail
    assert outline(dup) == [(1, "a", 1), (2, "x", 2)]


def test_data_file_not_utf8():
    facts = extract_file("x.json", b'{"a": "\xff"}')
    assert facts.kind == FileKind.BINARY
    assert facts.notes[0].kind == NoteKind.ENCODING


# --------------------------------------------------------------------------- other files


def test_fixture_logo_is_binary():
    facts = fixture("data/logo.png")
    assert facts.kind == FileKind.BINARY
    assert facts.encoding is None
    assert facts.size == (FIXTURE / "data" / "logo.png").stat().st_size
    assert facts.lines == 0 and facts.outline == []


def test_text_files():
    facts = extract_file(".gitignore", b"ignored/\n*.log\n")
    assert (facts.kind, facts.lines, facts.encoding) == (FileKind.TEXT, 2, "utf-8")
    assert extract_file("LICENSE", b"a\r\nb\rc").lines == 3
    assert extract_file("notes.txt", "naïve\n".encode()).kind == FileKind.TEXT
    assert extract_file("latin.txt", "naïve\n".encode("latin-1")).kind == FileKind.BINARY
    assert extract_file("nul.txt", b"abc\0def").kind == FileKind.BINARY


def test_too_large_non_python():
    data = b"x = 1\n" * (MAX_NON_PYTHON_BYTES // 6 + 10)
    for name, kind in (
        ("big.txt", FileKind.TEXT),
        ("big.json", FileKind.JSON),
        ("big.md", FileKind.MARKDOWN),
    ):
        facts = extract_file(name, data)
        assert facts.kind == kind
        assert facts.size == len(data)
        assert [n.kind for n in facts.notes] == [NoteKind.TOO_LARGE]
        assert facts.outline == []
    big_binary = extract_file("big.bin", b"\0" * (MAX_NON_PYTHON_BYTES + 1))
    assert big_binary.kind == FileKind.BINARY and big_binary.notes[0].kind == NoteKind.TOO_LARGE


def test_dispatch_by_name_and_shebang():
    assert file_type("a/b.py") == file_type("b.PYI") == file_type("w.pyw") == "python"
    assert file_type("README.md") == file_type("x.markdown") == "markdown"
    assert {file_type(f"f.{e}") for e in ("json", "toml", "yaml", "yml", "ini", "cfg")} == {"data"}
    assert file_type("Makefile") == "other"
    assert file_type("bin/tool", b"#!/usr/bin/env python3\nprint(1)\n") == "python"
    assert file_type("bin/tool", b"#!/usr/bin/python3.11 -u\n") == "python"
    assert file_type("bin/tool.sh", b"#!/usr/bin/env python3\n") == "other"
    assert not is_python_shebang(b"#!/bin/sh\n")
    assert not is_python_shebang(b"#!/usr/bin/env -S bash\n")
    assert is_python_shebang(b"#!/usr/bin/env -S python3 -u\n")
    assert not is_python_shebang(b"#!\n")


def test_extractor_failure_becomes_a_note(monkeypatch):
    from repodoc_ls.extract import markdown

    def boom(path, data):
        raise RuntimeError("kaput")

    monkeypatch.setattr(markdown, "extract_markdown", boom)
    facts = extract_file("x.md", b"# Title\n")
    assert facts.kind == FileKind.MARKDOWN
    assert [(n.kind, n.line) for n in facts.notes] == [(NoteKind.MALFORMED, 0)]
    assert "extractor failed" in facts.notes[0].detail and "kaput" in facts.notes[0].detail


EXTENSIONS = ["md", "markdown", "json", "toml", "yaml", "yml", "ini", "cfg", "txt", "bin", ""]


@pytest.mark.parametrize("ext", EXTENSIONS)
def test_random_bytes_never_raise(ext):
    rng = random.Random(1234)
    alphabet = b"{}[]\"':=#-\n\r\t ~`<>!\\abc\xff\xc3\xa9\x00"
    name = f"f.{ext}" if ext else "noext"
    for i in range(200):
        n = rng.randint(0, 300)
        if i % 2:
            data = bytes(rng.getrandbits(8) for _ in range(n))
        else:
            data = bytes(rng.choice(alphabet) for _ in range(n))
        if i % 7 == 0:
            data = b"#!/usr/bin/env python\n" + data if not ext else data
        facts = extract_file(name, data)
        assert isinstance(facts, FileFacts)
        assert facts.size == len(data)
        assert facts.path == name
        FileFacts.from_bytes(facts.to_bytes())  # the record round-trips


def test_records_round_trip():
    facts = extract_file("x.toml", b"[a]\nb = 1\n")
    again = FileFacts.from_bytes(facts.to_bytes())
    assert again == facts
    assert again.outline == [OutlineEntry(1, "a", 1)]
