"""An incremental export after each kind of edit leaves exactly the bytes a full render
gives (the oracle: `render_all`, which plans nothing), with pages split into symbols
letters and not; and the fast `check` then agrees with `check --deep`."""

from __future__ import annotations

from pathlib import Path

import pytest
from export_recording import pages_on_disk, record_renders, replace_once, write_files

from repodoc_ls.config import load_settings
from repodoc_ls.docs import filepage, subpages
from repodoc_ls.docs.check import check
from repodoc_ls.docs.export import export, render_all
from repodoc_ls.docs.manifest import Manifest
from repodoc_ls.docs.render import Renderer
from repodoc_ls.index.indexer import Index
from repodoc_ls.scan import MANIFEST_NAME

EDITS = {
    "a function body": lambda ws: replace_once(
        ws / "shop" / "pricing.py", "import functools\n", "import functools\n\nX = 1\n"
    ),
    "a new function": lambda ws: (ws / "shop" / "pricing.py").write_text(
        (ws / "shop" / "pricing.py").read_text() + "\n\ndef with_tax(amount):\n    return amount * 1.2\n"
    ),
    "a renamed class": lambda ws: replace_once(ws / "shop" / "cart.py", "class Cart:", "class Basket:"),
    "an added import": lambda ws: replace_once(
        ws / "shop" / "cart.py", "from . import pricing\n", "from . import pricing\nimport shop.util\n"
    ),
    "a removed import": lambda ws: replace_once(ws / "shop" / "cart.py", "from . import pricing\n", ""),
    "a new file": lambda ws: (ws / "shop" / "fresh.py").write_text(
        '"""Fresh."""\n\nfrom .cart import Cart\n\n\nclass Zebra(Cart):\n    pass\n'
    ),
    "a deleted file": lambda ws: (ws / "shop" / "pricing.py").unlink(),
    "a changed Markdown file": lambda ws: (ws / "README.md").write_text("# Read me\n\n## Only this\n"),
    "a new test": lambda ws: (ws / "tests" / "test_more.py").write_text(
        "def test_more():\n    assert True\n"
    ),
    # What a user counts on other files' keyword pages ("other files using it"): a use
    # dropped, a use added (with its import, and through an import the file had), and a body edit that
    # keeps every use (the pages that only count the file stay as they are).
    "a use dropped": lambda ws: replace_once(
        ws / "src" / "gadgets" / "widget.py", 'return price_of("widget") * (1 - rate)', "return 1 - rate"
    ),
    "a use added": lambda ws: (
        replace_once(
            ws / "scripts" / "run_me.py", "print(price_of(args.item))", "print(price_of(args.item), Cart)"
        )
        or replace_once(
            ws / "scripts" / "run_me.py",
            "from shop.pricing import price_of\n",
            "from shop.pricing import price_of\nfrom shop.cart import Cart\n",
        )
    ),
    "a use added through an import it had": lambda ws: replace_once(
        ws / "src" / "gadgets" / "widget.py", "class Gizmo", "SPECIAL = helpers.SpecialCart\n\n\nclass Gizmo"
    ),
    "a body edit keeping its uses": lambda ws: replace_once(
        ws / "src" / "gadgets" / "widget.py", "(1 - rate)", "(1 - rate) + 0"
    ),
    # What a user shows on the pages of what it imports and uses (its lines there): a line
    # inserted above its uses moves them, a function appended moves none.
    "a line inserted above a user's uses": lambda ws: replace_once(
        ws / "src" / "gadgets" / "widget.py",
        "\n\nclass Widget(BaseCart):",
        "\n\nSHIFT = 0\n\n\nclass Widget(BaseCart):",
    ),
    "a function appended to a user": lambda ws: (ws / "src" / "gadgets" / "widget.py").write_text(
        (ws / "src" / "gadgets" / "widget.py").read_text() + "\n\ndef extra():\n    return 0\n"
    ),
    # A name on the root's symbols letters (another folder's pages) renamed to another letter.
    "a renamed function in a subfolder": lambda ws: replace_once(
        ws / "src" / "gadgets" / "widget.py", "def price(self)", "def zprice(self)"
    ),
    "an edited data file": lambda ws: replace_once(
        ws / "data" / "settings.toml", "retries = 3", "retries = 4\ntimeout = 9"
    ),
    "a removed data file": lambda ws: (ws / "data" / "config.json").unlink(),
}


@pytest.mark.parametrize("split_bytes", [10**9, 200])
@pytest.mark.parametrize("edit", list(EDITS))
def test_an_export_after_an_edit_writes_what_a_full_render_gives(workspace, monkeypatch, edit, split_bytes):
    monkeypatch.setattr(subpages, "SUB_SPLIT_BYTES", split_bytes)
    export(Index.build(load_settings(workspace)))
    EDITS[edit](workspace)
    index = Index.build(load_settings(workspace))
    result = export(index)
    assert result.rendered < len(pages_on_disk(workspace / "docs" / "repodoc"))  # incremental
    expected = render_all(Renderer(index))
    assert pages_on_disk(workspace / "docs" / "repodoc") == expected
    fast = check(index)
    assert fast.ok and fast == check(index, deep=True)
    # The manifest saved its untouched records as numbered when read: the same bytes as
    # numbering every record anew by name.
    output = workspace / "docs" / "repodoc"
    assert (output / MANIFEST_NAME).read_bytes() == _saved_by_name(output, workspace.parent / "by_name")


def _saved_by_name(output: Path, elsewhere: Path) -> bytes:
    manifest = Manifest.load(output)
    assert manifest is not None and manifest.table is not None
    for record in manifest.pages.values():
        assert record.deps is not None  # named: the save numbers it anew
    manifest.table = None
    manifest.save(elsewhere)
    return (elsewhere / MANIFEST_NAME).read_bytes()


def test_pages_touched_by_number_are_those_touched_by_name(workspace, tmp_path):
    import random

    export(Index.build(load_settings(workspace)))
    output = workspace / "docs" / "repodoc"
    numbered = Manifest.load(output)
    named = Manifest.load(output)
    assert numbered is not None and named is not None
    for record in named.pages.values():
        assert record.deps is not None
    named.table = None
    files = sorted(numbered.sources) + ["not/a/file.py"]
    keys = sorted({key for record in named.pages.values() for key in record.names}) + [("x.py", "y")]
    rng = random.Random(5)
    for _ in range(300):
        picked = (
            set(rng.sample(files, rng.randint(0, 3))),
            set(rng.sample(files, rng.randint(0, 2))),
            set(rng.sample(keys, min(rng.randint(0, 3), len(keys)))),
        )
        assert numbered.pages_touched(*picked) == named.pages_touched(*picked)
    every = (set(files), set(files), set(keys))
    assert numbered.pages_touched(*every) == named.pages_touched(*every) != set()
    # searched in their number rows, never decoded
    assert all(record._table is numbered.table for record in numbered.pages.values())
    # saved as read, nothing touched: the same bytes
    numbered.save(tmp_path)
    assert (tmp_path / MANIFEST_NAME).read_bytes() == (output / MANIFEST_NAME).read_bytes()


def test_pages_that_only_count_a_file_among_users_wait_for_its_uses_to_change(workspace, monkeypatch):
    """run_me.py's keyword page counts widget.py among the users of `price_of` and shows
    nothing else of it: a body edit of widget.py that keeps its uses leaves that page alone,
    one that drops the use renders it again (and both leave what a full render gives)."""
    export(Index.build(load_settings(workspace)))
    rendered = record_renders(monkeypatch)
    counting = "scripts/run_me.py_kw.md"
    for edit, renders in (("a body edit keeping its uses", False), ("a use dropped", True)):
        rendered.clear()
        EDITS[edit](workspace)
        index = Index.build(load_settings(workspace))
        export(index)
        assert "src/gadgets/widget.py_docs.md" in rendered, edit
        assert (counting in rendered) is renders, edit
        assert pages_on_disk(workspace / "docs" / "repodoc") == render_all(Renderer(index))


def _export_after(edit, workspace: Path, rendered: list[str]) -> set[str]:  # type: ignore[no-untyped-def]
    """`edit()`, then an export that leaves what a full render gives; the pages it rendered
    (`rendered` records every render, the full one's too)."""
    rendered.clear()
    edit()
    index = Index.build(load_settings(workspace))
    export(index)
    exported = set(rendered)
    assert pages_on_disk(workspace / "docs" / "repodoc") == render_all(Renderer(index))
    return exported


def test_pages_listing_a_file_among_users_wait_for_what_it_imports_and_uses_to_change(workspace, monkeypatch):
    """shop/pricing.py's page lists widget.py among its importers and the users of
    `price_of` (with the line) and shows nothing else of it: a function appended to
    widget.py leaves that page alone; a line inserted above the use moves the line the page
    shows, and a dropped use the list, and both render it again (each leaving what a full
    render gives)."""
    export(Index.build(load_settings(workspace)))
    output = workspace / "docs" / "repodoc"
    listing = "shop/pricing.py_docs.md"
    assert "gadgets/widget.py" in (output / listing).read_text()
    rendered = record_renders(monkeypatch)
    for edit, renders in (
        ("a function appended to a user", False),
        ("a line inserted above a user's uses", True),
        ("a function appended to a user", False),
        ("a use dropped", True),
    ):
        rendered.clear()
        before = (output / listing).read_bytes()
        EDITS[edit](workspace)
        index = Index.build(load_settings(workspace))
        export(index)
        assert "src/gadgets/widget.py_docs.md" in rendered, edit
        assert (listing in rendered) is renders, edit
        assert ((output / listing).read_bytes() != before) is renders, edit
        assert pages_on_disk(output) == render_all(Renderer(index)), edit


def test_users_past_the_lists_count_until_what_they_use_changes(tmp_path, monkeypatch):
    """`a.py` has more importers and `f` more users than its page lists: the last one is only
    counted. Its lines moving leaves the page alone; its use dropped changes the count, and
    renders the page again."""
    users = max(filepage.MAX_REF_FILES, filepage.MAX_FILES_LISTED, filepage.MAX_RELATED) + 3
    files = {"a.py": 'def f():\n    """F."""\n    return 1\n'}
    files.update({f"u{i:02}.py": "import a\n\n\ndef g():\n    return a.f()\n" for i in range(users)})
    workspace = write_files(tmp_path / "ws", files)
    export(Index.build(load_settings(workspace)))
    output = workspace / "docs" / "repodoc"
    last = workspace / f"u{users - 1:02}.py"
    assert f"used in {users} other files" in (output / "a.py_docs.md").read_text()
    assert last.name not in (output / "a.py_docs.md").read_text()  # past the list
    rendered = record_renders(monkeypatch)
    for edit, renders in (
        (lambda: replace_once(last, "def g", "X = 1\n\n\ndef g"), False),
        (lambda: replace_once(last, "return a.f()", "return 2"), True),
    ):
        exported = _export_after(edit, workspace, rendered)
        assert f"{last.name}_docs.md" in exported
        assert ("a.py_docs.md" in exported) is renders
    assert f"used in {users - 1} other files" in (output / "a.py_docs.md").read_text()


def test_pages_listing_a_file_among_definers_wait_for_its_names_to_change(tmp_path, monkeypatch):
    """a.py's pages show b.py only as another file defining `CRLF` ("also defined in", the
    keyword page's count): a function appended to b.py leaves them alone; b.py defining
    another of a.py's names, or no longer defining `CRLF`, renders them again."""
    workspace = write_files(
        tmp_path / "ws",
        {
            "a.py": 'CRLF = "\\r\\n"\n\n\ndef helper():\n    return CRLF\n',
            "b.py": 'CRLF = "\\r\\n"\n\n\ndef other():\n    return 1\n',
            "c.py": "import a\n\nprint(a.helper(), a.CRLF)\n",
        },
    )
    export(Index.build(load_settings(workspace)))
    output = workspace / "docs" / "repodoc"
    assert "b.py" in (output / "a.py_docs.md").read_text()
    b = workspace / "b.py"
    rendered = record_renders(monkeypatch)
    for edit, renders in (
        (lambda: b.write_text(b.read_text() + "\n\ndef appended():\n    return 2\n"), False),
        (lambda: b.write_text(b.read_text() + "\n\ndef helper():\n    return 3\n"), True),
        (lambda: replace_once(b, 'CRLF = "\\r\\n"', 'LF = "\\n"'), True),
        (lambda: b.write_text(b.read_text() + "\n\nX = 4\n"), False),
    ):
        exported = _export_after(edit, workspace, rendered)
        assert "b.py_docs.md" in exported
        assert ("a.py_docs.md" in exported) is renders
        assert ("a.py_kw.md" in exported) is renders
        # (b.py's key for `CRLF` falls out of use: the numbering saved is a fresh one's)
        assert (output / MANIFEST_NAME).read_bytes() == _saved_by_name(output, tmp_path / str(len(rendered)))
    assert "b.py" in (output / "a.py_docs.md").read_text()  # (as a definer of `helper`)


def test_definers_past_the_list_count_until_they_stop_defining_the_name(tmp_path, monkeypatch):
    """`CRLF` is defined in more files than a.py's page lists: the last one is only counted
    (there, and on the keyword page). An edit of it that keeps the name leaves a.py's pages
    alone; one that drops it changes both counts, and renders both again."""
    definers = filepage.MAX_FILES_LISTED + 3
    crlf = 'CRLF = "\\r\\n"\n\n\ndef other():\n    return 1\n'
    files = {f"d{i:02}.py": crlf for i in range(definers)}
    files["a.py"] = crlf + "\n\nprint(other())\n"
    workspace = write_files(tmp_path / "ws", files)
    export(Index.build(load_settings(workspace)))
    output = workspace / "docs" / "repodoc"
    last = workspace / f"d{definers - 1:02}.py"
    assert last.name not in (output / "a.py_docs.md").read_text()  # past the list
    rendered = record_renders(monkeypatch)
    for edit, renders in (
        (lambda: last.write_text(last.read_text() + "\n\nX = 1\n"), False),
        (lambda: replace_once(last, "CRLF =", "LF ="), True),
    ):
        before = (output / "a.py_docs.md").read_bytes()
        exported = _export_after(edit, workspace, rendered)
        assert {"a.py_docs.md", "a.py_kw.md"} <= set(rendered) if renders else "a.py_docs.md" not in exported
        assert ((output / "a.py_docs.md").read_bytes() != before) is renders


def test_pages_listing_a_file_s_subclasses_wait_for_its_classes_to_change(tmp_path, monkeypatch):
    """a.py's page shows b.py's class based on `Base` (its name, anchor, file): a function
    appended to b.py leaves it alone; the class renamed on its line, which moves no use,
    renders it again, and so does a second subclass."""
    workspace = write_files(
        tmp_path / "ws",
        {
            "a.py": 'class Base:\n    """B."""\n',
            "b.py": "import a\n\n\nclass Sub(a.Base):\n    pass\n",
        },
    )
    export(Index.build(load_settings(workspace)))
    output = workspace / "docs" / "repodoc"
    assert "`Sub`" in (output / "a.py_docs.md").read_text()
    b = workspace / "b.py"
    rendered = record_renders(monkeypatch)
    for edit, renders in (
        (lambda: b.write_text(b.read_text() + "\n\ndef appended():\n    return 2\n"), False),
        (lambda: replace_once(b, "class Sub(", "class Renamed("), True),
        (lambda: b.write_text(b.read_text() + "\n\nclass Other(a.Base):\n    pass\n"), True),
        (lambda: b.write_text(b.read_text() + "\n\nX = 1\n"), False),
    ):
        exported = _export_after(edit, workspace, rendered)
        assert "b.py_docs.md" in exported
        assert ("a.py_docs.md" in exported) is renders
    assert "`Renamed`" in (output / "a.py_docs.md").read_text()


def test_an_export_with_nothing_changed_reads_no_file_s_facts(workspace, tmp_path):
    # A warm index decodes a file's facts on first use: an export that finds nothing to do
    # must not read them all (it did, to find the test runners' configuration files, and
    # the decoding and freeing of every file's facts cost it more than the rest).
    settings = load_settings(workspace, {"output_dir": str(tmp_path / "out")})
    export(Index.build(settings))
    index = Index.build(settings)
    assert export(index).rendered == 0
    read = [p for p in index.paths() if index.facts.decoded(p)]
    assert len(read) <= 1, read  # at most a test runner's configuration file
