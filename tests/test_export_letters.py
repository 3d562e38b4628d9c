"""A split symbols page after an edit: the touched folders' layouts are kept from the
manifest for the letters no changed file touched, and only the touched letters are laid
out (sorted); the pages are still the bytes a full render gives (the oracle: `render_all`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from repodoc_ls.config import load_settings
from repodoc_ls.docs import subpages
from repodoc_ls.docs.export import export, render_all
from repodoc_ls.docs.render import Renderer
from repodoc_ls.index.indexer import Index


def _pages_on_disk(output: Path) -> dict[str, bytes]:
    return {p.relative_to(output).as_posix(): p.read_bytes() for p in output.rglob("*.md")}


@pytest.fixture
def split(workspace: Path, monkeypatch) -> Path:
    monkeypatch.setattr(subpages, "SUB_SPLIT_BYTES", 200)
    export(Index.build(load_settings(workspace)))
    assert (workspace / "docs/repodoc/sub-p.md").exists()  # the root is split
    return workspace


def _no_whole_sort(monkeypatch) -> list[set[str]]:
    """Make a sort of a whole subtree fail; returns the letter sets laid out per query."""

    def refused(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("a touched folder's whole subtree was sorted")

    monkeypatch.setattr(subpages, "_subtree_symbols", refused)
    asked: list[set[str]] = []
    original = subpages.letter_symbols

    def recording(renderer, cache, folder, letters):  # type: ignore[no-untyped-def]
        asked.append(set(letters))
        return original(renderer, cache, folder, letters)

    monkeypatch.setattr(subpages, "letter_symbols", recording)
    return asked


def test_an_edit_lays_out_only_the_letters_it_touched(split, monkeypatch):
    pricing = split / "shop" / "pricing.py"
    pricing.write_text(pricing.read_text() + "\n\ndef zest(amount):\n    return amount\n")
    asked = _no_whole_sort(monkeypatch)
    index = Index.build(load_settings(split))
    export(index)
    assert asked and all(letters == {"z"} for letters in asked)
    monkeypatch.undo()
    monkeypatch.setattr(subpages, "SUB_SPLIT_BYTES", 200)
    assert _pages_on_disk(split / "docs/repodoc") == render_all(Renderer(index))


def test_a_kept_letter_whose_page_is_gone_is_laid_out_when_rendered(split, monkeypatch):
    """Its row comes from the manifest; its page, missing on disk, is rendered again from
    a layout of that letter alone."""
    (split / "docs/repodoc/sub-p.md").unlink()
    pricing = split / "shop" / "pricing.py"
    pricing.write_text(pricing.read_text() + "\n\ndef zest(amount):\n    return amount\n")
    asked = _no_whole_sort(monkeypatch)
    index = Index.build(load_settings(split))
    export(index)
    assert {"p"} in asked
    monkeypatch.undo()
    monkeypatch.setattr(subpages, "SUB_SPLIT_BYTES", 200)
    assert _pages_on_disk(split / "docs/repodoc") == render_all(Renderer(index))


def test_a_renamed_symbol_moves_between_letters(split, monkeypatch):
    cart = split / "shop" / "cart.py"
    cart.write_text(cart.read_text().replace("class Cart:", "class Basket:", 1))
    asked = _no_whole_sort(monkeypatch)
    index = Index.build(load_settings(split))
    export(index)
    assert {"b", "c"} <= set().union(*asked)
    monkeypatch.undo()
    monkeypatch.setattr(subpages, "SUB_SPLIT_BYTES", 200)
    assert _pages_on_disk(split / "docs/repodoc") == render_all(Renderer(index))
