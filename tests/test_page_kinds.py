"""The page-kind registry (repodoc_ls/docs/kinds.py) is the one place that lists the kinds of
pages: page paths and the units that render them go both ways for every kind, the renderer,
incremental export, the CLI and the server take their kinds from it, and no other module
(nor either editor client) spells a page path of its own."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from repodoc_ls.cli import build_parser
from repodoc_ls.config import load_settings
from repodoc_ls.docs import incremental, kinds, subpages
from repodoc_ls.docs.kinds import KINDS, FileKind, FolderKind, LetterKind, Scope
from repodoc_ls.docs.render import Renderer
from repodoc_ls.docs.units import Unit
from repodoc_ls.index.indexer import Index

REPO = Path(__file__).resolve().parent.parent
FILES = [
    "a.py",
    "shop/cart.py",
    "odd names/café menu.py",
    "index.md",
    "x/sub-t.md",
    "a_docs.md",
    "deep/er/still/README.md",
    "sub.md_kw.md",
]
FOLDERS = ["", "shop", "odd names", "x_kw.md", "a/sub-b", "index.md"]
LETTERS = [*"az_"]
PARTS = [1, 2, 12]


def sample_units():
    """(unit, part) for every kind over awkward file and folder names."""
    for kind in KINDS:
        if kind.scope is Scope.FILE:
            yield from ((Unit(kind.name, path), 1) for path in FILES)
        elif kind.scope is Scope.FOLDER:
            yield from ((Unit(kind.name, folder), 1) for folder in FOLDERS)
        else:
            yield from (
                (Unit(kind.name, folder, letter), part)
                for folder in FOLDERS
                for letter in LETTERS
                for part in PARTS
            )


@pytest.mark.parametrize("unit,part", list(sample_units()), ids=str)
def test_every_page_path_leads_back_to_its_unit(unit, part):
    page = kinds.page_path(unit.kind, unit.path, unit.letter, part)
    assert kinds.unit_of_page(page) == unit
    claims = [kind.name for kind in KINDS if kind.unit_of(page) is not None]
    assert claims == [unit.kind], f"{page} is claimed by {claims}"


def test_letter_pages_are_named_as_folder_doc_names_them():
    assert kinds.page_path("sub-letter", "big", "t") == "big/sub-t.md"
    assert kinds.page_path("sub-letter", "", "t", 2) == "sub-t-2.md"
    assert kinds.split_page("big", "sub", "t-2") == "big/sub-t-2.md"
    assert kinds.split_page("", "sub", "_") == "sub-_.md"
    for bad in ("T", "t-1", "t-0", "tt", "t-", "t/../x", "", "t-02"):
        assert kinds.split_page("big", "sub", bad) is None, bad
    assert kinds.split_page("big", "index", "t") is None  # only a split kind has letters


@pytest.mark.parametrize(
    "page",
    [
        "",
        "notes.txt",
        "shop/readme.md",
        "sub-.md",
        "sub-A.md",
        "shop/sub-t-1.md",
        "x/indexes.md",
        "doc.markdown",
    ],
)
def test_a_path_that_is_no_page_has_no_unit(page):
    assert kinds.unit_of_page(page) is None


@pytest.fixture(scope="module")
def renderer(tmp_path_factory):
    from conftest import materialize_workspace

    ws = materialize_workspace(tmp_path_factory.mktemp("kinds"))
    return Renderer(Index.build(load_settings(ws), persistent=False))


def test_every_unit_of_a_workspace_renders_the_pages_the_registry_names(renderer, monkeypatch):
    monkeypatch.setattr(subpages, "SUB_SPLIT_BYTES", 600)  # split symbols pages, letters in parts
    renderer = Renderer(renderer.index)
    units = renderer.units()
    assert {unit.kind for unit in units} == {kind.name for kind in KINDS}
    seen = set()
    for unit in units:
        rendered = renderer.render_unit(unit)
        assert list(rendered) == renderer.pages_of(unit)
        for page, result in rendered.items():
            assert kinds.unit_of_page(page) == unit
            assert renderer.render_page_at(page) == result.text
            seen.add(page)
    assert any(re.search(r"sub-[a-z_]-\d+\.md$", page) for page in seen), "no letter split into parts"
    with pytest.raises(kinds.NoSuchPage):
        renderer.render_page_at("shop/missing.py_docs.md")
    with pytest.raises(kinds.NoSuchPage):
        renderer.render_page_at("not/a/folder/index.md")


def test_an_edit_renders_again_what_each_kind_says(renderer):
    """Every kind's Redo rule is applied: an edit of one file names units of every kind."""
    units = incremental.units_after_edit(
        renderer.index, {"shop/cart.py"}, {"shop/cart.py", "shop/pricing.py"}
    )
    assert {unit.kind for unit in units} == {kind.name for kind in KINDS}
    assert Unit("docs", "shop/pricing.py") in units and Unit("index", "") in units
    assert Unit("sub", "shop/util") not in units  # the symbols pages list the subtree's own symbols


def test_the_templates_are_the_registrys():
    packaged = {p.name for p in (REPO / "repodoc_ls" / "docs" / "templates").glob("*.j2")}
    assert {name for kind in KINDS for name in kind.templates} == packaged


def test_the_cli_and_the_server_take_their_kinds_from_the_registry():
    parser = build_parser()
    show = next(a for a in parser._subparsers._group_actions[0].choices["show"]._actions if a.dest == "kind")
    assert tuple(show.choices) == kinds.FILE_KINDS + kinds.FOLDER_KINDS
    assert kinds.FILE_KINDS == tuple(k.name for k in KINDS if isinstance(k, FileKind))
    assert kinds.FOLDER_KINDS == tuple(k.name for k in KINDS if isinstance(k, FolderKind))
    assert all(k.splits in kinds.FOLDER_KINDS for k in KINDS if isinstance(k, LetterKind))


# What spelling a page path, or a list of kinds to tell pages apart, looks like outside the
# registry and pages.py. (The clients' commands still offer folderDoc's kinds by name.)
_PAGE_PATH_SPELLINGS = re.compile(
    r"""_docs\.md(?!\.j2)|_kw\.md(?!\.j2)|['"]sub-|sub%-|['"]index\.md|\(index\|doc\|sub\)"""
    r"""|\(\s*['"]docs['"],\s*['"]kw['"]"""
)


def _sources():
    for path in sorted((REPO / "repodoc_ls").rglob("*.py")):
        if path.name not in ("kinds.py", "pages.py"):
            yield path
    yield from sorted((REPO / "vscode-client" / "src").glob("*.ts"))
    yield from sorted((REPO / "nvim-client" / "lua").rglob("*.lua"))


def _docstring_lines(source: str) -> set[int]:
    lines = set()
    for node in ast.walk(ast.parse(source)):
        body = getattr(node, "body", None)
        if (
            isinstance(body, list)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            lines.update(range(body[0].lineno, body[0].end_lineno + 1))
    return lines


def test_no_other_module_or_client_spells_page_paths_or_lists_kinds():
    found = []
    for path in _sources():
        source = path.read_text(encoding="utf-8")
        prose = _docstring_lines(source) if path.suffix == ".py" else set()
        for n, line in enumerate(source.splitlines(), 1):
            code = re.sub(r"^\s*(#|//|--|\*).*", "", line)  # comments and docstrings may name pages
            if n not in prose and _PAGE_PATH_SPELLINGS.search(code):
                found.append(f"{path.relative_to(REPO)}:{n}: {line.strip()}")
    assert found == []


def test_neither_client_reads_pyproject_for_the_output_folder():
    for path in [
        *(REPO / "vscode-client" / "src").glob("*.ts"),
        *(REPO / "nvim-client" / "lua").rglob("*.lua"),
    ]:
        text = path.read_text(encoding="utf-8")
        assert "pyproject" not in re.sub(r"(//|--).*", "", text), path
