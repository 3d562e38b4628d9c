"""Folder pages of the doc set: index.md, doc.md and sub.md (split by letter when large)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from repodoc_ls.config import load_settings
from repodoc_ls.docs import folders, importgraph, kinds, pages, subpages
from repodoc_ls.docs.linkcheck import check_links
from repodoc_ls.docs.render import Renderer
from repodoc_ls.docs.units import Unit
from repodoc_ls.index.indexer import Index

MERMAID = re.compile(r"```mermaid\n(.*?)\n```", re.S)
NODE = re.compile(r'^    (\S+)\["([^"]*)"\]$')
EDGE = re.compile(r"^    (\S+) --> (\S+)$")


def render_all(renderer: Renderer) -> dict[str, str]:
    out: dict[str, str] = {}
    for unit in renderer.units():
        if unit.kind in kinds.FILE_KINDS:
            continue
        for page, rendered in renderer.render_unit(unit).items():
            assert page not in out, page
            out[page] = rendered.text
    return out


def page(renderer: Renderer, folder: str, kind: str) -> str:
    return renderer.render_unit(Unit(kind, folder))[pages.folder_page(folder, kind)].text


def placeholder_file_pages(index: Index) -> dict[str, str]:
    """Stand-ins for the file and keyword pages: one `<a id>` per symbol anchor."""
    out = {}
    for path, facts in index.facts.items():
        anchors = sorted({pages.anchor(s.qualname) for s in facts.symbols})
        out[pages.file_page(path)] = f"# {path}\n\n" + "".join(f'<a id="{a}"></a>\n' for a in anchors)
        out[pages.keyword_page(path)] = f"# {path}\n"
    return out


def write_pages(output: Path, texts: dict[str, str]) -> None:
    for name, text in texts.items():
        target = output / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def mermaid(text: str) -> tuple[dict[str, str], set[tuple[str, str]]]:
    """(label -> node id, edges as (label, label)) of the page's Mermaid block."""
    m = MERMAID.search(text)
    assert m, "no Mermaid block"
    lines = m.group(1).splitlines()
    assert lines[0] == "flowchart LR"
    ids: dict[str, str] = {}
    edges = []
    for line in lines[1:]:
        if node := NODE.match(line):
            ids[node.group(2)] = node.group(1)
        else:
            edge = EDGE.match(line)
            assert edge, f"not a node or an edge: {line!r}"
            edges.append(edge.groups())
    labels = {v: k for k, v in ids.items()}
    return ids, {(labels[a], labels[b]) for a, b in edges}


def table_rows(text: str, heading: str) -> list[list[str]]:
    """Cells of the table under `## heading` (escaped pipes kept inside their cell)."""
    section = text.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    return [[c.strip() for c in re.split(r"(?<!\\)\|", row)[1:-1]] for row in rows[2:]]


@pytest.fixture
def renderer(index) -> Renderer:
    return Renderer(index)


# ---------------------------------------------------------------- index.md


def test_root_index_lists_folders_and_files(renderer, workspace):
    text = page(renderer, "", "index")
    assert text.startswith(f"# `{workspace.name}`\n\n")
    assert "A small workspace that exercises every case the index must handle." in text
    assert "[overview](doc.md)" in text and "[symbols](sub.md)" in text
    folders_ = {row[0]: row for row in table_rows(text, "Folders")}
    assert folders_["[`shop/`](shop/index.md)"][1:] == ["5", "Shop package: carts and prices."]
    assert folders_["[`odd names/`](odd%20names/index.md)"][1] == "1"
    assert "[`src/`](src/index.md)" in folders_ and "[`data/`](data/index.md)" in folders_
    assert not any("gadgets" in name for name in folders_)  # direct children only
    files = {row[0]: row for row in table_rows(text, "Files")}
    assert files["[`README.md`](README.md_docs.md)"][1:] == [
        "Markdown",
        "12",
        "Fixture workspace",
        "[keywords](README.md_kw.md)",
    ]
    assert not any("cart.py" in name for name in files)


def test_package_index(renderer):
    text = page(renderer, "shop", "index")
    assert text.startswith("# `shop/`\n\nShop package: carts and prices.\n")
    assert "[overview](doc.md) · [symbols](sub.md) · [root: ws](../index.md)" in text
    files = {row[0]: row for row in table_rows(text, "Files")}
    assert files["[`cart.py`](cart.py_docs.md)"][1:] == [
        "module",
        "47",
        "A shopping cart.",
        "[keywords](cart.py_kw.md)",
    ]
    assert files["[`__init__.py`](__init__.py_docs.md)"][1] == "package init"
    assert [row[0] for row in table_rows(text, "Folders")] == ["[`util/`](util/index.md)"]


def test_nested_index_links_parent_and_root_and_escapes_odd_names(renderer):
    text = page(renderer, "shop/util", "index")
    assert "[up: shop/](../index.md) · [root: ws](../../index.md)" in text
    assert "## Folders" not in text  # no empty sections
    odd = page(renderer, "odd names", "index")
    assert "[`café menu.py`](caf%C3%A9%20menu.py_docs.md)" in odd
    assert "[keywords](caf%C3%A9%20menu.py_kw.md)" in odd


def test_index_deps_cover_the_subtree(renderer):
    rendered = renderer.render_unit(Unit("index", "shop"))["shop/index.md"]
    assert {"shop/cart.py", "shop/util/helpers.py", "shop/__init__.py"} <= rendered.deps
    assert all(d in renderer.index.facts for d in rendered.deps)


# ---------------------------------------------------------------- doc.md


def test_package_doc(renderer):
    rendered = renderer.render_unit(Unit("doc", "shop"))["shop/doc.md"]
    text = rendered.text
    assert text.startswith("# `shop/` — overview\n")
    assert (
        "## Role\n\nShop package: carts and prices.\n\nFrom [`__init__.py`](__init__.py_docs.md)."
    ) in text
    assert table_rows(text, "Files by type") == [["module", "3", "74"], ["package init", "2", "6"]]
    key = table_rows(text, "Key modules")
    assert key[0] == ["[`pricing.py`](pricing.py_docs.md)", "5", "Prices and discounts."]
    assert key[1][:2] == ["[`cart.py`](cart.py_docs.md)", "4"]
    api = table_rows(text, "Public API")  # from shop/__init__.py's __all__, to the definitions
    assert [row[:3] for row in api] == [
        ["[`Cart`](cart.py_docs.md#Cart)", "class", "[`cart.py`](cart.py_docs.md)"],
        ["[`price_of`](pricing.py_docs.md#price_of)", "function", "[`pricing.py`](pricing.py_docs.md)"],
    ]
    deps = text.split("## External dependencies\n", 1)[1]
    stdlib, third = deps.split("### Third party")
    assert "| `functools` | 1 |" in stdlib and "| `typing` | 1 |" in stdlib
    assert "`__future__`" not in stdlib
    assert "| `ujson` | 1 |" in third
    # importers outside the folder give the fan-in, which changes with their imports only
    # (incremental.reshaped_files), not with their every edit: no dependencies of the page
    assert rendered.deps.isdisjoint({"tests/test_pricing.py", "odd names/café menu.py"})


def test_doc_import_graph(renderer):
    text = page(renderer, "shop", "doc")
    ids, edges = mermaid(text)
    assert ids == {"__init__.py": "n0", "cart.py": "n1", "pricing.py": "n2", "util/helpers.py": "n3"}
    assert ("cart.py", "pricing.py") in edges
    assert ("cart.py", "util/helpers.py") in edges and ("util/helpers.py", "cart.py") in edges
    assert ("__init__.py", "cart.py") in edges
    assert "not shown" not in text


def test_doc_without_edges_or_python_has_no_diagram(renderer):
    text = page(renderer, "data", "doc")
    assert "mermaid" not in text and "## Key modules" not in text and "## Public API" not in text
    assert table_rows(text, "Files by type")[0] == ["JSON", "2", "2"]


def test_doc_graph_is_capped_by_fan_in(renderer, monkeypatch):
    monkeypatch.setattr(folders, "GRAPH_NODE_LIMIT", 2)
    text = page(Renderer(renderer.index), "", "doc")
    ids, edges = mermaid(text)
    # the two modules imported by most files of the subtree, ids in path order
    assert ids == {"shop/cart.py": "n0", "shop/pricing.py": "n1"}
    assert edges == {("shop/cart.py", "shop/pricing.py")}
    assert "\n8 more modules not shown.\n" in text


def test_public_api_without_all_and_bounded(renderer, monkeypatch):
    text = page(renderer, "src/gadgets", "doc")
    assert [row[0] for row in table_rows(text, "Public API")] == [
        "[`Widget`](widget.py_docs.md#Widget)",
        "[`Gizmo`](widget.py_docs.md#Gizmo)",
    ]
    monkeypatch.setattr(folders, "PUBLIC_API_LIMIT", 1)
    text = page(Renderer(renderer.index), "shop", "doc")
    assert len(table_rows(text, "Public API")) == 1
    assert "\nAnd 1 more.\n" in text


def test_mermaid_labels_are_escaped(tmp_path):
    assert importgraph.mermaid_label('a "b" #1 <x>&`y`') == '"a #quot;b#quot; #35;1 #lt;x#gt;#amp;#96;y#96;"'
    root = tmp_path / "odd"
    pkg = root / 'we"ird #dir' / "pkg"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("from . import mod\n")
    (pkg / "mod.py").write_text("X = 1\n")
    (root / "a|b [x].py").write_text('"""Pipes | and `ticks`."""\n')
    index = Index.build(load_settings(root, {"cache_dir": str(tmp_path / "cache")}))
    renderer = Renderer(index)
    text = page(renderer, "", "doc")
    block = MERMAID.search(text).group(1)
    assert '"we#quot;ird #35;dir/pkg/__init__.py"' in block
    for line in block.splitlines()[1:]:
        assert NODE.match(line) or EDGE.match(line), line
    listing = page(renderer, "", "index")
    row = next(r for r in table_rows(listing, "Files") if "a\\|b" in r[0])
    assert row[0] == r"[`a\|b [x].py`](a%7Cb%20%5Bx%5D.py_docs.md)"
    assert row[3] == r"Pipes \| and \`ticks\`."
    assert check_links(renderer.output, {**render_all(renderer), **placeholder_file_pages(index)}, root) == []


# ---------------------------------------------------------------- sub.md


def test_sub_lists_every_symbol_alphabetically(renderer):
    rendered = renderer.render_unit(Unit("sub", "shop"))
    assert list(rendered) == ["shop/sub.md"]
    text = rendered["shop/sub.md"].text
    assert text.startswith("# `shop/` — symbols\n")
    assert "| [Cart.add](cart.py_docs.md#Cart.add) | method | cart.py:32 |" in text
    assert "| [SpecialCart](util/helpers.py_docs.md#SpecialCart) | class | util/helpers.py:6 |" in text
    rows = [line for line in text.splitlines() if line.startswith("| [")]
    expected = renderer.index.subtree_symbols("shop")
    assert len(rows) == len(expected) == 17  # 3 of them attributes (issue 12)
    assert "| [Cart.lines](cart.py_docs.md#Cart.lines) | attribute | cart.py:30 |" in text
    for row, (_path, symbol) in zip(rows, expected):
        assert row.startswith(f"| [{pages.text(symbol.qualname)}]("), (row, symbol.qualname)
    assert rendered["shop/sub.md"].deps == {p for p in renderer.index.paths() if p.startswith("shop/")}


def test_sub_of_a_folder_without_symbols(renderer):
    text = page(renderer, "data", "sub")
    assert "No symbols are defined in this folder." in text and "| Symbol" not in text


def test_sub_splits_by_letter_when_large(renderer, monkeypatch):
    monkeypatch.setattr(subpages, "SUB_SPLIT_BYTES", 2000)
    renderer = Renderer(renderer.index)
    rendered = subpages.render_sub_pages(renderer, "")
    index_text = rendered["sub.md"].text
    assert "symbols, one page per initial letter" in index_text and "| [Cart.add]" not in index_text
    letter_pages = sorted(p for p in rendered if p != "sub.md")
    assert letter_pages and all(re.fullmatch(r"sub-[a-z_](-\d+)?\.md", p) for p in letter_pages)
    linked = set(re.findall(r"\]\((sub-[^)#]+\.md)\)", index_text))
    assert linked == set(letter_pages)  # every letter page (and part) is linked from sub.md
    symbols = renderer.index.subtree_symbols("")
    letters = {pages.letter_of(s.name) for _, s in symbols}
    assert {pages.sub_letter_page("", c) for c in letters} <= set(letter_pages)
    seen = []
    for name in letter_pages:
        text = rendered[name].text
        assert len(text.encode("utf-8")) <= 2000
        assert "[all letters](sub.md)" in text
        letter = name[4]
        for row in text.splitlines():
            if row.startswith("| ["):
                seen.append(row)
                qualname = row[3 : row.index("](")].replace("\\", "")
                assert any(pages.letter_of(s.name) == letter for _, s in symbols if s.qualname == qualname)
    assert len(seen) == len(symbols)
    assert "| [Cart.add](shop/cart.py_docs.md#Cart.add) |" in rendered["sub-a.md"].text
    assert rendered["sub.md"].deps == set(renderer.index.paths())


def test_large_letters_split_into_linked_parts(renderer, monkeypatch):
    monkeypatch.setattr(subpages, "SUB_SPLIT_BYTES", 600)
    renderer = Renderer(renderer.index)
    rendered = subpages.render_sub_pages(renderer, "")
    parts = sorted(p for p in rendered if re.fullmatch(r"sub-[a-z_]-\d+\.md", p))
    assert parts, sorted(rendered)
    first = parts[0][:5] + ".md"  # sub-t-2.md -> sub-t.md
    assert "[next part](" + parts[0] + ")" in rendered[first].text
    assert "[previous part](" + first + ")" in rendered[parts[0]].text
    assert "(2 of " in rendered[parts[0]].text.splitlines()[0]
    for name, r in rendered.items():
        if name == "sub.md":  # the letter index: one row per letter
            continue
        rows = [line for line in r.text.splitlines() if line.startswith("| [") and "_docs.md" in line]
        assert len(r.text.encode("utf-8")) <= 600 or len(rows) == 1, name


# ---------------------------------------------------------------- the whole set


@pytest.mark.parametrize("limit", [subpages.SUB_SPLIT_BYTES, 1500])
def test_every_link_resolves(renderer, workspace, monkeypatch, limit):
    monkeypatch.setattr(subpages, "SUB_SPLIT_BYTES", limit)
    renderer = Renderer(renderer.index)
    texts = render_all(renderer)
    assert {pages.folder_page(f, k) for f in renderer.folders() for k in kinds.FOLDER_KINDS} <= set(texts)
    write_pages(renderer.output, {**texts, **placeholder_file_pages(renderer.index)})
    assert check_links(renderer.output, None, workspace) == []


def test_output_is_deterministic(index):
    first, second = render_all(Renderer(index)), render_all(Renderer(index))
    assert first == second
    assert not any(re.search(r"\b20\d\d-\d\d-\d\d\b", text) for text in first.values())


def test_unknown_kind(renderer):
    with pytest.raises(ValueError):
        renderer.render_unit(Unit("folder", "shop"))


def test_memoized_link_helpers_agree_with_pages(renderer):
    link = pages.links_from("shop/sub.md")
    for target, fragment in [
        ("shop/cart.py_docs.md", "Cart.add"),
        ("odd names/café menu.py_docs.md", None),
        ("shop/sub.md", None),
        ("shop/sub.md", "x"),
        ("index.md", None),
    ]:
        assert link(target, fragment) == pages.link("shop/sub.md", target, fragment)
    for name in ["Cart.add", "__init__", "x.<locals>.y", "café", "a|b"]:
        assert pages.name_text(name) == pages.text(name)


# ---------------------------------------------------------------- a real corpus


@pytest.mark.slow
def test_stdlib_folder_pages(tmp_path):
    import sysconfig

    stdlib = Path(sysconfig.get_paths()["stdlib"])
    settings = load_settings(
        stdlib,
        {
            "cache_dir": str(tmp_path / "cache"),
            "output_dir": str(tmp_path / "out"),
            "exclude": ["site-packages/", "lib-dynload/", "config-*/"],
        },
    )
    index = Index.build(settings)
    renderer = Renderer(index)
    texts = render_all(renderer)
    assert all(len(t.encode("utf-8")) <= subpages.SUB_SPLIT_BYTES for t in texts.values())
    assert "sub-t.md" in texts and "sub-t-2.md" in texts  # test_* methods: a letter in parts
    key = table_rows(texts["email/doc.md"], "Key modules")
    assert key[0][0] == "[`message.py`](message.py_docs.md)"
    ids, edges = mermaid(texts["email/doc.md"])
    assert ("mime/text.py", "mime/nonmultipart.py") in edges
    ids, _ = mermaid(texts["doc.md"])
    assert len(ids) == folders.GRAPH_NODE_LIMIT
    assert re.search(r"\n\d+ more modules not shown\.\n", texts["doc.md"])
