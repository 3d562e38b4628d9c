"""repodoc/folderDoc with `letter`: the pages of a split symbols page (sub-<letter>.md and
its parts), which sub.md links to, served over a real stdio connection."""

from __future__ import annotations

import pytest
from pygls.exceptions import JsonRpcInvalidParams
from pytest_lsp.client import LanguageClient
from server_helpers import in_process_renderer, request, uri

pytestmark = pytest.mark.asyncio(loop_scope="module")

# Enough rows to pass SUB_SPLIT_BYTES (~500 KB of estimated rows), and enough under "a" for
# that letter to need a second part.
A_NAMES = 3000
B_NAMES = 300


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    root = tmp_path_factory.mktemp("letters").resolve()
    (root / "big").mkdir()
    lines = [f"def alpha_function_with_a_long_name_{n:05d}():\n    pass\n" for n in range(A_NAMES)]
    lines += [f"def beta_function_with_a_long_name_{n:05d}():\n    pass\n" for n in range(B_NAMES)]
    (root / "big" / "names.py").write_text("".join(lines), encoding="utf-8")
    (root / "lone").mkdir()
    (root / "lone" / "small.py").write_text("def tiny():\n    pass\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def rendered(ws):
    renderer = in_process_renderer(ws)
    out = {}
    for unit in renderer.units():
        if unit.kind.startswith("sub"):
            out.update({page: r.text for page, r in renderer.render_unit(unit).items()})
    return out


async def test_every_letter_page_and_part_is_served(client: LanguageClient, ws, rendered):
    assert {"big/sub-a.md", "big/sub-a-2.md", "big/sub-b.md"} <= rendered.keys()
    sub = await request(client, "repodoc/folderDoc", {"uri": uri(ws, "big"), "kind": "sub"})
    assert sub["markdown"] == rendered["big/sub.md"] and "(sub-a-2.md)" in sub["markdown"]
    for letter, page in (("a", "big/sub-a.md"), ("a-2", "big/sub-a-2.md"), ("b", "big/sub-b.md")):
        result = await request(client, "repodoc/folderDoc", {"uri": uri(ws, "big"), "kind": "sub", "letter": letter})
        assert result["markdown"] == rendered[page], letter
        assert (result["path"], result["letter"]) == ("big", letter)
    root = await request(client, "repodoc/folderDoc", {"uri": uri(ws), "kind": "sub", "letter": "a-2"})
    assert root["markdown"] == rendered["sub-a-2.md"]
    assert "alpha_function_with_a_long_name_02999" in rendered["big/sub-a-2.md"]


@pytest.mark.parametrize("params, message", [
    ({"kind": "sub", "letter": "c"}, "has no symbols page sub-c.md"),
    ({"kind": "sub", "letter": "a-3"}, "has no symbols page sub-a-3.md"),
    ({"kind": "sub", "letter": "A"}, "letter .* must be a-z or _"),
    ({"kind": "sub", "letter": "a-0"}, "letter .* must be a-z or _"),
    ({"kind": "sub", "letter": "a-1"}, "letter .* must be a-z or _"),  # part 1 is sub-a.md
    ({"kind": "doc", "letter": "a"}, "letter .*with kind sub"),
])
async def test_a_letter_page_that_does_not_exist_is_invalid_params(client: LanguageClient, ws, params, message):
    with pytest.raises(JsonRpcInvalidParams, match=message):
        await request(client, "repodoc/folderDoc", {"uri": uri(ws, "big"), **params})


async def test_a_folder_whose_symbols_fit_one_page_has_no_letter_pages(client: LanguageClient, ws, rendered):
    assert "lone/sub.md" in rendered and "sub-t.md" in rendered  # the root, holding big/, is split
    with pytest.raises(JsonRpcInvalidParams, match="lone has no symbols page sub-t.md"):
        await request(client, "repodoc/folderDoc", {"uri": uri(ws, "lone/small.py"), "kind": "sub", "letter": "t"})
