"""The hover for a name whose type neither the index nor jedi told in time (hover_unknown.py),
in process: it says the type is unknown, and lists the definitions of that name (methods of
workspace classes, module-level names, builtin types' members) as candidates, capped; after
an edit the list is the one a fresh index gives."""

from __future__ import annotations

import textwrap
from types import SimpleNamespace

import pytest

from repodoc_ls.config import load_settings
from repodoc_ls.index.indexer import Index
from repodoc_ls.server import hover
from repodoc_ls.server.folders import split_lines
from repodoc_ls.server.hover_format import Format, HoverContext
from repodoc_ls.server.hover_unknown import CANDIDATES_SHOWN
from repodoc_ls.server.target import word_at

FILES = {
    "pkg/__init__.py": "",
    "pkg/tasks.py": """
        class Task:
            def cancel(self):
                pass


        class Future:
            def cancel(self, msg=None):
                pass


        def helper():
            def cancel():  # local to a function: no attribute of anything
                pass
            return cancel


        def cancel(job):
            return job
        """,
    "pkg/many.py": "".join(f"class C{i}:\n    def finish(self):\n        pass\n\n\n" for i in range(7)),
    "pkg/use.py": """
        def run(job, text):
            job.cancel()
            job.finish()
            text.isdigit()
            job.nowhere_at_all()
            run(flag=job)  # a keyword argument: not this hover's
            return undefined_name, __debug__  # a job in a comment
        """,
}


def make_workspace(root, files):
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def context(root, markdown=False):
    settings = load_settings(root)
    index = Index.build(settings, persistent=False)
    folder = SimpleNamespace(root=root, index=index, settings=settings, uri=root.as_uri(), partial=False)
    ls = SimpleNamespace(lines=lambda f, rel: split_lines((root / rel).read_text(encoding="utf-8")))
    return HoverContext(ls, folder, Format(markdown=markdown))


@pytest.fixture
def ws(tmp_path):
    make_workspace(tmp_path, FILES)
    return tmp_path.resolve()


def unknown_at(ctx, rel: str, needle: str) -> str | None:
    lines = split_lines((ctx.folder.root / rel).read_text(encoding="utf-8"))
    line = next(i for i, text in enumerate(lines) if needle in text)
    word = word_at(lines, line, lines[line].index(needle) + len(needle) - 1)
    assert word is not None
    return hover.locked_unknown_hover(ctx, rel, lines, word)


def test_an_attribute_lists_the_methods_and_module_names_it_may_be_as_candidates(ws):
    ctx = context(ws, markdown=True)
    text = unknown_at(ctx, "pkg/use.py", "job.cancel")
    tasks = (ws / "pkg/tasks.py").as_uri()
    assert text == (
        "`cancel`: attribute of a value of unknown type. Candidates, by name only:\n\n"
        f"Defined in this workspace as [Task.cancel]({tasks}#L2), [Future.cancel]({tasks}#L7), "
        f"[pkg.tasks.cancel]({tasks}#L17)."
    )


def test_the_list_is_capped_and_builtin_types_are_named(ws):
    ctx = context(ws)
    text = unknown_at(ctx, "pkg/use.py", "job.finish")
    shown = ", ".join(f"C{i}.finish" for i in range(CANDIDATES_SHOWN))
    assert text.endswith(f"Defined in this workspace as {shown}, and {7 - CANDIDATES_SHOWN} more.")
    text = unknown_at(ctx, "pkg/use.py", "text.isdigit")
    assert text == (
        "isdigit: attribute of a value of unknown type. Candidates, by name only:\n\n"
        "On builtin types: bytearray.isdigit, bytes.isdigit, str.isdigit."
    )


def test_no_answer_for_a_word_that_is_no_name_in_the_code(ws):
    ctx = context(ws)
    assert unknown_at(ctx, "pkg/use.py", "a job") is None
    assert unknown_at(ctx, "pkg/use.py", "flag") is None


def test_with_nothing_to_offer_it_says_so(ws):
    ctx = context(ws)
    assert unknown_at(ctx, "pkg/use.py", "job.nowhere_at_all") == (
        "nowhere_at_all: attribute of a value of unknown type.\n\n"
        "Nothing named nowhere_at_all is defined in this workspace or on a builtin type."
    )
    assert unknown_at(ctx, "pkg/use.py", "undefined_name") == (
        "undefined_name: a name the index does not resolve here.\n\n"
        "Nothing named undefined_name is defined in this workspace."
    )
    assert unknown_at(ctx, "pkg/use.py", "__debug__").endswith(
        "The running interpreter has a builtin named __debug__."
    )


def test_after_edits_the_candidates_are_those_of_a_fresh_index(ws, tmp_path_factory):
    ctx = context(ws)
    index = ctx.folder.index
    assert "Task.cancel" in unknown_at(ctx, "pkg/use.py", "job.cancel")  # the lazy index is built
    edited = dict(FILES)
    edited["pkg/tasks.py"] = FILES["pkg/tasks.py"].replace("def cancel(self):", "def abort(self):")
    edited["pkg/handles.py"] = """
        class Handle:
            def cancel(self):
                pass
        """
    for rel in ("pkg/tasks.py", "pkg/handles.py"):
        text = textwrap.dedent(edited[rel]).lstrip("\n")
        (ws / rel).write_text(text, encoding="utf-8")
        index.update(rel, text)
    updated = unknown_at(ctx, "pkg/use.py", "job.cancel")
    assert "Handle.cancel" in updated and "Task.cancel" not in updated
    fresh_root = tmp_path_factory.mktemp("fresh").resolve()
    make_workspace(fresh_root, edited)
    fresh = unknown_at(context(fresh_root), "pkg/use.py", "job.cancel")
    assert updated == fresh
