from __future__ import annotations

import dataclasses
import random
from pathlib import Path
from urllib.parse import quote

import pytest

from repodoc_ls.docs import pages as P
from repodoc_ls.docs.linkcheck import BrokenLink, check_links, heading_slug, page_anchors

ODD_DIR = "odd names"
ODD_FILE = "odd names/café menu.py"
WEIRD_FILE = "odd names/we#ird%`x` ünï.py"


def q(path: str) -> str:
    return quote(path, safe="/-_.~")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    """A workspace with source files (80-line cart.py, odd names) and an empty output dir."""
    root = tmp_path / "ws"
    write(root / "shop" / "cart.py", "".join(f"x{i} = {i}\n" for i in range(1, 81)))
    write(root / "shop" / "__init__.py", '"""Shop."""\n')
    write(root / ODD_FILE, "a = 1\nb = 2\nc = 3")  # 3 lines, no final newline
    write(root / WEIRD_FILE, "w = 1\n")
    write(root / "README.md", "# Read me\n\nText.\n\n## Install it\n")
    (root / "docs" / "repodoc").mkdir(parents=True)
    return root


def out_of(ws: Path) -> Path:
    return ws / "docs" / "repodoc"


def good_pages(ws: Path) -> dict[str, str]:
    """A hand-written doc set whose every link is valid (links built as pages.py builds them)."""
    src = P.SourceLinks(str(ws), str(out_of(ws)))
    cart = P.file_page("shop/cart.py")
    odd = P.file_page(ODD_FILE)
    weird = P.file_page(WEIRD_FILE)
    root_index = P.folder_page("", "index")
    shop_index = P.folder_page("shop", "index")
    return {
        root_index: f"""# Index of the workspace

| folder | files |
|---|---|
| [shop]({P.link(root_index, shop_index)}) | [cart.py]({P.link(root_index, cart)}) |
| [{P.text(ODD_DIR)}]({P.link(root_index, P.folder_page(ODD_DIR, "index"))}) | [menu]({P.link(root_index, odd)}) |

See [the cart class]({P.link(root_index, cart, P.anchor("Cart"))}),
[Cart.add]({P.link(root_index, cart, P.anchor("Cart.add"))}) and
[the API heading]({P.link(root_index, cart, "api")}).
[top](#) [this heading](#index-of-the-workspace) [readme]({src.source(root_index, "README.md")})
[readme heading]({src.source(root_index, "README.md")}#install-it)
[readme title]({src.source(root_index, "README.md")}#read-me)
External: <https://example.com/x>, [mail](mailto:a@b.c), [cmd](command:repodoc.reindex),
[web](https://example.com/a/b.md#nope), [proto](//example.com/x).
<a href="{P.link(root_index, weird)}">weird page</a>
""",
        shop_index: f"""# shop

- [cart]({P.link(shop_index, cart)}) ![diagram]({P.link(shop_index, "shop/graph.svg")})
- [up]({P.link(shop_index, root_index)}) [self]({P.link(shop_index, shop_index)})
""",
        cart: f"""# shop/cart.py

## API

<a id="{P.anchor("Cart")}"></a>
### class Cart — [source]({src.source(cart, "shop/cart.py", 1)})

<a id="{P.anchor("Cart.add")}"></a>
- `add(item)` — [line 19]({src.source(cart, "shop/cart.py", 19)}),
  last line [80]({src.source(cart, "shop/cart.py", 80)}),
  range [L2-L80]({src.source(cart, "shop/cart.py")}#L2-L80)

## API

Second heading: [dup](#api-1) [first](#api) [anchor](#{P.anchor("Cart.add")})
[package]({src.source(cart, "shop/__init__.py")}) [folder]({src.source(cart, "shop")})
""",
        odd: f"""# {P.text(ODD_FILE)}

Source: [{P.text(ODD_FILE)}]({src.source(odd, ODD_FILE, 3)})
<a name="menu"></a>
[to weird]({P.link(odd, weird, "top")}) [menu](#menu) [café heading](#odd-namescafé-menupy)
""",
        weird: f"""<a id="top"></a>
# {P.text(WEIRD_FILE)}

[source]({src.source(weird, WEIRD_FILE, 1)}) [back]({P.link(weird, odd)})
[root]({P.link(weird, root_index)})
""",
        P.folder_page(ODD_DIR, "index"): f"""# {P.text(ODD_DIR)}

| file | |
|---|---|
| [café menu.py]({P.link(P.folder_page(ODD_DIR, "index"), odd)}) | |
| [weird]({P.link(P.folder_page(ODD_DIR, "index"), weird, "top")}) | |
""",
    }


def write_pages(out: Path, pages: dict[str, str]) -> None:
    for name, text in pages.items():
        write(out / name, text)


def test_links_are_percent_encoded_as_expected(ws):
    # The doc set under test really exercises encoded names.
    pages = good_pages(ws)
    index = pages["index.md"]
    assert "odd%20names/caf%C3%A9%20menu.py_docs.md" in index
    assert "we%23ird%25%60x%60%20%C3%BCn%C3%AF.py_docs.md" in index


def test_good_links_on_disk_pass(ws):
    out = out_of(ws)
    write_pages(out, good_pages(ws))
    write(out / "shop" / "graph.svg", "<svg/>")
    assert check_links(out) == []
    assert check_links(out, source_root=ws) == []


def test_good_links_in_memory_pass(ws):
    out = out_of(ws)
    write(out / "shop" / "graph.svg", "<svg/>")  # non-page files are looked up on disk
    assert check_links(out, pages=good_pages(ws), source_root=ws) == []


def test_in_memory_pages_are_authoritative(ws):
    out = out_of(ws)
    write(out / "other.md", "# other\n")  # on disk, but not one of the given pages
    broken = check_links(out, pages={"index.md": "[o](other.md)\n"})
    assert [(b.page, b.line, b.target) for b in broken] == [("index.md", 1, "other.md")]
    assert "no such page" in broken[0].reason


BROKEN_PAGE = """# Broken page

[missing page](nope.md)
[missing anchor](shop/cart.py_docs.md#Cart.remove)
[missing own anchor](#nowhere)
[missing source](../../shop/basket.py#L3)
[line too far](../../shop/cart.py#L120)
[line zero](../../shop/cart.py#L0)
[range too far](../../shop/cart.py#L70-L81)
[not a line](../../shop/cart.py#Cart)
[odd file line](../../odd%20names/caf%C3%A9%20menu.py#L4)
<a href="shop/gone.md">raw html</a>
![missing image](img/none.png)
[readme anchor](../../README.md#uninstall)
[missing folder page](shop/index.md)
"""


def test_each_broken_kind_is_reported_with_page_and_line(ws):
    out = out_of(ws)
    write(out / "shop" / "cart.py_docs.md", '# cart\n<a id="Cart.add"></a>\n')
    write(out / "index.md", BROKEN_PAGE)
    got = [(b.page, b.line, b.target, b.reason) for b in check_links(out, source_root=ws)]
    expected = [
        (3, "nope.md", "no such page 'nope.md'"),
        (4, "shop/cart.py_docs.md#Cart.remove", "no anchor 'Cart.remove' on page shop/cart.py_docs.md"),
        (5, "#nowhere", "no anchor 'nowhere' on page index.md"),
        (6, "../../shop/basket.py#L3", "no such file 'shop/basket.py'"),
        (7, "../../shop/cart.py#L120", "line 120 beyond the file's 80 lines"),
        (8, "../../shop/cart.py#L0", "line 0 is not a line number"),
        (9, "../../shop/cart.py#L70-L81", "line 81 beyond the file's 80 lines"),
        (10, "../../shop/cart.py#Cart", "not a line reference"),
        (11, "../../odd%20names/caf%C3%A9%20menu.py#L4", "line 4 beyond the file's 3 lines"),
        (12, "shop/gone.md", "no such page 'shop/gone.md'"),
        (13, "img/none.png", "no such page 'img/none.png'"),
        (14, "../../README.md#uninstall", "no anchor 'uninstall' on page README.md"),
        (15, "shop/index.md", "no such page 'shop/index.md'"),
    ]
    assert len(got) == len(expected)
    for (page, line, target, reason), (eline, etarget, ereason) in zip(got, expected):
        assert (page, line, target) == ("index.md", eline, etarget)
        assert ereason in reason, (line, reason)


def test_outside_the_workspace_and_absolute_paths(ws):
    out = out_of(ws)
    write(ws.parent / "elsewhere.py", "x = 1\n")
    pages = {"index.md": "[a](../../../elsewhere.py)\n[b](/etc/hosts)\n"}
    assert check_links(out, pages=pages) == [
        BrokenLink("index.md", 2, "/etc/hosts", "absolute path '/etc/hosts' (links must be relative)"),
    ]  # without source_root, an existing file outside the output folder is fine
    got = check_links(out, pages=pages, source_root=ws)
    assert [(b.line, b.target) for b in got] == [(1, "../../../elsewhere.py"), (2, "/etc/hosts")]
    assert "outside the workspace" in got[0].reason


def test_empty_link_target_is_reported(ws):
    got = check_links(out_of(ws), pages={"a.md": 'x\n\n<a href="">e</a>\n[c]()\n'})
    assert [(b.line, b.reason) for b in got] == [(3, "empty link target"), (4, "empty link target")]


def test_code_spans_and_fences_are_not_links(ws):
    page = """# Code

Inline `[x](nope.md)` and ``<a href="gone.md">`` are text.

```markdown
[fenced](nope.md) ![img](none.png)
<a href="gone.md">x</a>
```

~~~~
```
[nested](nope.md)
```
~~~~

    [indented](nope.md)

| col |
|---|
| `[in table](nope.md)` |
"""
    assert check_links(out_of(ws), pages={"index.md": page}) == []


def test_html_comments_and_escaped_brackets_are_not_links(ws):
    page = '<!-- [a](nope.md) <a href="gone.md"> -->\n\n\\[b\\](nope.md)\n'
    assert check_links(out_of(ws), pages={"index.md": page}) == []


def test_line_numbers_in_paragraphs_tables_lists_and_html_blocks(ws):
    page = """# T

first line
second [a](a.md) and
third [b](b.md)

| x | y |
|---|---|
| 1 | [c](c.md) |

- item
  > quoted [d](d.md)

<div>
<p>
<a href="e.md">e</a></p>
</div>
"""
    got = check_links(out_of(ws), pages={"p.md": page})
    assert [(b.line, b.target) for b in got] == [
        (4, "a.md"),
        (5, "b.md"),
        (9, "c.md"),
        (12, "d.md"),
        (16, "e.md"),
    ]


def test_heading_slugs():
    assert heading_slug("Class `Cart` — API!") == "class-cart--api"
    assert heading_slug("shop/cart.py_docs") == "shopcartpy_docs"
    assert heading_slug("Café Ünïcode 2") == "café-ünïcode-2"
    anchors = page_anchors(
        "# Usage\n\n## Usage\n\nUsage\n-----\n\n### Cart\\_add & *more*\n"
        "\n```\n# not a heading\n```\n<a id=\"X.y\"></a><span name='n'>s</span>\n"
    )
    assert anchors == {"usage", "usage-1", "usage-2", "cart_add--more", "X.y", "n"}


def test_ascii_headings_slug_as_by_the_character_rule():
    # ASCII headings take a shortcut: each character alone, and a sample of mixes, slug as
    # they do beside a non-ASCII letter (which takes the per-character rule: Unicode
    # categories), minus that letter.
    ascii_chars = [chr(c) for c in range(128)]
    rng = random.Random(7)
    samples = ascii_chars + ["".join(rng.choices(ascii_chars, k=rng.randint(1, 16))) for _ in range(2000)]
    for text in samples:
        assert heading_slug(text) == heading_slug(text + "é")[:-1], repr(text)


def test_slug_dedup_matches_github_slugger():
    # "a-1" taken by a heading before the second "a": github-slugger then yields "a-2".
    anchors = page_anchors("# a\n# a-1\n# a\n# a\n")
    assert anchors == {"a", "a-1", "a-2", "a-3"}


def test_fragments_are_percent_decoded_and_case_sensitive(ws):
    page = (
        '# Menü Karte\n<a id="Cart.add"></a>\n[ok](#men%C3%BC-karte) [ok2](#menü-karte)\n[bad](#cart.add)\n'
    )
    got = check_links(out_of(ws), pages={"x.md": page})
    assert [(b.line, b.target) for b in got] == [(4, "#cart.add")]


def test_result_is_sorted_and_frozen(ws):
    pages = {
        "b.md": "[x](x.md)\n[w](w.md)\n",
        "a/z.md": "[y](y.md) [a](a.md)\n",
    }
    got = check_links(out_of(ws), pages=pages)
    assert [(b.page, b.line, b.target) for b in got] == [
        ("a/z.md", 1, "a.md"),
        ("a/z.md", 1, "y.md"),
        ("b.md", 1, "x.md"),
        ("b.md", 2, "w.md"),
    ]
    assert got[0].reason == "no such page 'a/a.md'"
    with pytest.raises(dataclasses.FrozenInstanceError):
        got[0].line = 3  # type: ignore[misc]


def test_each_page_and_file_is_read_once(ws, monkeypatch):
    from repodoc_ls.docs import linkcheck

    parsed = []
    real_parse = linkcheck._parse
    monkeypatch.setattr(linkcheck, "_parse", lambda text: parsed.append(text) or real_parse(text))
    counted = []
    real_count = linkcheck._count_lines
    monkeypatch.setattr(linkcheck, "_count_lines", lambda data: counted.append(1) or real_count(data))
    pages = {
        f"p{i}.md": f"# P{i}\n[n](p{(i + 1) % 50}.md#p{(i + 1) % 50}) [s](../../shop/cart.py#L{i + 1})\n"
        for i in range(50)
    }
    assert check_links(out_of(ws), pages=pages) == []
    assert len(parsed) == 50
    assert len(counted) == 1


def test_links_that_leave_the_output_folder_and_come_back(ws):
    pages = {"a/p.md": "# P\n", "b.md": "[p](../repodoc/a/p.md#p) [q](../repodoc/a/q.md)\n"}
    got = check_links(out_of(ws), pages=pages)
    assert [(b.target, b.reason) for b in got] == [("../repodoc/a/q.md", "no such page 'a/q.md'")]


def test_links_sharing_a_path_are_each_checked_at_their_own_fragment_and_folder(ws):
    """The check resolves each path once per page folder (pages link the same source file at
    hundreds of lines): every fragment is still checked on its own, and the same relative
    path from another folder leads elsewhere."""
    out = out_of(ws)
    (out / "shop").mkdir()
    same_path_twice = (
        "[ok](../../shop/cart.py#L80)\n"
        "[far](../../shop/cart.py#L81)\n"
        "[reversed](../../shop/cart.py#L5-L3)\n"
        "[no line](../../shop/cart.py#Cart)\n"
        "[plain](../../shop/cart.py)\n"
        "[here](shop/cart.py_docs.md#Cart.add)\n"
        "[not here](shop/cart.py_docs.md#Cart.remove)\n"
        "[folder](shop)\n"
        "[folder at a line](shop#L1)\n"
    )
    pages = {
        "index.md": same_path_twice,
        "shop/deep/index.md": same_path_twice,
        "shop/cart.py_docs.md": '# cart\n<a id="Cart.add"></a>\n',
    }
    got = {(b.page, b.line): b.reason for b in check_links(out, pages=pages, source_root=ws)}
    assert {line: reason for (page, line), reason in got.items() if page == "index.md"} == {
        2: "line 81 beyond the file's 80 lines ('shop/cart.py')",
        3: "line range L5-L3 is reversed in 'shop/cart.py'",
        4: "fragment '#Cart' on 'shop/cart.py' is not a line reference (#L<n>)",
        7: "no anchor 'Cart.remove' on page shop/cart.py_docs.md",
        9: "fragment '#L1' on folder 'shop'",
    }
    # two folders further down, the same targets lead nowhere (the folder `shop` is no
    # folder of shop/deep/, and ../../shop/cart.py stays inside the output folder)
    deep = {line: reason for (page, line), reason in got.items() if page == "shop/deep/index.md"}
    assert sorted(deep) == list(range(1, 10))
    assert all(reason.startswith("no such page") for reason in deep.values()), deep
