"""Hover on names bound by Python's scope rules, over a real stdio connection: the binding a
name reads is the one analysis/scopes.py resolves (parameter defaults read the enclosing
scope, class bodies are not seen from their methods, comprehensions are scopes of their own,
`global` and `nonlocal` send a name to the scope that binds it)."""

from __future__ import annotations

import pytest
from needles import needle_at
from pytest_lsp.client import LanguageClient
from scoping_source import LINES, SOURCE, line_of
from server_helpers import hover, uri

pytestmark = pytest.mark.asyncio(loop_scope="module")

DEMO = "shop/scoping.py"


@pytest.fixture(scope="module")
def ws(ws):
    (ws / DEMO).write_text(SOURCE, encoding="utf-8")
    return ws


def at(needle: str, occurrence: int = 1, offset: int = 0) -> tuple[int, int]:
    return needle_at(LINES, needle, occurrence, offset)


async def text_at(client: LanguageClient, ws, needle: str, occurrence: int = 1, offset: int = 0) -> str:
    result = await hover(client, ws, DEMO, *at(needle, occurrence, offset))
    assert result is not None, needle
    return result.contents.value


def link(ws, line: int) -> str:
    return f"[{DEMO}:{line}]({uri(ws, DEMO)}#L{line})"


async def test_a_parameter_default_reads_the_enclosing_scope(client: LanguageClient, ws):
    default = await text_at(client, ws, "limit=limit", offset=6)
    assert default.startswith("```python\n(variable) limit\n```")
    assert f"Module variable, first bound at {link(ws, line_of('limit = 10'))}" in default
    assert "parameter" not in default.lower()
    # the same name in the body is the parameter
    body = await text_at(client, ws, "value, limit)", offset=7)
    assert body.startswith("```python\n(parameter) limit=limit\n```")
    assert f"Parameter of `clamp`, {link(ws, line_of('def clamp'))}" in body


async def test_a_method_does_not_see_its_class_body(client: LanguageClient, ws):
    in_method = await text_at(client, ws, "return retries", offset=7)
    assert f"Module variable, first bound at {link(ws, line_of('retries = 5'))}" in in_method
    assert "Config" not in in_method
    in_body = await text_at(client, ws, "retries = 3")
    assert in_body.startswith("```python\n(class attribute) Config.retries\n```")


async def test_a_comprehension_variable_is_the_comprehension_s_own(client: LanguageClient, ws):
    text = await text_at(client, ws, "item * item")
    assert text.startswith("```python\n(variable) item\n```")
    assert (
        f"Comprehension variable of `Config.squares`, first bound at {link(ws, line_of('return [item'))}"
        in text
    )
    # the iterable is read in the function
    iterable = await text_at(client, ws, "in items", offset=3)
    assert iterable.startswith("```python\n(parameter) items\n```")


async def test_global_and_nonlocal_names_are_the_binding_scope_s(client: LanguageClient, ws):
    text = await text_at(client, ws, "return counter", offset=7)
    assert f"Module variable, first bound at {link(ws, line_of('counter = 0'))}" in text
    text = await text_at(client, ws, "return total", offset=7)
    assert text.startswith("```python\n(variable) total\n```")
    assert f"Local variable of `outer`, first bound at {link(ws, line_of('total = 0'))}" in text
