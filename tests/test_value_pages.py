"""Value symbols on every page: the file page's API sections, the keyword page, the
folder's symbols page, and the store's symbol search (issue 12, item 4)."""

from __future__ import annotations

import textwrap

import pytest

from repodoc_ls.config import load_settings
from repodoc_ls.docs.render import Renderer
from repodoc_ls.index.indexer import Index

SOURCE = '''
"""Models."""
import logging
from dataclasses import dataclass
from typing import Union

logger = logging.getLogger(__name__)
Number = Union[int, float]
type Pair = tuple[int, int]
LIMIT = 10


@dataclass
class Point:
    x: int
    y: int = 0


class Box[T]:
    def __init__(self, item: T) -> None:
        self.item = item

    def get(self) -> T:
        return self.item
'''


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    root = tmp_path_factory.mktemp("values").resolve()
    (root / "pkg").mkdir()
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "models.py").write_text(textwrap.dedent(SOURCE).lstrip("\n"))
    return Index.build(load_settings(root), persistent=False)


def section(text: str, title: str) -> list[str]:
    lines = text.split("\n")
    start = lines.index(title) + 2
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("#")), len(lines))
    return [line for line in lines[start:end] if line.strip()]


def test_file_page_api_sections(index):
    text = Renderer(index).render_page("pkg/models.py", "docs")
    assert "syntax error" not in text
    classes = section(text, "### Classes")
    assert [line.split('"')[1] for line in classes] == [
        "Point",
        "Point.x",
        "Point.y",
        "Box",
        "Box.__init__",
        "Box.item",
        "Box.get",
    ]
    assert "`x: int` (field)" in classes[1] and "`y: int = 0` (field)" in classes[2]
    assert "`item` (attribute)" in classes[5]
    assert [line.split('"')[1] for line in section(text, "### Type aliases")] == ["Number", "Pair"]
    assert "`Number = Union[int, float]`" in text and "`Pair = tuple[int, int]`" in text
    assert [line.split('"')[1] for line in section(text, "### Constants")] == ["LIMIT"]
    assert [line.split('"')[1] for line in section(text, "### Variables")] == ["logger"]


def test_keyword_page_groups(index):
    text = Renderer(index).render_page("pkg/models.py", "kw")
    titles = [line for line in text.split("\n") if line.startswith("## ")]
    assert titles == [
        "## Classes (2)",
        "## Methods (2)",
        "## Fields (2)",
        "## Attributes (1)",
        "## Type aliases (2)",
        "## Constants (1)",
        "## Variables (1)",
        "## Imported modules (1)",
        "## Imported names (2)",
    ]


def test_symbols_page_and_search(index):
    text = Renderer(index).render_page("pkg", "sub")
    for row in ("| attribute |", "| field |", "| type alias |", "| variable |"):
        assert row in text
    found = {(r.qualname, r.kind) for r in index.search("Pai", 20)}
    assert ("Pair", "type alias") in found
    found = {(r.qualname, r.kind) for r in index.search("item", 20)}
    assert ("Box.item", "attribute") in found
