"""Untrusted repositories, by size: enormous files are never read whole, enormous symbol
counts give pages of bounded size, and FIFOs never block (issue 10, item 4).

Every hostile workspace is built at test time. Subprocess timeouts and `wait_for` below are
hang guards only (a FIFO that blocks would hang the test for good), never speed assertions.
"""

from __future__ import annotations

import asyncio
import os
import re
import resource
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams
from pytest_lsp.client import LanguageClient
from server_helpers import CONFIG, hover, request, start, uri

from repodoc_ls.config import load_settings
from repodoc_ls.docs import caps
from repodoc_ls.docs.render import Renderer
from repodoc_ls.index import indexer
from repodoc_ls.index.indexer import Index
from repodoc_ls.scan import ScannedFile, ScanResult, scan

HANG_GUARD_S = 300
SPARSE_BYTES = 1_500_000_000
MARKER = "HEADER_MARKER_THAT_ONLY_A_READ_WOULD_SEE"
MAX_SOURCE_BYTES = 256 * 1024
FUNCTIONS = 200_000


def repodoc(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "repodoc_ls", *args], capture_output=True, text=True, timeout=HANG_GUARD_S
    )


def repodoc_peak_memory(*args: str) -> tuple[subprocess.CompletedProcess, int]:
    """`repodoc *args`, and its peak resident memory in KiB, measured in a parent of its own
    (RUSAGE_CHILDREN of this process would count every earlier test's subprocesses)."""
    probe = (
        "import resource, subprocess, sys\n"
        "done = subprocess.run([sys.executable, '-m', 'repodoc_ls', *sys.argv[1:]])\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
        "sys.exit(done.returncode)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", probe, *args], capture_output=True, text=True, timeout=HANG_GUARD_S
    )
    return run, int(run.stdout.strip().splitlines()[-1])


def sparse_python_file(path: Path) -> None:
    """A valid module header, then zeros up to 1.5 GB: a hole, so it costs no disk."""
    with open(path, "wb") as fh:
        fh.write(f'"""{MARKER}"""\ndef visible(): pass\n'.encode())
        fh.truncate(SPARSE_BYTES)


def many_functions(path: Path, count: int = FUNCTIONS) -> None:
    path.write_text("".join(f"def f{i}(): pass\n" for i in range(count)), encoding="utf-8")


def in_thread(fn, *args):
    """fn(*args) in a thread; fails (instead of hanging the suite) if it never returns."""
    result: dict = {}

    def run():
        try:
            result["value"] = fn(*args)
        except BaseException as exc:  # noqa: BLE001 - re-raised below
            result["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(HANG_GUARD_S)
    assert not thread.is_alive(), f"{fn.__name__} blocked"
    if "error" in result:
        raise result["error"]
    return result["value"]


# ---------------------------------------------------------------- enormous files


def test_a_sparse_file_of_1_5_gb_is_never_read(tmp_path):
    ws = tmp_path / "ws"
    ws.mkdir()
    sparse_python_file(ws / "big.py")
    (ws / "user.py").write_text("import big\n\nbig.visible()\n", encoding="utf-8")
    run, peak_kib = repodoc_peak_memory("export", str(ws))
    assert run.returncode == 0, run.stderr
    assert peak_kib < 500 * 1024  # a read of the file alone would take 1.5 GB

    page = ws / "docs" / "repodoc" / "big.py_docs.md"
    text = page.read_text(encoding="utf-8")
    assert page.stat().st_size < MAX_SOURCE_BYTES + 64 * 1024
    assert "not read: 1,500,000,000 bytes, over max-file-bytes = 8,388,608" in text
    assert "| Size | 1,500,000,000 bytes |" in text and "| Type | module |" in text
    assert MARKER not in text and "visible" not in text  # nothing of its content
    # The importer's page still names it, and the doc set is whole.
    assert "[`big.py`](big.py_docs.md)" in (ws / "docs" / "repodoc" / "user.py_docs.md").read_text()
    check = repodoc("check", str(ws))
    assert check.returncode == 0, check.stdout + check.stderr

    # The store keeps its metadata by size and mtime: the next run reads nothing either.
    again = repodoc("index", str(ws))
    assert again.returncode == 0 and "(0 extracted, 2 reused" in again.stdout, again.stdout + again.stderr


def test_the_size_limit_is_a_setting_and_the_store_follows_it(tmp_path):
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "mid.py").write_text('"""A module of about 40 KB."""\n' + "x = 1\n" * 7000, encoding="utf-8")
    pyproject = ws / "pyproject.toml"
    pyproject.write_text("[tool.repodoc]\nmax-file-bytes = 10000\n", encoding="utf-8")
    settings = load_settings(ws)
    small = Index.build(settings)
    facts = small.file("mid.py")
    assert facts.encoding is None and facts.lines == 0 and facts.size > 10000
    assert "over max-file-bytes = 10,000" in facts.notes[0].detail
    small.store.close()

    pyproject.write_text("[tool.repodoc]\nmax-file-bytes = 100000\n", encoding="utf-8")
    larger = Index.build(load_settings(ws))  # same size and mtime, but now under the limit
    assert larger.file("mid.py").summary == "A module of about 40 KB."
    larger.store.close()


def test_a_long_line_is_cut_at_the_byte_budget(tmp_path):
    from repodoc_ls.docs.render import Renderer

    ws = tmp_path / "ws"
    ws.mkdir()
    line_bytes = 12 * 1024 * 1024
    (ws / "minified.py").write_text("x = '" + "a" * line_bytes + "'\n", encoding="utf-8")
    size = (ws / "minified.py").stat().st_size
    # Under the default limit the file is not read at all.
    assert repodoc("export", str(ws)).returncode == 0
    text = (ws / "docs" / "repodoc" / "minified.py_docs.md").read_text(encoding="utf-8")
    assert f"not read: {size:,} bytes" in text and "## Source" not in text
    # Read under a limit the user raised (a repository may only lower it), the one line is cut.
    index = Index.build(load_settings(ws, {"max_file_bytes": 16 * 1024 * 1024}), persistent=False)
    text = Renderer(index).render_page("minified.py", "docs")
    assert len(text.encode("utf-8")) < MAX_SOURCE_BYTES + 64 * 1024
    assert "its first line follows, cut short." in text
    shown = len(max(re.findall("a+", text), key=len))
    assert MAX_SOURCE_BYTES - 100 < shown <= MAX_SOURCE_BYTES
    more = size - MAX_SOURCE_BYTES
    assert f"… {more:,} more bytes; see the source file: [`minified.py`](../../minified.py)." in text


def test_many_short_lines_stop_at_the_line_budget(tmp_path):
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "long.txt").write_text("".join(f"line {i}\r\n" for i in range(40_000)), encoding="utf-8")
    index = Index.build(load_settings(ws), persistent=False)
    text = Renderer(index).render_page("long.txt", "docs")
    assert "its first 80 lines follow." in text and "line 79\n```" in text and "line 80" not in text
    shown = sum(len(f"line {i}\r\n") for i in range(80))
    assert f"… {(ws / 'long.txt').stat().st_size - shown:,} more bytes" in text


def test_an_excerpt_counts_bytes_and_cuts_at_a_character():
    from repodoc_ls.docs.excerpt import embedded_source

    data = ("é" * 100).encode("utf-8")  # 200 bytes, one line
    source = embedded_source(data, "utf-8", 51)
    assert source.body == "é" * 25 and source.cut and source.lines == 1 and source.more_bytes == 150
    # A budget that ends right before a line end cuts nothing short.
    source = embedded_source(b"abc\ndef\n", "utf-8", 3)
    assert (source.body, source.cut, source.lines, source.more_bytes) == ("abc", False, 1, 5)
    assert embedded_source(b"abc\r\n", "utf-8", 10) == ("abc", False, 0, False, 0)


def test_a_file_with_200k_functions_gives_pages_of_bounded_size(tmp_path):
    ws = tmp_path / "ws"
    ws.mkdir()
    many_functions(ws / "many.py")
    # Links to symbols past the cap (an import, a subclass) must still resolve.
    (ws / "user.py").write_text("from many import f150000, f10\n\nf150000()\nf10()\n", encoding="utf-8")
    run = repodoc("export", str(ws))
    assert run.returncode == 0, run.stderr
    out = ws / "docs" / "repodoc"
    hidden = FUNCTIONS - caps.MAX_SYMBOLS
    kw = (out / "many.py_kw.md").read_text(encoding="utf-8")
    assert (out / "many.py_kw.md").stat().st_size < 1024 * 1024
    assert f"… and {hidden:,} more keywords not listed here." in kw
    assert f"{FUNCTIONS} keywords" in kw
    docs = (out / "many.py_docs.md").read_text(encoding="utf-8")
    assert (out / "many.py_docs.md").stat().st_size < 1024 * 1024
    assert f"… and {hidden:,} more symbols not listed here." in docs
    last, first_hidden = caps.MAX_SYMBOLS - 1, caps.MAX_SYMBOLS
    assert f'<a id="f{last}"></a>' in docs and f'<a id="f{first_hidden}"></a>' not in docs
    sub_pages = list(out.glob("sub*.md"))
    assert sum(p.stat().st_size for p in sub_pages) < 1024 * 1024
    assert f"… and {hidden:,} more symbols not listed here" in (out / "sub.md").read_text(encoding="utf-8")
    user = (out / "user.py_kw.md").read_text(encoding="utf-8")
    assert "[page](many.py_docs.md)" in user and "[page](many.py_docs.md#f10)" in user
    check = repodoc("check", str(ws))
    assert check.returncode == 0, check.stdout + check.stderr


def test_an_enormous_pyproject_is_a_one_line_error(tmp_path):
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "a.py").write_text("A = 1\n", encoding="utf-8")
    with open(ws / "pyproject.toml", "wb") as fh:
        fh.write(b"[tool.repodoc]\n")
        fh.truncate(SPARSE_BYTES)
    run, peak_kib = repodoc_peak_memory("index", str(ws))
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and "cannot read [tool.repodoc]" in run.stderr, run.stderr
    assert peak_kib < 500 * 1024


def test_link_checking_reads_no_enormous_source(tmp_path):
    from repodoc_ls.docs.linkcheck import check_links

    ws = tmp_path / "ws"
    (ws / "docs").mkdir(parents=True)
    sparse_python_file(ws / "big.py")
    (ws / "docs" / "page.md").write_text("[first line](../big.py#L1)\n", encoding="utf-8")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    broken = in_thread(check_links, ws / "docs", None, ws)
    assert broken == []  # its line count is unknown: the link is not called broken
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 500 * 1024


# ---------------------------------------------------------------- FIFOs


def _fifo_workspace(root: Path) -> Path:
    ws = root / "ws"
    (ws / "pkg").mkdir(parents=True)
    (ws / "pkg" / "mod.py").write_text("def f():\n    return 1\n", encoding="utf-8")
    os.mkfifo(ws / "pipe.py")
    os.mkfifo(ws / "pkg" / ".gitignore")  # read by the scan of every folder
    return ws


def test_fifos_block_neither_index_nor_export(tmp_path):
    ws = _fifo_workspace(tmp_path)
    index = repodoc("index", str(ws))
    assert index.returncode == 0, index.stderr
    assert "indexed 1 files" in index.stdout
    assert "cannot read pkg/.gitignore" in index.stderr
    export = repodoc("export", str(ws))
    assert export.returncode == 0, export.stderr
    assert (ws / "docs" / "repodoc" / "pkg" / "mod.py_docs.md").is_file()
    assert not (ws / "docs" / "repodoc" / "pipe.py_docs.md").exists()


def test_a_file_swapped_for_a_fifo_after_the_scan_is_not_read(tmp_path, monkeypatch):
    ws = _fifo_workspace(tmp_path)
    # As if pipe.py had been a regular file when the scan saw it.
    monkeypatch.setattr(indexer, "scan", lambda settings: ScanResult([ScannedFile("pipe.py", 10, 1)]))
    index = in_thread(Index.build, load_settings(ws), None, False)
    facts = index.file("pipe.py")
    assert [n.detail for n in facts.notes] == ["cannot read the file: not a regular file"]
    # And a file indexed as regular, then swapped: rendering and refreshing do not block.
    monkeypatch.undo()
    index = Index.build(load_settings(ws), persistent=False)
    (ws / "pkg" / "mod.py").unlink()
    os.mkfifo(ws / "pkg" / "mod.py")
    text = in_thread(Renderer(index).render_page, "pkg/mod.py", "docs")
    assert "## Source" not in text
    assert in_thread(index.refresh, ["pkg/mod.py"]) == {"pkg/mod.py"}
    assert index.file("pkg/mod.py") is None


def test_the_scan_reads_no_ignore_file_linked_from_outside(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "patterns").write_text("*.py\n", encoding="utf-8")
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "a.py").write_text("A = 1\n", encoding="utf-8")
    os.symlink(outside / "patterns", ws / ".gitignore")
    result = in_thread(scan, load_settings(ws))
    assert [f.path for f in result.files] == ["a.py"]
    assert result.warnings == ["skipped .gitignore: it is a link to a file outside the workspace"]


# ---------------------------------------------------------------- the server

pytestmark_lsp = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture(scope="module")
def lsp_ws(tmp_path_factory):
    ws = tmp_path_factory.mktemp("untrusted-size") / "ws"
    ws.mkdir()
    (ws / "a.py").write_text(
        'def greet(name):\n    """Say hello."""\n    return name\n\n\ngreet("x")\n', encoding="utf-8"
    )
    many_functions(ws / "many.py")
    sparse_python_file(ws / "big.py")
    os.mkfifo(ws / "pipe.py")
    return ws.resolve()


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def client(lsp_client: LanguageClient, lsp_ws):
    await start(lsp_client, lsp_ws)
    yield
    await lsp_client.shutdown_session()


def _guard(awaitable):
    return asyncio.wait_for(awaitable, HANG_GUARD_S)


@pytestmark_lsp
async def test_document_symbols_of_200k_functions_are_capped(client: LanguageClient, lsp_ws):
    result = await _guard(
        client.text_document_document_symbol_async(
            types.DocumentSymbolParams(types.TextDocumentIdentifier(uri(lsp_ws, "many.py")))
        )
    )
    assert len(result) == caps.MAX_SYMBOLS + 1
    assert [s.name for s in result[:2]] == ["f0", "f1"]
    more = result[-1]
    assert more.name == f"… {FUNCTIONS - caps.MAX_SYMBOLS:,} more symbols not listed"
    assert more.range.start.line == caps.MAX_SYMBOLS and more.range.end.line >= FUNCTIONS - 1


@pytestmark_lsp
async def test_the_keyword_index_of_200k_functions_is_capped(client: LanguageClient, lsp_ws):
    result = await _guard(request(client, "repodoc/keywordIndex", {"uri": uri(lsp_ws, "many.py")}))
    assert len(result["keywords"]) == caps.MAX_SYMBOLS
    assert result["keywords"][-1]["name"] == f"f{caps.MAX_SYMBOLS - 1}"
    assert f"… and {FUNCTIONS - caps.MAX_SYMBOLS:,} more keywords not listed here." in result["markdown"]


@pytestmark_lsp
async def test_requests_on_a_fifo_answer_and_the_server_goes_on(client: LanguageClient, lsp_ws):
    # More hovers than the server has query threads: each would block one for good.
    answers = await _guard(
        asyncio.gather(*[hover(client, lsp_ws, "pipe.py", 0, i) for i in range(6)], return_exceptions=True)
    )
    assert all(a is None or isinstance(a, Exception) for a in answers)
    with pytest.raises(JsonRpcInvalidParams, match="not an indexed file"):
        await _guard(request(client, "repodoc/fileDoc", {"uri": uri(lsp_ws, "pipe.py")}))
    symbols = await _guard(
        client.text_document_document_symbol_async(
            types.DocumentSymbolParams(types.TextDocumentIdentifier(uri(lsp_ws, "pipe.py")))
        )
    )
    assert not symbols
    answer = await _guard(hover(client, lsp_ws, "a.py", 5, 1))
    assert answer is not None and "Say hello." in answer.contents.value


@pytestmark_lsp
async def test_an_enormous_file_over_lsp(client: LanguageClient, lsp_ws):
    assert await _guard(hover(client, lsp_ws, "big.py", 0, 5)) is None
    page = await _guard(request(client, "repodoc/fileDoc", {"uri": uri(lsp_ws, "big.py")}))
    assert "not read: 1,500,000,000 bytes" in page["markdown"] and MARKER not in page["markdown"]
    answer = await _guard(hover(client, lsp_ws, "a.py", 5, 1))
    assert answer is not None and "Say hello." in answer.contents.value
