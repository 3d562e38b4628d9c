"""Standard features from the index: documentSymbol, workspace/symbol, definition,
references, codeLens."""

from __future__ import annotations

import pytest
from lsprotocol import types
from pytest_lsp.client import LanguageClient
from server_helpers import as_json, loc, uri

pytestmark = pytest.mark.asyncio(loop_scope="module")


def doc(ws, rel):
    return types.TextDocumentIdentifier(uri(ws, rel))


def tree(symbols):
    return [(s.name, s.kind.name, s.selection_range.start.line, tree(s.children or [])) for s in symbols]


async def test_document_symbols_are_hierarchical(client: LanguageClient, ws):
    result = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(doc(ws, "shop/cart.py"))
    )
    assert tree(result) == [
        (
            "Cart",
            "Class",
            18,
            [
                (
                    "Line",
                    "Class",
                    21,
                    [
                        ("__init__", "Method", 24, []),
                        ("item", "Property", 25, []),
                        ("qty", "Property", 26, []),
                    ],
                ),
                ("__init__", "Method", 28, []),
                ("lines", "Property", 29, []),  # `self.lines: list[Cart.Line] = []` in __init__
                ("add", "Method", 31, []),
                ("total", "Method", 36, []),
                ("checkout", "Method", 39, []),
                ("upgrade", "Method", 43, []),
            ],
        )
    ]
    cart = result[0]
    assert (cart.range.start.line, cart.range.end.line) == (18, 46)
    assert cart.children[3].detail == "(self, item: str, qty: int = 1) -> Cart.Line"
    lines = cart.children[2]
    assert (lines.selection_range.start.character, lines.selection_range.end.character) == (13, 18)
    assert lines.detail == ": list[Cart.Line]"


async def test_document_symbols_of_a_markdown_file_are_its_headings(client: LanguageClient, ws):
    result = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(doc(ws, "README.md"))
    )
    assert result and all(s.kind == types.SymbolKind.String for s in result)


async def test_workspace_symbol(client: LanguageClient, ws):
    result = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="price"))
    names = [(s.name, s.container_name) for s in result]
    assert names[:2] == [("price", "Widget"), ("price_of", "shop.pricing")]
    assert as_json(client, result[1].location) == loc(ws, "shop/pricing.py", 9, 4, 12)
    assert await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="")) == []


async def test_definition_through_an_alias(client: LanguageClient, ws):
    result = await client.text_document_definition_async(
        types.DefinitionParams(doc(ws, "src/gadgets/widget.py"), types.Position(10, 15))
    )  # BaseCart
    assert [as_json(client, r) for r in result] == [loc(ws, "shop/cart.py", 18, 6, 10)]


async def test_definition_of_a_module(client: LanguageClient, ws):
    result = await client.text_document_definition_async(
        types.DefinitionParams(doc(ws, "shop/cart.py"), types.Position(40, 62))
    )  # pricing.CURRENCIES -> pricing
    assert [as_json(client, r) for r in result] == [loc(ws, "shop/pricing.py", 0, 0, 0)]


async def test_references_with_declaration(client: LanguageClient, ws):
    result = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=doc(ws, "shop/pricing.py"),
            position=types.Position(9, 6),
            context=types.ReferenceContext(include_declaration=True),
        )
    )
    assert [as_json(client, r) for r in result] == [
        loc(ws, "shop/pricing.py", 9, 4, 12),
        loc(ws, "scripts/run_me.py", 12, 10, 18),
        loc(ws, "shop/cart.py", 37, 19, 27),
        loc(ws, "src/gadgets/widget.py", 12, 15, 23),
        loc(ws, "tests/test_pricing.py", 7, 11, 19),
        loc(ws, "tests/test_pricing.py", 16, 15, 23),
    ]


async def test_code_lens(client: LanguageClient, ws):
    result = await client.text_document_code_lens_async(types.CodeLensParams(doc(ws, "shop/pricing.py")))
    assert [(lens.range.start.line, lens.command.title) for lens in result] == [
        (9, "5 references · docs"),
        (15, "1 reference · docs"),
    ]
    assert result[0].command.command == "repodoc.showFileDoc"
    assert list(result[0].command.arguments) == [{"uri": uri(ws, "shop/pricing.py"), "symbol": "price_of"}]


async def test_references_and_code_lens_through_an_instance(client: LanguageClient, ws):
    # tests/test_package.py calls `self.cart.add(...)` where setUp assigned `self.cart = Cart()`
    result = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=doc(ws, "shop/cart.py"),
            position=types.Position(31, 8),
            context=types.ReferenceContext(include_declaration=False),
        )
    )
    assert [as_json(client, r) for r in result] == [loc(ws, "tests/test_package.py", 25, 18, 21)]
    lenses = await client.text_document_code_lens_async(types.CodeLensParams(doc(ws, "shop/cart.py")))
    titles = {lens.range.start.line: lens.command.title for lens in lenses}
    assert titles[31] == "1 reference · docs"
    assert titles[36] == "1 reference · docs"
