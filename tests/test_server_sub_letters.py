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
        result = await request(
            client, "repodoc/folderDoc", {"uri": uri(ws, "big"), "kind": "sub", "letter": letter}
        )
        assert result["markdown"] == rendered[page], letter
        assert (result["path"], result["letter"]) == ("big", letter)
    root = await request(client, "repodoc/folderDoc", {"uri": uri(ws), "kind": "sub", "letter": "a-2"})
    assert root["markdown"] == rendered["sub-a-2.md"]
    assert "alpha_function_with_a_long_name_02999" in rendered["big/sub-a-2.md"]


@pytest.mark.parametrize(
    "params, message",
    [
        ({"kind": "sub", "letter": "c"}, "has no symbols page sub-c.md"),
        ({"kind": "sub", "letter": "a-3"}, "has no symbols page sub-a-3.md"),
        ({"kind": "sub", "letter": "A"}, "letter .* must be a-z or _"),
        ({"kind": "sub", "letter": "a-0"}, "letter .* must be a-z or _"),
        ({"kind": "sub", "letter": "a-1"}, "letter .* must be a-z or _"),  # part 1 is sub-a.md
        ({"kind": "doc", "letter": "a"}, "letter .*with kind sub"),
    ],
)
async def test_a_letter_page_that_does_not_exist_is_invalid_params(
    client: LanguageClient, ws, params, message
):
    with pytest.raises(JsonRpcInvalidParams, match=message):
        await request(client, "repodoc/folderDoc", {"uri": uri(ws, "big"), **params})


async def test_a_folder_whose_symbols_fit_one_page_has_no_letter_pages(client: LanguageClient, ws, rendered):
    assert "lone/sub.md" in rendered and "sub-t.md" in rendered  # the root, holding big/, is split
    with pytest.raises(JsonRpcInvalidParams, match="lone has no symbols page sub-t.md"):
        await request(
            client, "repodoc/folderDoc", {"uri": uri(ws, "lone/small.py"), "kind": "sub", "letter": "t"}
        )


# ---------------------------------------------------------------- where pages live, and pages by path


@pytest.fixture(scope="module")
def every_page(ws):
    from repodoc_ls.docs.workers import render_all

    return {page: data.decode("utf-8") for page, data in render_all(in_process_renderer(ws)).items()}


async def test_page_results_and_status_say_where_pages_live(client: LanguageClient, ws):
    """Clients name and link pages by `page` (relative to `outputDir`): neither rebuilds a path."""
    output = str(ws / "docs" / "repodoc")
    for method, params, page in (
        ("repodoc/fileDoc", {"uri": uri(ws, "big/names.py")}, "big/names.py_docs.md"),
        ("repodoc/keywordIndex", {"uri": uri(ws, "lone/small.py")}, "lone/small.py_kw.md"),
        ("repodoc/folderDoc", {"uri": uri(ws, "lone/small.py"), "kind": "doc"}, "lone/doc.md"),
        ("repodoc/folderDoc", {"uri": uri(ws), "kind": "sub"}, "sub.md"),
        ("repodoc/folderDoc", {"uri": uri(ws, "big"), "kind": "sub", "letter": "a-2"}, "big/sub-a-2.md"),
    ):
        result = await request(client, method, params)
        assert (result["page"], result["outputDir"]) == (page, output), (method, params)
    status = await request(client, "repodoc/status", {})
    assert [(f["uri"], f["outputDir"]) for f in status["folders"]] == [(uri(ws), output)]


async def test_every_page_is_served_by_its_path(client: LanguageClient, ws, every_page):
    """repodoc/page: how a client follows a link between pages without knowing their layout."""
    assert {"big/sub-a-2.md", "big/names.py_kw.md", "lone/index.md", "doc.md"} <= every_page.keys()
    for page, text in sorted(every_page.items()):
        result = await request(client, "repodoc/page", {"uri": uri(ws), "page": page})
        assert result["markdown"] == text, page
        path = (
            page.rsplit("_", 1)[0] if page.endswith((".py_docs.md", ".py_kw.md")) else page.rpartition("/")[0]
        )
        scope = "file" if path.endswith(".py") else "folder"
        assert (result["page"], result["path"], result["scope"]) == (page, path, scope)
        assert result["uri"] == (uri(ws, path) if path else uri(ws))


@pytest.mark.parametrize(
    "page, message",
    [
        ("big/sub-c.md", "has no page big/sub-c.md"),
        ("big/sub-a-3.md", "has no page big/sub-a-3.md"),
        ("lone/sub-t.md", "has no page lone/sub-t.md"),  # lone's symbols fit one page
        ("missing.py_docs.md", "has no page missing.py_docs.md"),
        ("../outside.py_kw.md", "has no page"),
        ("nowhere/index.md", "has no page nowhere/index.md"),
        ("notes.txt", "page must be a page path"),
        (7, "page must be a page path"),
    ],
)
async def test_a_page_path_the_doc_set_does_not_have_is_invalid_params(
    client: LanguageClient, ws, page, message
):
    with pytest.raises(JsonRpcInvalidParams, match=message):
        await request(client, "repodoc/page", {"uri": uri(ws), "page": page})
