"""Hover over a real stdio connection: index answers (definitions, uses, aliases, modules)
and jedi's answer for a standard library name.

The jedi hovers go to a second server whose jedi worker is gated (tests/jedi_gate.py):
a hover that must get jedi's answer has no budget to speak of, and one that must run out
of budget is made while the worker holds its request, so neither depends on the clock.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
import pytest_asyncio
from conftest import materialize_workspace
from jedi_gate import JediGate, guarded
from lsprotocol import types
from pytest_lsp.client import LanguageClient
from server_helpers import ServerSetup, change_doc, hover, open_doc, running_server, uri

from repodoc_ls.server.hover_unknown import PENDING_JEDI

pytestmark = pytest.mark.asyncio(loop_scope="module")

NO_BUDGET_MS = 10**9  # effectively none: the hover waits for jedi however long it takes


def link(ws, rel, line=None, text=None):
    target = uri(ws, rel) + (f"#L{line}" if line else "")
    shown = text or (f"{rel}:{line}" if line else rel)
    return f"[{shown}]({target})"


def docs(ws, rel, symbol=None):
    args = {"uri": uri(ws, rel)}
    if symbol:
        args["symbol"] = symbol
    return f"[Docs: {rel}](command:repodoc.showFileDoc?{quote(json.dumps([args]))})"


async def test_hover_on_a_definition(client: LanguageClient, ws):
    result = await hover(client, ws, "shop/pricing.py", 9, 6)  # def price_of
    assert result.contents.kind == "markdown"
    assert result.contents.value == "\n\n".join(
        [
            "```python\n@functools.lru_cache(maxsize=None)\n"
            "def price_of(item: str, qty: int = 1, /, *, currency: str = 'EUR') -> float\n```",
            "Return the price of `qty` items.",
            "Defined in " + link(ws, "shop/pricing.py", 10),
            "Used in 4 files: "
            + ", ".join(
                [
                    link(ws, "scripts/run_me.py", 13, r"scripts/run\_me.py:13"),
                    link(ws, "shop/cart.py", 38),
                    link(ws, "src/gadgets/widget.py", 13),
                    link(ws, "tests/test_pricing.py", 8, r"tests/test\_pricing.py:8"),
                ]
            ),
            docs(ws, "shop/pricing.py", "price_of"),
        ]
    )
    assert result.range.start.line == 9 and result.range.start.character == 4
    assert result.range.end.character == 12


async def test_hover_on_a_dotted_use_through_a_module_alias(client: LanguageClient, ws):
    # widget.py line 16: `class Gizmo(helpers.SpecialCart):` with `import shop.util.helpers as helpers`
    result = await hover(client, ws, "src/gadgets/widget.py", 15, 22)
    assert result.contents.value == "\n\n".join(
        [
            "```python\nclass SpecialCart(Cart)\n```",
            "A cart with a shell hook.",
            "Defined in " + link(ws, "shop/util/helpers.py", 6),
            "Used in 2 files: " + link(ws, "shop/cart.py", 44) + ", " + link(ws, "src/gadgets/widget.py", 16),
            docs(ws, "shop/util/helpers.py", "SpecialCart"),
        ]
    )
    assert (result.range.start.character, result.range.end.character) == (20, 31)


async def test_hover_on_an_aliased_imported_name(client: LanguageClient, ws):
    # `class Widget(BaseCart):` where `from shop.cart import Cart as BaseCart`
    used = await hover(client, ws, "src/gadgets/widget.py", 10, 15)
    at_import = await hover(client, ws, "src/gadgets/widget.py", 3, 32)  # the alias itself
    assert used.contents.value == at_import.contents.value
    assert used.contents.value.startswith(
        "```python\nclass Cart\n```\n\nHolds items until checkout.\n\n"
        "Defined in " + link(ws, "shop/cart.py", 19)
    )
    assert "Used in 4 files: " in used.contents.value


async def test_hover_on_a_constant_imported_under_another_name(client: LanguageClient, ws):
    result = await hover(client, ws, "src/gadgets/widget.py", 12, 42)  # `rate` = shop.pricing.DISCOUNT
    assert result.contents.value.split("\n\n")[:2] == [
        "```python\nDISCOUNT = 0.1\n```",
        "Defined in " + link(ws, "shop/pricing.py", 5),
    ]


async def test_hover_on_a_module_in_an_import(client: LanguageClient, ws):
    result = await hover(client, ws, "src/gadgets/widget.py", 2, 18)  # import shop.util.helpers
    assert result.contents.value == "\n\n".join(
        [
            "```python\nmodule shop.util.helpers\n```",
            "File " + link(ws, "shop/util/helpers.py"),
            "Imported by 2 files: "
            + link(ws, "shop/cart.py", 11)
            + ", "
            + link(ws, "src/gadgets/widget.py", 3),
            docs(ws, "shop/util/helpers.py"),
        ]
    )
    package = await hover(client, ws, "src/gadgets/widget.py", 2, 8)  # `shop` of the same import
    assert package.contents.value.startswith(
        "```python\nmodule shop\n```\n\nShop package: carts and prices.\n\n"
    )


async def test_hover_on_a_relative_import_module(client: LanguageClient, ws):
    result = await hover(client, ws, "shop/cart.py", 7, 7)  # from .pricing import ...
    assert result.contents.value.startswith("```python\nmodule shop.pricing\n```\n\nPrices and discounts.")


# -- jedi ---------------------------------------------------------------------------


#: Receivers neither the index nor (unless it is let through) the gated jedi can type.
UNKNOWN = '''"""Receivers the index cannot type."""

import json


def total(cart, thing):
    cart.add(thing)
    return json.loads(thing)
'''


@pytest.fixture(scope="module")
def jedi_ws(tmp_path_factory):
    # A workspace of its own: two servers must not share one index store.
    ws = materialize_workspace(tmp_path_factory.mktemp("hover-jedi")).resolve()
    (ws / "shop" / "unknown.py").write_text(UNKNOWN, encoding="utf-8")
    return ws


@pytest.fixture(scope="module")
def gate(tmp_path_factory):
    return JediGate(tmp_path_factory.mktemp("jedi-gate"))


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def gated_client(jedi_ws, gate):
    async with running_server(
        jedi_ws, ServerSetup(hooks=[gate], options={"hoverBudgetMs": NO_BUDGET_MS})
    ) as client:
        yield client


def set_hover_budget(client: LanguageClient, ms: int) -> None:
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"repodoc": {"hoverBudgetMs": ms}})
    )


async def test_hover_on_a_standard_library_name_comes_from_jedi(gated_client: LanguageClient, jedi_ws, gate):
    gate.release()
    result = await guarded(hover(gated_client, jedi_ws, "shop/cart.py", 40, 22))  # json.dumps
    value = result.contents.value
    assert value.startswith("```python\ndumps(obj")
    assert "Serialize ``obj`` to a JSON formatted ``str``." in value
    assert value.endswith("function in module `json`")


async def test_past_the_budget_a_hover_says_it_does_not_know_and_the_next_one_there_shows_jedi(
    gated_client: LanguageClient, jedi_ws, gate
):
    await gate.wait_for(event="ready")  # the worker runs: the hover's request reaches it
    set_hover_budget(gated_client, 50)
    # The worker holds the request (or has not taken it up): the budget runs out first.
    result = await guarded(hover(gated_client, jedi_ws, "shop/unknown.py", 7, 18))  # json.loads
    assert result.contents.value == "\n\n".join(
        [
            "`loads`: attribute of a value of unknown type.",
            "Nothing named `loads` is defined in this workspace or on a builtin type.",
            PENDING_JEDI,
        ]
    )
    (asked,) = await gate.wait_for(event="start", op="help", line=8)

    # The request was not cancelled: it runs on, and a hover anywhere on the word waits for
    # its answer (no budget now) rather than asking jedi again.
    set_hover_budget(gated_client, NO_BUDGET_MS)
    gate.release()
    result = await guarded(hover(gated_client, jedi_ws, "shop/unknown.py", 7, 20))
    assert result.contents.value.startswith("```python\nloads(s")
    # Kept: shown at once, however small the budget.
    set_hover_budget(gated_client, 1)
    again = await guarded(hover(gated_client, jedi_ws, "shop/unknown.py", 7, 16))
    assert again.contents.value == result.contents.value
    assert [e["id"] for e in gate.events(event="start", op="help", line=8)] == [asked["id"]]
    assert not gate.events(event="cancel", id=asked["id"])


async def test_past_the_budget_an_attribute_lists_the_definitions_of_its_name_as_candidates(
    gated_client: LanguageClient, jedi_ws, gate
):
    set_hover_budget(gated_client, 50)
    result = await guarded(hover(gated_client, jedi_ws, "shop/unknown.py", 6, 10))  # cart.add
    assert result.contents.value == "\n\n".join(
        [
            "`add`: attribute of a value of unknown type. Candidates, by name only:",
            f"Defined in this workspace as {link(jedi_ws, 'shop/cart.py', 32, 'Cart.add')}.",
            "On builtin types: `set.add`.",
            PENDING_JEDI,
        ]
    )


async def test_a_late_answer_is_never_shown_for_another_text(gated_client: LanguageClient, jedi_ws, gate):
    # jedi answered for `json.loads` in the file as it is on disk (the test above).
    set_hover_budget(gated_client, 1)
    kept = await guarded(hover(gated_client, jedi_ws, "shop/unknown.py", 7, 18))
    assert kept.contents.value.startswith("```python\nloads(s")
    (held,) = gate.events(event="start", op="help", line=7)  # `cart.add`, held by the gate
    open_doc(gated_client, jedi_ws, "shop/unknown.py")
    change_doc(gated_client, jedi_ws, "shop/unknown.py", 2, (7, 26), (7, 26), "s")  # loads(things)
    asked = len(gate.events(event="start", op="help", line=8))
    result = await guarded(hover(gated_client, jedi_ws, "shop/unknown.py", 7, 18))
    assert result.contents.value.endswith(PENDING_JEDI)  # not the answer for the old text
    await gate.wait_for(event="cancel", id=held["id"])  # the old text's requests are given up
    gate.open()
    await gate.wait_for(asked + 1, event="start", op="help", line=8)  # asked again, for the new text


async def test_no_hover_on_whitespace_comments_or_keywords(client: LanguageClient, ws):
    assert await hover(client, ws, "shop/pricing.py", 11, 20) is None  # inside `# TODO: real price table`
    assert await hover(client, ws, "shop/pricing.py", 6, 0) is None  # an empty line


async def test_hover_on_parameters_locals_self_attributes_and_builtins_without_jedi(
    client: LanguageClient, ws
):
    # A parameter (on its use), with the function it belongs to.
    result = await hover(client, ws, "shop/cart.py", 32, 32)  # `qty` in `Cart.Line(item, qty)`
    assert result.contents.value.startswith("```python\n(parameter) qty: int = 1\n```")
    assert f"Parameter of `Cart.add`, {link(ws, 'shop/cart.py', 32)}" in result.contents.value
    # A local variable: its first binding.
    result = await hover(client, ws, "shop/cart.py", 34, 16)  # `return line`
    assert "(variable) line" in result.contents.value
    assert (
        f"Local variable of `Cart.add`, first bound at {link(ws, 'shop/cart.py', 33)}"
        in result.contents.value
    )
    # self, and an attribute only assigned in __init__.
    result = await hover(client, ws, "shop/cart.py", 33, 9)
    assert result.contents.value.startswith("```python\n(parameter) self: Cart\n```")
    result = await hover(client, ws, "shop/cart.py", 33, 14)  # `self.lines`
    assert "(attribute) Cart.lines" in result.contents.value
    assert f"first assigned at {link(ws, 'shop/cart.py', 30)}" in result.contents.value
    # A builtin: the interpreter's own signature and summary.
    result = await hover(client, ws, "shop/cart.py", 37, 16)  # `sum(`
    assert result.contents.value.startswith("```python\nfunction sum(iterable, /, start=0)\n```")


async def test_hover_counts_uses_through_an_instance(client: LanguageClient, ws):
    result = await hover(client, ws, "shop/cart.py", 31, 9)  # def add, called as self.cart.add(...)
    assert "Used in 1 file: " + link(ws, "tests/test_package.py", 26, r"tests/test\_package.py:26") in (
        result.contents.value
    )
