"""The custom requests (repodoc/*) over a real stdio connection."""

from __future__ import annotations

import pytest
from pygls.exceptions import JsonRpcInvalidParams
from pytest_lsp.client import LanguageClient
from server_helpers import in_process_renderer, loc, pos, request, rng, uri

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture(scope="module")
def renderer(ws):
    return in_process_renderer(ws)


async def test_status(client: LanguageClient, ws):
    status = await request(client, "repodoc/status", {})
    assert status["state"] == "ready"
    assert status["files"] == 23
    assert status["symbols"] > 20
    assert status["folders"] == [
        {
            "uri": uri(ws),
            "state": "ready",
            "files": 23,
            "symbols": status["symbols"],
            "outputDir": str(ws / "docs" / "repodoc"),
        }
    ]


async def test_file_doc_is_the_rendered_page(client: LanguageClient, ws, renderer):
    result = await request(client, "repodoc/fileDoc", {"uri": uri(ws, "shop/cart.py")})
    assert result == {
        "uri": uri(ws, "shop/cart.py"),
        "path": "shop/cart.py",
        "markdown": renderer.render_page("shop/cart.py", "docs"),
        "page": "shop/cart.py_docs.md",
        "outputDir": str(ws / "docs" / "repodoc"),
    }


async def test_keyword_index(client: LanguageClient, ws, renderer):
    result = await request(client, "repodoc/keywordIndex", {"uri": uri(ws, "src/gadgets/widget.py")})
    assert result["path"] == "src/gadgets/widget.py"
    assert result["markdown"] == renderer.render_page("src/gadgets/widget.py", "kw")
    assert result["keywords"] == [
        {
            "name": "Widget",
            "kind": "class",
            "qualifiedName": "Widget",
            "range": rng(10, 6, 12),
            "references": 0,
        },
        {
            "name": "Widget.price",
            "kind": "method",
            "qualifiedName": "Widget.price",
            "range": rng(11, 8, 13),
            "references": 0,
        },
        {
            "name": "Gizmo",
            "kind": "class",
            "qualifiedName": "Gizmo",
            "range": rng(15, 6, 11),
            "references": 0,
        },
        {
            "name": "shop.util.helpers as helpers",
            "kind": "imported module",
            "qualifiedName": "shop.util.helpers",
            "range": rng(2, 28, 35),
            "references": 1,
        },
        {
            "name": "Cart as BaseCart",
            "kind": "imported name",
            "qualifiedName": "shop.cart.Cart",
            "range": rng(3, 30, 38),
            "references": 3,
        },
        # names of a multi-line import are found on their own lines
        {
            "name": "price_of",
            "kind": "imported name",
            "qualifiedName": "shop.pricing.price_of",
            "range": rng(5, 4, 12),
            "references": 4,
        },
        {
            "name": "DISCOUNT as rate",
            "kind": "imported name",
            "qualifiedName": "shop.pricing.DISCOUNT",
            "range": rng(6, 16, 20),
            "references": 4,
        },
    ]


@pytest.mark.parametrize("kind", ["index", "doc", "sub"])
async def test_folder_doc(client: LanguageClient, ws, renderer, kind):
    result = await request(client, "repodoc/folderDoc", {"uri": uri(ws, "shop"), "kind": kind})
    assert result["markdown"] == renderer.render_page("shop", kind)
    assert result["uri"] == uri(ws, "shop")
    root = await request(client, "repodoc/folderDoc", {"uri": uri(ws), "kind": kind})
    assert root["markdown"] == renderer.render_page("", kind)


async def test_folder_doc_rejects_an_unknown_kind(client: LanguageClient, ws):
    with pytest.raises(JsonRpcInvalidParams, match="kind must be one of index, doc, sub"):
        await request(client, "repodoc/folderDoc", {"uri": uri(ws, "shop"), "kind": "nope"})


PRICE_OF_REFS = [
    ("scripts/run_me.py", 12, 10, 18),
    ("shop/cart.py", 37, 19, 27),
    ("src/gadgets/widget.py", 12, 15, 23),
    ("tests/test_pricing.py", 7, 11, 19),
    ("tests/test_pricing.py", 16, 15, 23),
]


async def test_cross_references_by_keyword(client: LanguageClient, ws):
    result = await request(client, "repodoc/crossReferences", {"keyword": "price_of"})
    assert result == {
        "keyword": "price_of",
        "definitions": [loc(ws, "shop/pricing.py", 9, 4, 12)],
        "references": [loc(ws, *r) for r in PRICE_OF_REFS],
    }


async def test_cross_references_by_position(client: LanguageClient, ws):
    # `rate` in widget.py is DISCOUNT of shop/pricing.py, imported under another name
    result = await request(
        client, "repodoc/crossReferences", {"uri": uri(ws, "src/gadgets/widget.py"), "position": pos(12, 42)}
    )
    assert result == {
        "keyword": "DISCOUNT",
        "definitions": [loc(ws, "shop/pricing.py", 4, 0, 8)],
        "references": [
            loc(ws, "shop/cart.py", 37, 71, 84),
            loc(ws, "shop/pricing.py", 16, 25, 33),
            loc(ws, "src/gadgets/widget.py", 12, 41, 45),
        ],
    }


async def test_search_keywords(client: LanguageClient, ws):
    result = await request(client, "repodoc/searchKeywords", {"query": "cart", "limit": 3})
    assert result["items"] == [
        {
            "name": "Cart",
            "kind": "class",
            "qualifiedName": "Cart",
            "location": loc(ws, "shop/cart.py", 18, 6, 10),
        },
        {
            "name": "SpecialCart",
            "kind": "class",
            "qualifiedName": "SpecialCart",
            "location": loc(ws, "shop/util/helpers.py", 5, 6, 17),
        },
        {
            "name": "add",
            "kind": "method",
            "qualifiedName": "Cart.add",
            "location": loc(ws, "shop/cart.py", 31, 8, 11),
        },
    ]


async def test_uri_outside_the_workspace_is_refused_and_the_server_goes_on(client: LanguageClient, ws):
    # `escape` is a symlink inside the workspace pointing three levels up, out of it
    for bad in (uri(ws, "escape/secret.py"), uri(ws.parent / "elsewhere.py"), uri(ws) + "/../outside.py"):
        with pytest.raises(JsonRpcInvalidParams, match="outside every workspace folder"):
            await request(client, "repodoc/fileDoc", {"uri": bad})
    status = await request(client, "repodoc/status", {})
    assert status["state"] == "ready"


async def test_bad_params_are_invalid_params(client: LanguageClient, ws):
    with pytest.raises(JsonRpcInvalidParams, match="give either"):
        await request(client, "repodoc/crossReferences", {})
    with pytest.raises(JsonRpcInvalidParams, match="not an indexed file"):
        await request(client, "repodoc/fileDoc", {"uri": uri(ws, "ignored/secret.py")})
    with pytest.raises(JsonRpcInvalidParams, match="limit must be a positive integer"):
        await request(client, "repodoc/searchKeywords", {"query": "x", "limit": 0})


async def test_cross_references_of_a_method_through_an_instance(client: LanguageClient, ws):
    result = await request(client, "repodoc/crossReferences", {"keyword": "Cart.total"})
    assert result["references"] == [loc(ws, "tests/test_package.py", 26, 38, 43)]
