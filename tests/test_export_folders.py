"""Folder pages (`index.md`, `doc.md`) after edits of the files their files import: an
incremental export leaves the bytes a full render gives (the oracle: `render_all`), and
renders a folder's pages again only when what they show of other files changed: a file's
kind (a base class in another file became a TestCase, or stopped being one, down a chain of
bases), an importer count, an import resolving elsewhere after a file was added or removed,
a re-export rebound on the way to a public API row. Appending a function to an imported
module leaves its importers' folders alone."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from export_recording import append, export_recording, pages_on_disk, replace_once, write_files

from repodoc_ls.config import load_settings
from repodoc_ls.docs.export import export, render_all
from repodoc_ls.docs.manifest import Manifest
from repodoc_ls.docs.render import Renderer
from repodoc_ls.index.graph import Graph
from repodoc_ls.index.indexer import Index

FILES = {
    "lib/__init__.py": "",
    "lib/text.py": "class Base:\n    pass\n\n\ndef helper():\n    return 1\n",
    "lib/deep.py": "class Mid:\n    pass\n\n\nclass Other:\n    pass\n",
    "lib/chain.py": "from lib.deep import Mid\n\n\nclass Base2(Mid):\n    pass\n",
    "lib/extra.py": "def more():\n    return 2\n",
    "lib/reexp.py": "from lib.reexp2 import Thing\n",
    "lib/reexp2.py": "from lib.deep import Mid as Thing\n",
    "app/__init__.py": "",
    "app/things.py": (
        "from lib.text import Base, helper\n\n\nclass Thing(Base):\n    def test_it(self):\n"
        "        return helper()\n"
    ),
    "app/user.py": "from lib import extra\n\nprint(extra)\n",
    "app/net.py": "import requests.sessions\n\nprint(requests)\n",
    "other/__init__.py": "",
    "other/things2.py": "from lib.chain import Base2\n\n\nclass Sub(Base2):\n    def test_x(self):\n        pass\n",
    "pub/__init__.py": '"""Pub."""\n\nfrom lib.reexp import Thing\n\n__all__ = ["Thing"]\n',
}

OUTPUT = "docs/repodoc"
#: The folders whose pages show nothing of lib/ but the kinds of their files and what
#: their imports resolve to.
IMPORTERS = ("app", "other", "pub")


def _testcase(path: Path, cls: str) -> None:
    replace_once(path, f"class {cls}:", f"import unittest\n\n\nclass {cls}(unittest.TestCase):")


def _plain(path: Path, cls: str) -> None:
    replace_once(path, f"import unittest\n\n\nclass {cls}(unittest.TestCase):", f"class {cls}:")


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return write_files(tmp_path, FILES)


def _export(monkeypatch: pytest.MonkeyPatch, workspace: Path) -> tuple[Index, set[str]]:
    """An export's index and the pages it rendered; the pages on disk then are what a full
    render gives."""
    index, rendered = export_recording(monkeypatch, workspace)
    # the kinds the export handed its graph from the manifest are the ones it would compute
    fresh = Graph(dict(index.facts))
    assert {p: index.graph.kind_and_reads(p) for p in index.paths()} == {
        p: fresh.kind_and_reads(p) for p in index.paths()
    }
    assert pages_on_disk(workspace / OUTPUT) == render_all(Renderer(index))
    return index, rendered


def _folder_pages(folder: str) -> set[str]:
    return {f"{folder}/index.md", f"{folder}/doc.md"}


def _row_kind(workspace: Path, folder: str, name: str) -> str:
    for line in (workspace / OUTPUT / folder / "index.md").read_text().splitlines():
        if line.startswith(f"| [`{name}`]"):
            return line.split(" | ")[1]
    raise AssertionError(f"no row for {name}")


def test_an_unrelated_function_appended_to_an_imported_module_leaves_importers_folders_alone(
    workspace, monkeypatch
):
    export(Index.build(load_settings(workspace)))
    append(workspace / "lib/text.py", "\n\ndef added(value):\n    return value\n")
    _, rendered = _export(monkeypatch, workspace)
    assert _folder_pages("lib") <= rendered and {"index.md", "doc.md"} <= rendered  # above the edit
    for folder in IMPORTERS:
        assert rendered.isdisjoint(_folder_pages(folder)), folder


#: edit -> (what it does, the folder whose file changes kind, that file, its kind after)
KIND_EDITS: dict[str, tuple[Callable[[Path], None], str, str, str]] = {
    "an imported base becoming a TestCase": (
        lambda ws: _testcase(ws / "lib/text.py", "Base"),
        "app",
        "things.py",
        "test module",
    ),
    "a base two files away becoming a TestCase": (
        lambda ws: _testcase(ws / "lib/deep.py", "Mid"),
        "other",
        "things2.py",
        "test module",
    ),
    "a class in the middle of the chain taking a TestCase base": (
        lambda ws: replace_once(
            ws / "lib/chain.py",
            "class Base2(Mid):",
            "from unittest import TestCase\n\n\nclass Base2(Mid, TestCase):",
        ),
        "other",
        "things2.py",
        "test module",
    ),
}


@pytest.mark.parametrize("edit", list(KIND_EDITS))
def test_a_file_whose_kind_follows_from_an_edited_base_has_its_folders_rendered_again(
    workspace, monkeypatch, edit
):
    change, folder, name, kind = KIND_EDITS[edit]
    export(Index.build(load_settings(workspace)))
    assert _row_kind(workspace, folder, name) == "module"
    change(workspace)
    _, rendered = _export(monkeypatch, workspace)
    assert _folder_pages(folder) <= rendered
    assert _row_kind(workspace, folder, name) == kind
    for untouched in {"app", "other"} - {folder}:  # (pub/doc.md shows lib/deep.py's Mid)
        assert rendered.isdisjoint(_folder_pages(untouched)), untouched


@pytest.mark.parametrize(
    ("path", "cls", "folder", "name"),
    [
        ("lib/text.py", "Base", "app", "things.py"),
        ("lib/deep.py", "Mid", "other", "things2.py"),
    ],
)
def test_a_base_that_stops_being_a_testcase_makes_its_subclasses_modules_again(
    workspace, monkeypatch, path, cls, folder, name
):
    _testcase(workspace / path, cls)
    export(Index.build(load_settings(workspace)))
    assert _row_kind(workspace, folder, name) == "test module"
    append(workspace / path, "\n\ndef unrelated():\n    return 0\n")
    _, rendered = _export(monkeypatch, workspace)  # the kind is as it was: not rendered
    assert rendered.isdisjoint(_folder_pages(folder))
    _plain(workspace / path, cls)
    _, rendered = _export(monkeypatch, workspace)
    assert _folder_pages(folder) <= rendered
    assert _row_kind(workspace, folder, name) == "module"


def test_the_kinds_are_carried_over_in_the_manifest_with_what_they_read(workspace, monkeypatch):
    export(Index.build(load_settings(workspace)))
    manifest = Manifest.load(workspace / OUTPUT)
    assert manifest is not None
    assert manifest.kinds["app/things.py"] == "module" and manifest.kinds["lib/text.py"] == "module"
    assert {"app/things.py", "lib/text.py"} <= set(manifest.kind_reads["app/things.py"])
    assert {"other/things2.py", "lib/chain.py", "lib/deep.py"} <= set(manifest.kind_reads["other/things2.py"])
    assert "lib/extra.py" not in manifest.kind_reads  # no class with a base: its own facts decide
    _testcase(workspace / "lib/deep.py", "Mid")
    _export(monkeypatch, workspace)
    manifest = Manifest.load(workspace / OUTPUT)
    assert manifest is not None
    assert manifest.kinds["other/things2.py"] == "test module"
    assert manifest.kinds["app/things.py"] == "module"


def test_a_new_importer_renders_the_folders_of_what_it_imports(workspace, monkeypatch):
    """lib/doc.md counts the importers of lib's modules (its key modules)."""
    export(Index.build(load_settings(workspace)))
    (workspace / "app/more.py").write_text("from lib.extra import more\n\nprint(more())\n")
    _, rendered = _export(monkeypatch, workspace)
    assert "lib/doc.md" in rendered
    assert rendered.isdisjoint(_folder_pages("other") | _folder_pages("pub"))
    replace_once(
        workspace / "other/things2.py",
        "from lib.chain import Base2\n",
        "from lib.chain import Base2\nimport lib.text\n",
    )
    _, rendered = _export(monkeypatch, workspace)
    assert "lib/doc.md" in rendered and _folder_pages("other") <= rendered
    append(workspace / "other/things2.py", "\n\nprint(1)\n")  # the same imports: the same counts
    _, rendered = _export(monkeypatch, workspace)
    assert rendered.isdisjoint(_folder_pages("lib"))
    replace_once(workspace / "other/things2.py", "import lib.text\n", "")
    _, rendered = _export(monkeypatch, workspace)
    assert "lib/doc.md" in rendered


def test_an_added_or_removed_module_that_moves_an_import_renders_its_importers_folders(
    workspace, monkeypatch
):
    export(Index.build(load_settings(workspace)))
    (workspace / "lib/extra.py").unlink()  # `from lib import extra` falls back to lib/__init__.py
    _export(monkeypatch, workspace)
    (workspace / "lib/extra.py").write_text("def more():\n    return 3\n")
    _export(monkeypatch, workspace)
    # a workspace package named as an outside module: app/net.py's import is no third-party
    # dependency of app/ any more, though it resolves to no file
    assert "requests" in (workspace / OUTPUT / "app/doc.md").read_text()
    (workspace / "requests").mkdir()
    (workspace / "requests/__init__.py").write_text("")
    _, rendered = _export(monkeypatch, workspace)
    assert "app/doc.md" in rendered
    (workspace / "requests/__init__.py").unlink()
    _, rendered = _export(monkeypatch, workspace)
    assert "app/doc.md" in rendered


def test_a_re_export_rebound_on_the_way_to_a_public_api_row_renders_the_package_overview(
    workspace, monkeypatch
):
    """pub/__init__.py's Thing comes through lib/reexp.py and lib/reexp2.py, neither of
    which pub/doc.md depends on: the lookups are its name deps."""
    export(Index.build(load_settings(workspace)))
    assert "lib/deep.py_docs.md#Mid)" in (workspace / OUTPUT / "pub/doc.md").read_text()
    append(workspace / "lib/reexp2.py", "\n\ndef unrelated():\n    return 0\n")
    _, rendered = _export(monkeypatch, workspace)
    assert "pub/doc.md" not in rendered
    replace_once(workspace / "lib/reexp2.py", "Mid as Thing", "Other as Thing")
    _, rendered = _export(monkeypatch, workspace)
    assert "pub/doc.md" in rendered
    assert "lib/deep.py_docs.md#Other)" in (workspace / OUTPUT / "pub/doc.md").read_text()


def test_a_module_added_for_a_base_that_resolved_nowhere_makes_its_subclasses_test_modules(
    workspace, monkeypatch
):
    """other/late.py subclasses a base from a module not there yet: its kind read only its
    own file; once lib/late_base.py appears (a TestCase), it is a test module, and back."""
    (workspace / "other/late.py").write_text(
        "from lib.late_base import LateBase\n\n\nclass Late(LateBase):\n    def test_late(self):\n        pass\n"
    )
    export(Index.build(load_settings(workspace)))
    assert _row_kind(workspace, "other", "late.py") == "module"
    (workspace / "lib/late_base.py").write_text(
        "import unittest\n\n\nclass LateBase(unittest.TestCase):\n    pass\n"
    )
    _, rendered = _export(monkeypatch, workspace)
    assert _folder_pages("other") <= rendered
    assert _row_kind(workspace, "other", "late.py") == "test module"
    (workspace / "lib/late_base.py").unlink()
    _, rendered = _export(monkeypatch, workspace)
    assert _folder_pages("other") <= rendered
    assert _row_kind(workspace, "other", "late.py") == "module"
