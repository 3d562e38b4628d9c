"""Docstrings rendered for readers (issue 12, item 6): the first sentence as the summary,
inline markup made Markdown, roles linked through name resolution, and the parameters,
return value and exceptions of reST, Google and NumPy docstrings shown per function."""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from repodoc_ls.config import load_settings
from repodoc_ls.docs.export import check, export
from repodoc_ls.docs.linkcheck import check_links
from repodoc_ls.docs.render import Renderer
from repodoc_ls.index.indexer import Index
from repodoc_ls.model import first_sentence

Q = '"' * 3

MODELS = f"""{Q}Models.{Q}


class Request:
    {Q}A request.{Q}

    def prepare(self):
        {Q}Prepare it; see :meth:`send`.{Q}

    def send(self):
        pass


class Response:
    pass
"""

API = f"""{Q}The API.{Q}
from pkg.models import Request


def rest(method, url):
    {Q}Constructs a :class:`Request <Request>`, prepares it
    and sends it. Returns a :class:`~pkg.models.Response` object.

    :param method: method for the new :class:`Request` object.
    :param url: **the** URL, e.g. ``https://x``. More text here.
    :type url: str
    :rtype: pkg.models.Response
    :raises ValueError: if the URL is bad.
    {Q}


def google(x, *args) -> int:
    {Q}Add up, e.g. two numbers, with :func:`numpy.sum`.

    Args:
        x (int): The first.
        *args: The rest.

    Returns:
        The total.

    Raises:
        KeyError: When missing.
    {Q}


def numpy_style(a):
    {Q}
    Scale a value.

    Parameters
    ----------
    a : float
        The value.

    Returns
    -------
    float
        The scaled value.
    {Q}


def hostile():
    {Q}Has [a link](http://evil.example) and <script>x</script> and :class:`[x](y)`.{Q}


def typed(x: int, y, **kw: str) -> Request:
    {Q}Typed.

    Args:
        x (int): The first.
        y (str): The second.
        **kw (str): More.

    Returns:
        Request: A new one.
    {Q}
"""


GUIDE = f"""{Q}
pkg.guide
~~~~~~~~~

This module sends :class:`~pkg.models.Request` objects,
**quickly**. See :func:`nowhere`.

Example::

    r = Request()
    r.send()

- one item
- two ``items``

>>> 1 + 1
2

1. Not a list
but a paragraph.
{Q}
"""


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    root = tmp_path_factory.mktemp("docstrings")
    (root / "pkg").mkdir()
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "models.py").write_text(MODELS)
    (root / "pkg" / "api.py").write_text(API)
    (root / "pkg" / "guide.py").write_text(GUIDE)
    return root


def _entry(page: str, anchor: str) -> list[str]:
    """The API entry of `anchor` and the detail lines under it."""
    lines = page.splitlines()
    start = next(i for i, line in enumerate(lines) if f'<a id="{anchor}"></a>' in line)
    out = [lines[start]]
    indent = len(lines[start]) - len(lines[start].lstrip())
    for line in lines[start + 1 :]:
        if not line.startswith(" " * (indent + 2) + "- ") or "<a id=" in line:
            break
        out.append(line.strip())
    return out


@pytest.mark.parametrize(
    "docstring,summary",
    [
        (
            "When being redirected we may want to strip authentication from the\n"
            "    request to avoid leaking credentials. This method removes it.",
            "When being redirected we may want to strip authentication from the request to avoid leaking credentials.",
        ),
        ("Receives a Response. Returns a URI.", "Receives a Response."),
        ("Do x, e.g. this, i.e. that. Then.", "Do x, e.g. this, i.e. that."),
        ("No stop at the end", "No stop at the end"),
        ("Summary line\n\nArgs:\n    x: y", "Summary line"),
        ("Summary line\nArgs:\n    x: y", "Summary line"),
        ("Scale.\n\nParameters\n----------\nx", "Scale."),
        (
            "requests.sessions\n~~~~~~~~~~~~~~~~~\n\nThis module provides a Session.",
            "This module provides a Session.",
        ),
        (":param x: only fields", ""),
        ("Use\n:class:`Foo` objects. More.", "Use :class:`Foo` objects."),
        ("Version 1.2.3 is out", "Version 1.2.3 is out"),
        ("Uses the U.S. standard. More.", "Uses the U.S. standard."),
        ("", ""),
        ("x " * 200 + "end.", ("x " * 150).rstrip() + " …"),
    ],
)
def test_the_summary_is_the_first_sentence(docstring, summary):
    assert first_sentence(docstring) == summary


def test_rest_fields_roles_and_markup(ws):
    page = Renderer(Index.build(load_settings(ws))).render_page("pkg/api.py", "docs")
    assert _entry(page, "rest") == [
        '- <a id="rest"></a>`def rest(method, url)` · [line 5](../../../pkg/api.py#L5) — Constructs a '
        "[`Request`](models.py_docs.md#Request), prepares it and sends it.",
        "- Parameters: `method` — method for the new [`Request`](models.py_docs.md#Request) object.; "
        "`url` (`str`) — **the** URL, e.g. `https://x`.",
        "- Returns [`pkg.models.Response`](models.py_docs.md#Response)",
        "- Raises `ValueError` — if the URL is bad.",
    ]


def test_google_and_numpy_sections_with_the_return_annotation(ws):
    page = Renderer(Index.build(load_settings(ws))).render_page("pkg/api.py", "docs")
    assert _entry(page, "google") == [
        '- <a id="google"></a>`def google(x, *args) -> int` · [line 17](../../../pkg/api.py#L17) — '
        "Add up, e.g. two numbers, with `numpy.sum()`.",
        "- Parameters: `x` (`int`) — The first.; `*args` — The rest.",
        "- Returns `int` — The total.",
        "- Raises `KeyError` — When missing.",
    ]
    assert _entry(page, "numpy_style") == [
        '- <a id="numpy_style"></a>`def numpy_style(a)` · [line 32](../../../pkg/api.py#L32) — Scale a value.',
        "- Parameters: `a` (`float`) — The value.",
        "- Returns `float` — The scaled value.",
    ]


def test_a_method_role_links_within_its_class(ws):
    page = Renderer(Index.build(load_settings(ws))).render_page("pkg/models.py", "docs")
    assert _entry(page, "Request.prepare")[0].endswith("— Prepare it; see [`send()`](#Request.send).")


def test_a_docstring_cannot_add_its_own_links_or_html(ws, tmp_path):
    page = Renderer(Index.build(load_settings(ws))).render_page("pkg/api.py", "docs")
    line = _entry(page, "hostile")[0]
    assert "http://evil.example" in line  # shown as text: the links check below finds no link to it
    tokens = MarkdownIt("commonmark").parse(line)
    html = [c for t in tokens if t.children for c in t.children if c.type == "html_inline"]
    assert [c.content for c in html] == ['<a id="hostile">', "</a>"]
    links = [c.attrs["href"] for t in tokens if t.children for c in t.children if c.type == "link_open"]
    assert links == ["../../../pkg/api.py#L48"]
    out = tmp_path / "out"
    index = Index.build(load_settings(ws, {"output_dir": str(out), "cache_dir": str(tmp_path / "cache")}))
    export(index)
    assert check_links(out, source_root=ws) == []
    assert check(index).ok


def test_types_the_signature_annotates_are_not_repeated(ws):
    page = Renderer(Index.build(load_settings(ws))).render_page("pkg/api.py", "docs")
    assert _entry(page, "typed")[1:] == [
        "- Parameters: `x` — The first.; `y` (`str`) — The second.; `**kw` — More.",
        "- Returns [`Request`](models.py_docs.md#Request) — A new one.",
    ]


def test_the_module_docstring_reads_as_prose_with_literal_blocks_kept(ws):
    page = Renderer(Index.build(load_settings(ws))).render_page("pkg/guide.py", "docs")
    assert (
        page.splitlines()[2]
        == "This module sends [`Request`](models.py_docs.md#Request) objects, **quickly**."
    )
    purpose = page.split("## Purpose\n\n", 1)[1].split("\n## ", 1)[0]
    assert purpose == (
        "**pkg.guide**\n\n"
        "This module sends [`Request`](models.py_docs.md#Request) objects, **quickly**. See `nowhere()`.\n\n"
        "Example:\n\n"
        "```text\n    r = Request()\n    r.send()\n```\n\n"
        "- one item\n- two `items`\n\n"
        "```text\n>>> 1 + 1\n2\n```\n\n"
        "\\1. Not a list but a paragraph.\n"
    )


def test_a_role_link_follows_an_edit_of_the_file_it_names(tmp_path):
    ws = tmp_path / "ws"
    (ws / "pkg").mkdir(parents=True)
    (ws / "pkg" / "__init__.py").write_text("")
    (ws / "pkg" / "models.py").write_text("class Request:\n    pass\n")
    (ws / "pkg" / "api.py").write_text(f"def send():\n    {Q}Send a :class:`pkg.models.Request`.{Q}\n")
    out = tmp_path / "out"
    settings = {"output_dir": str(out), "cache_dir": str(tmp_path / "cache")}
    export(Index.build(load_settings(ws, settings)))
    assert "[`pkg.models.Request`](models.py_docs.md#Request)" in (out / "pkg" / "api.py_docs.md").read_text()
    (ws / "pkg" / "models.py").write_text("class Other:\n    pass\n")
    index = Index.build(load_settings(ws, settings))
    export(index)
    page = (out / "pkg" / "api.py_docs.md").read_text()
    assert "Send a `pkg.models.Request`." in page  # no longer in the workspace: code, not a link
    assert check_links(out, source_root=ws) == [] and check(index).ok
