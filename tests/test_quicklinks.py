"""The links and anchors the export records per page (quicklinks) against markdown-it's
(linkcheck.parse_page), the oracle: on the golden pages, and on those pages mutated with
Markdown that pages.py never writes. quick_parse may give up (None), never disagree."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from repodoc_ls.docs.linkcheck import is_absolute_url, parse_page
from repodoc_ls.docs.quicklinks import quick_parse

GOLDEN = Path(__file__).parent / "golden"


def golden_pages() -> dict[str, str]:
    return {str(p.relative_to(GOLDEN)): p.read_text(encoding="utf-8") for p in sorted(GOLDEN.rglob("*.md"))}


def oracle(text: str) -> tuple[list[tuple[int, str]], frozenset[str]]:
    links, anchors = parse_page(text)
    return sorted(link for link in links if not is_absolute_url(link[1])), anchors


def agree(text: str) -> bool | None:
    """None when quick_parse gave up, else whether it agrees with markdown-it (asserted)."""
    quick = quick_parse(text)
    if quick is None:
        return None
    assert (sorted(quick[0]), quick[1]) == oracle(text), text
    return True


def test_every_golden_page_is_read_without_markdown_it():
    pages = golden_pages()
    assert len(pages) >= 10
    for name, text in pages.items():
        assert agree(text), name


SNIPPETS = [
    "[x](a.md)",
    "[x](a.md#Frag)",
    "![alt](img.png)",
    "[x]( a.md )",
    "[x](<a b.md>)",
    '[x](a.md "title")',
    "[x](a%20b.md)",
    "[x](a%zz.md)",
    "[x](caf\u00e9.md)",
    "[x](https://example.com/a#L1)",
    "[x](javascript:alert(1))",
    "[x][ref]",
    "[ref]: target.md",
    "[a [b] c](n.md)",
    "[`a]`](c.md)",
    "[`code` label](plain.md) and [`b`](https://example.com/b) then [](empty-label.md) []()",
    "[`a``](ticks.md)",
    "[``a``](double.md)",
    "[`a`](//host/x)",
    "![`alt`](img.png)",
    "| [`a|b`](cell.md) | [x\\|y](esc-pipe.md) |\n| --- | --- |\n| [`c`](c.md) | [d](d.md) |",
    "`[x](code.md)`",
    "``a ` [x](y.md) ``",
    "`unclosed [x](u.md)",
    "\\[x](esc.md)",
    "[x\\](y.md)",
    '<a id="anchor-1"></a>',
    '<a href="h.md#A">h</a>',
    "<a id='single'>",
    '<img src="i.png">',
    "<!-- [x](comment.md) -->",
    "<div>",
    '<div id="blockid">\n[x](in-div.md)\n</div>',
    "<http://auto.link>",
    "# Heading *em* here",
    "## Heading `code` [link](l.md)",
    "### Trailing ###",
    "#NoSpace",
    "# \\_escaped\\_ &amp; entity",
    "Setext\n===",
    "Setext\n---",
    "---",
    "***",
    "    indented [x](code.md)",
    "\tTabbed [x](tab.md)",
    "> quote [x](q.md)",
    "1. ordered [x](o.md)",
    "* star [x](s.md)",
    "+ plus [x](p.md)",
    "- item [x](i.md)\n  continued [y](c.md)",
    "- item\nlazy [x](lazy.md)",
    "  - nested [x](n.md)",
    "| a | b |\n| --- | --- |\n| [x](t.md) | `a|b` |",
    "| [a|b](pipe.md) |",
    "```\n[x](fenced.md)\n```",
    "~~~\n[x](tilde.md)\n~~~",
    "  ```\n[x](indented-fence.md)\n  ```",
    "````\n```\n[x](inner.md)\n````",
    "text with trailing backslash\\",
    "line with two spaces  ",
    "[x](a.md)\r\n",
    "a\x00b",
    "[multi\nline](m.md)",
    "&lt;[x](ent.md)",
    "\u00a0",
    "",
]


def mutate(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    for _ in range(rng.randint(1, 3)):
        snippet = rng.choice(SNIPPETS)
        at = rng.randrange(len(lines) + 1)
        how = rng.random()
        if how < 0.5 or at == len(lines):
            lines.insert(at, snippet)
        elif how < 0.75:
            lines[at] = lines[at] + " " + snippet
        else:
            lines[at] = snippet + lines[at]
    return "\n".join(lines)


@pytest.mark.parametrize("seed", range(int(os.environ.get("QUICK_SEEDS", "8"))))
def test_mutated_pages_agree_or_give_up(seed):
    rng = random.Random(seed)
    pages = list(golden_pages().values())
    read = 0
    for _ in range(150):
        if agree(mutate(rng.choice(pages), rng)):
            read += 1
    assert read > 10  # the mutations leave many pages readable: agreement was tested


@pytest.mark.parametrize("snippet", SNIPPETS)
def test_each_snippet_alone_and_in_context(snippet):
    for text in (snippet, f"para\n{snippet}\n", f"# T\n\n{snippet}\n\n- [i](i.md)\n", f"- a\n{snippet}"):
        agree(text)


TABLE_HEAD = "# T\n\n| a | b |\n| --- | --- |\n"
#: Tables whose rows after the delimiter row are read in one pass (quicklinks' `rows`), and
#: tables with a line that sends them back to the line-by-line reading.
TABLES = [
    '| [x](x.md) | `c` |\n| <a id="r"></a>y | [z](z.md#L2) |\n',
    "| [x](x.md) | `c` |\n| y | [z](z.md) |",  # ends the page without a line break
    "| [x](x.md) | `c` |\n| y | [z](z.md) |\n",
    "| [x](x.md) | `c` |\n| y | [z](z.md) |\n\n[after](after.md)\n",
    "| [x](x.md) | c |\nnot a row [y](y.md)\n",
    "| [x](x.md) | c |\n  | indented | [y](y.md) |\n",
    "| [x](x.md) | c |\n   \n[after](after.md)\n",  # a blank line of spaces
    "| [x](x.md) | c |\n| odd | row | [y](y.md) |\n",
    "| [x](x.md) | c |\n| short [y](y.md) |\n",
    "| [x](x.md) | c |\n| trailing | space [y](y.md) | \n",
    "| [x](x.md) | c |\n| tab\there | [y](y.md) |\n",
    "| [x](x.md) | a \\| b |\n| [y](y.md) | c |\n",
    "| [x](x.md) | a \\\\| b |\n| [y](y.md) | c |\n",
    "| [x](x.md) | c \\|\n| [y](y.md) | c |\n",
    "| [x](x.md) | `a|b` |\n| [y](y.md) | c |\n",
    "| [x](x.md) | `a\\|b` |\n| [y](y.md) | c |\n",
    "| [a|b](x.md) | c |\n| [y](y.md) | c |\n",
    "| [a\\|b](x.md) | c |\n| [y](y.md) | c |\n",
    "| [x](x.md) | c |\n| [y](y.md) | `unclosed |\n",
    "| [x](x.md) | c |\n| [y](y.md) | [multi |\n| line](m.md) | c |\n",
    "| [x](x.md) | c |\n| [y](https://e.com/y) | <b>c</b> |\n",
    "| [x](x.md) | c |\n| [y](a b.md) | c |\n",
    '| [x](x.md) | c |\n| <a id="multi\nline"></a> | c |\n',
    "| [x](x.md) | c |\n```\n| [y](y.md) | c |\n```\n",
    "| [x](x.md) | c |\n# heading\n",
    "| [x](x.md) | c |\n- item [y](y.md)\n",
    "| x | c |\n| y | d |\n",
    "| x | c |\n",
    "",
]


@pytest.mark.parametrize("rows", TABLES)
def test_table_rows_agree(rows):
    for text in (
        TABLE_HEAD + rows,
        "- item\n\n" + TABLE_HEAD + rows,
        TABLE_HEAD + rows + "\n" + TABLE_HEAD + rows,
    ):
        agree(text)


def test_common_table_rows_are_read():
    for rows in (TABLES[0], TABLES[1], TABLES[3], TABLES[11], TABLES[12], TABLES[26]):
        assert agree(TABLE_HEAD + rows), rows


FENCES = [
    "```\ncode [x](x.md)\n```\n[y](y.md)\n",
    "```\ncode\n   ```\n[y](y.md)\n",
    "```\ncode\n    ```\n[y](y.md)\n```\n",
    "```\ncode\n\t```\n[y](y.md)\n",
    "```\ncode\n\u3000```\n[y](y.md)\n",
    "```\ncode ```\n```\n[y](y.md)\n",
    "```\n~~~\n```\n[y](y.md)\n",
    "~~~~\n```\n~~~\n~~~~\n[y](y.md)\n",
    "````\n```\n````` \n[y](y.md)\n",
    "```\n``` x\n```\n[y](y.md)\n",
    "```\ncode [x](x.md)",
    "```",
    "```\n",
    "```\n```",
]


@pytest.mark.parametrize("fence", FENCES)
def test_fences_agree(fence):
    for text in (fence, "# T\n\n" + fence, fence + "\n\n" + fence):
        agree(text)


#: Runs of `- ` items (read in one pass, quicklinks' `items`), each followed by lines whose
#: reading depends on the list items left open.
ITEMS = [
    '- <a id="a"></a>`a` · [line 1](x.py#L1)\n  - <a id="a.b"></a>`b` · [line 2](x.py#L2)\n',
    "- [x](x.md)\n",
    "  - [x](x.md)\n",
    "- [x](x.md)\n  - [y](y.md)\n",
    "- [x](x.md)\n  - [y](y.md)\n- [z](z.md)\n",
    "  - [x](x.md)\n  - [y](y.md)\n",
    "  - [x](x.md)\n- [y](y.md)\n",
    "  - [x](x.md)\n- [y](y.md)\n  - [z](z.md)\n",
    "- [x](x.md)\n    - [y](y.md)\n",
    "- [x](x.md)\n - [y](y.md)\n",
    "- [x](x.md)\n-  [y](y.md)\n",
    "- [x](x.md)\n- - [y](y.md)\n",
    "- [x](x.md)\n- 1. [y](y.md)\n",
    "- [x](x.md)\n- # [y](y.md)\n",
    "- [x](x.md)\n- _\n",
    "- [x](x.md)\n- :\n",
    "- [x](x.md)\n- <b>[y](y.md)</b>\n",
    "- [x](x.md)\n- [ref]: y.md\n",
    "- [x](x.md)\n- [y](y.md)\\\n",
    "- [x](x.md)\n- [y](y.md) a\tb\n",
    "- [x](x.md)\n- [a|b](y.md)\n",
    "- [x](x.md)\n- `unclosed\n",
    "- [x](x.md)\n---\n",
    "- [x](x.md)\n| --- |\n",
    "- [x](x.md)\n===\n",
]
AFTER_ITEMS = [
    "",
    "lazy [l](l.md)\n",
    "  continued [c](c.md)\n",
    "    deeper [d](d.md)\n",
    "      code? [e](e.md)\n",
    "\n  after a blank [f](f.md)\n",
    "\n    after a blank [g](g.md)\n",
    "\n[p](p.md)\n",
    "- [i](i.md)",
]


@pytest.mark.parametrize("items", ITEMS)
def test_list_items_agree(items):
    for after in AFTER_ITEMS:
        for before in ("", "para\n", "- outer\n", "- outer\n  - inner\n    - deepest\n", "# T\n\n"):
            agree(before + items + after)


def test_common_list_items_are_read():
    for items in ITEMS[:6]:
        for after in ("", "\n[p](p.md)\n"):
            assert agree(items + after), items + after


def test_one_pass_readings_change_nothing(monkeypatch):
    """The tables and lists read in one pass give what reading them line by line gives,
    None included (and the state they leave: the lines after them read the same)."""
    from repodoc_ls.docs import quicklinks

    rng = random.Random(0)
    pages = list(golden_pages().values())
    texts = [
        before + rows + after
        for rows in TABLES
        for before in ("", TABLE_HEAD, "- item\n\n" + TABLE_HEAD)
        for after in ("", "\n- [i](i.md)\n", "para\n")
    ]
    texts += [
        before + items + after
        for items in ITEMS
        for after in AFTER_ITEMS
        for before in ("", "  \n", "para\n", "- outer\n", "- outer\n  - inner\n    - deepest\n", "  - a\n\n")
    ]
    texts += pages + [mutate(rng.choice(pages), rng) for _ in range(300)]
    fast = [quick_parse(text) for text in texts]
    monkeypatch.setattr(quicklinks._Scanner, "rows", lambda self, text, pos, number: (pos + 1, False))
    monkeypatch.setattr(
        quicklinks._Scanner, "items", lambda self, text, pos, number, columns: (pos + 1, False)
    )
    slow = [quick_parse(text) for text in texts]
    assert sum(result is not None for result in slow) > len(texts) // 4
    for text, one, other in zip(texts, fast, slow):
        assert one == other, text
