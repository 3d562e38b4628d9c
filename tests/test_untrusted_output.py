"""A hostile repository's doc set: its manifest, symlinks and stray files in the output folder.

Each workspace is built here, beside a "victim" folder whose every file, folder and link is
recorded before and compared after: nothing outside the output folder may change.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams
from pytest_lsp.client import LanguageClient
from server_helpers import CONFIG, start

from repodoc_ls.cli import main
from repodoc_ls.docs.linkcheck import check_links
from repodoc_ls.docs.outfolder import LOCK_NAME
from repodoc_ls.docs.pagefiles import page_hash
from repodoc_ls.scan import MANIFEST_NAME


def make_workspace(parent: Path) -> Path:
    ws = parent / "ws"
    (ws / "pkg").mkdir(parents=True)
    (ws / "pyproject.toml").write_text('[project]\nname = "ws"\n')
    (ws / "pkg" / "__init__.py").write_text('"""A package."""\n')
    (ws / "pkg" / "mod.py").write_text(
        '"""A module."""\n\n\ndef double(x):\n    """Twice x."""\n    return 2 * x\n'
    )
    victim = parent / "victim"
    (victim / "sub").mkdir(parents=True)
    (victim / "keep.txt").write_text("keep\n")
    (victim / "keep.md").write_text("# keep\n")
    (victim / "sub" / "only.md").write_text("# the only file of its folder\n")
    return ws


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    return make_workspace(tmp_path)


def tree_state(root: Path) -> dict[str, tuple]:
    """Every entry below `root`: links by target, files by content hash and mtime."""
    state = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath, name)
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                state[rel] = ("link", os.readlink(path))
            elif path.is_dir():
                state[rel] = ("folder",)
            else:
                state[rel] = ("file", hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
    return state


def repodoc(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.startswith("repodoc: error:")]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def write_manifest(output: Path, pages: dict[str, list]) -> None:
    output.mkdir(parents=True, exist_ok=True)
    (output / MANIFEST_NAME).write_text(
        json.dumps(
            {
                "generator": "repodoc",
                "version": "0",
                "format": 1,
                "fingerprint": "old",
                "files": [],
                "hashes": [],
                "imports": [],
                "letters": [],
                "pages": pages,
            }
        )
    )


def record_of(path: Path) -> list:
    """A manifest record that matches `path` exactly: the strongest claim a manifest can make."""
    st = path.stat()
    return [page_hash(path.read_bytes()), st.st_size, st.st_mtime_ns, []]


# ---------------------------------------------------------------- the manifest


def test_manifest_pages_outside_the_output_folder_are_ignored_with_one_warning(ws, capsys):
    victim = ws.parent / "victim"
    output = ws / "docs" / "repodoc"
    output.mkdir(parents=True)
    os.symlink("../../../victim", output / "linked")
    write_manifest(
        output,
        {
            "../../../victim/keep.txt": record_of(victim / "keep.txt"),
            "../../../victim/sub/only.md": record_of(victim / "sub" / "only.md"),
            str(victim / "keep.md"): record_of(victim / "keep.md"),
            "pkg/../../../../victim/keep.md": record_of(victim / "keep.md"),
            "linked/keep.md": record_of(victim / "keep.md"),  # through a symlinked folder
            "linked/sub/only.md": record_of(victim / "sub" / "only.md"),
            # On Windows a path; on POSIX one legal file name inside the output folder.
            "pkg\\..\\..\\..\\..\\victim\\keep.md": record_of(victim / "keep.md"),
            "nul\0.md": record_of(victim / "keep.md"),
        },
    )
    before = tree_state(victim)
    code, out, err = repodoc(capsys, "export", str(ws), "--jobs", "1")
    assert code == 0, err
    warnings = [line for line in err.splitlines() if line.startswith("warning:")]
    ignored = 8 if os.sep == "\\" else 7
    assert len(warnings) == 1 and f"ignored {ignored} page(s)" in warnings[0], err
    assert tree_state(victim) == before
    assert (output / "pkg" / "mod.py_docs.md").is_file()
    assert not (output / LOCK_NAME).exists()  # the lock goes with the export
    listed = json.loads((output / MANIFEST_NAME).read_text())["pages"]
    assert all(page.endswith(".md") and ".." not in page and not page.startswith("linked") for page in listed)
    code, out, err = repodoc(capsys, "export", str(ws), "--jobs", "1")  # the manifest is clean now
    assert code == 0 and "warning" not in err and ": 0 written," in out


def test_a_stale_page_is_removed_only_while_it_is_what_repodoc_wrote(ws, capsys):
    output = ws / "docs" / "repodoc"
    (ws / "pkg" / "gone.py").write_text("X = 1\n")
    (ws / "pkg" / "edited.py").write_text("Y = 1\n")
    assert repodoc(capsys, "export", str(ws), "--jobs", "1")[0] == 0
    (output / "pkg" / "edited.py_docs.md").write_text("my notes\n")
    (ws / "pkg" / "gone.py").unlink()
    (ws / "pkg" / "edited.py").unlink()
    code, out, err = repodoc(capsys, "export", str(ws), "--jobs", "1")
    assert code == 0, err
    assert not (output / "pkg" / "gone.py_docs.md").exists()
    assert (output / "pkg" / "edited.py_docs.md").read_text() == "my notes\n"
    assert "kept 1 page(s)" in err and "edited.py_docs.md" in err


def _page_rows(deps: object, counted: object = ",", names: object = ",") -> bytes:
    """A format-6 manifest of one source file and one page with these number rows."""
    return json.dumps(
        {
            "generator": "repodoc",
            "format": 6,
            "files": ["a.py"],
            "hashes": ["h"],
            "imports": [","],
            "letters": [{}],
            "uses": [""],
            "estimates": [[]],
            "kinds": ["module"],
            "kind_reads": [","],
            "pages": ["a.md"],
            "page_hashes": ["h"],
            "sizes": [1],
            "mtimes": [2],
            "deps": [deps],
            "counted": [counted],
            "names": [names],
        }
    ).encode()


#: Number rows a manifest of one file (and no name keys) must not hold.
HOSTILE_ROWS = {
    "row-letters": _page_rows(",0,a,"),
    "row-negative": _page_rows(",-1,"),
    "row-out-of-range": _page_rows(",1,"),
    "row-leading-zero": _page_rows(",00,"),
    "row-no-leading-comma": _page_rows("0,"),
    "row-no-trailing-comma": _page_rows(",0"),
    "row-empty-number": _page_rows(",0,,0,"),
    "row-empty-string": _page_rows(""),
    "row-huge-number": _page_rows("," + "9" * 5000 + ","),
    "row-newline": _page_rows(",0,\n,0,"),
    "row-unicode-digit": _page_rows(",\u0660,"),
    "row-a-list": _page_rows([0]),
    "row-a-number": _page_rows(0),
    "row-null": _page_rows(None),
    "counted-out-of-range": _page_rows(",", ",7,"),
    "name-without-keys": _page_rows(",", ",", ",0,"),
}

DAMAGED = {
    "list": b"[]",
    "pages-null": b'{"pages": null}',
    "short-record": b'{"generator":"repodoc","format":6,"pages":["a.md"],"page_hashes":["h"],"sizes":[1]}',
    "dep-out-of-range": b'{"generator":"repodoc","format":6,"files":[],"pages":["a.md"],"page_hashes":["h"],'
    b'"sizes":[1],"mtimes":[2],"deps":[",7,"]}',
    "size-a-boolean": b'{"generator":"repodoc","format":6,"files":[],"pages":["a.md"],"page_hashes":["h"],'
    b'"sizes":[true],"mtimes":[2],"deps":[","]}',
    "hash-not-string": b'{"generator":"repodoc","format":6,"files":["a.py"],"hashes":[5],"imports":[","],'
    b'"letters":[{}],"pages":[]}',
    "letter-not-string": b'{"generator":"repodoc","format":6,"files":["a.py"],"hashes":["h"],"imports":[","],'
    b'"letters":[{"a":1}],"pages":[]}',
    "key-file-out-of-range": b'{"generator":"repodoc","format":6,"files":[],"pages":[],"key_files":[3],'
    b'"key_names":["f"],"key_entries":["e"]}',
    "layout-row-short": b'{"generator":"repodoc","format":6,"files":[],"pages":[],"layouts":{"sub.md":[["a",1]]}}',
    "estimate-short": b'{"generator":"repodoc","format":6,"files":["a.py"],"hashes":["h"],"imports":[","],'
    b'"letters":[{}],"uses":[""],"estimates":[[3]],"pages":[]}',
    "kind-not-string": b'{"generator":"repodoc","format":6,"files":["a.py"],"hashes":["h"],"imports":[","],'
    b'"letters":[{}],"uses":[""],"estimates":[[]],"kinds":[1],"kind_reads":[","],"pages":[]}',
    "kind-read-out-of-range": b'{"generator":"repodoc","format":6,"files":["a.py"],"hashes":["h"],'
    b'"imports":[","],"letters":[{}],"uses":[""],"estimates":[[]],"kinds":["module"],"kind_reads":[",4,"],'
    b'"pages":[]}',
    "import-out-of-range": b'{"generator":"repodoc","format":6,"files":["a.py"],"hashes":["h"],'
    b'"imports":[",1,"],"letters":[{}],"pages":[]}',
    **HOSTILE_ROWS,
    "foreign": b'{"generator":"mkdocs","pages":{}}',
    "deep": b"[" * 100_000,
    "random-bytes": bytes(range(256)) * 4,
}


@pytest.mark.parametrize("name", [*DAMAGED, "fifo", "symlink"])
def test_a_damaged_manifest_is_one_line_and_force_starts_over(ws, capsys, name):
    victim = ws.parent / "victim"
    output = ws / "docs" / "repodoc"
    output.mkdir(parents=True)
    (output / "mine.md").write_text("# my own page\n")
    manifest = output / MANIFEST_NAME
    if name == "fifo":
        os.mkfifo(manifest)
    elif name == "symlink":
        os.symlink("../../../victim/keep.txt", manifest)
    else:
        manifest.write_bytes(DAMAGED[name])
    before = tree_state(victim)
    code, _, err = repodoc(capsys, "export", str(ws), "--jobs", "1")
    assert code == 2
    line = one_error_line(err)
    assert "manifest" in line and "--force" in line, line
    code, _, err = repodoc(capsys, "check", str(ws))
    assert code == 1 and "--force" in err and "Traceback" not in err
    code, _, err = repodoc(capsys, "export", str(ws), "--jobs", "1", "--force")
    assert code == 0, err
    assert "starting over" in err
    assert (output / "mine.md").read_text() == "# my own page\n"  # not provably ours: left alone
    assert (output / "pkg" / "mod.py_docs.md").is_file()
    assert not manifest.is_symlink() and json.loads(manifest.read_text())["generator"] == "repodoc"
    assert tree_state(victim) == before


# ---------------------------------------------------------------- symbolic links


@pytest.mark.parametrize(
    "link,target",
    [
        ("docs/repodoc", "../../victim"),
        ("docs", "../victim"),
        ("docs/repodoc/pkg", "../../../victim"),
    ],
)
def test_no_page_is_written_through_a_symbolic_link(ws, capsys, link, target):
    victim = ws.parent / "victim"
    (ws / link).parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, ws / link)
    before = tree_state(victim)
    code, _, err = repodoc(capsys, "export", str(ws), "--jobs", "1")
    assert code == 2
    line = one_error_line(err)
    assert f"{ws / link} is a symbolic link" in line, line
    assert tree_state(victim) == before
    code, _, err = repodoc(capsys, "export", str(ws), "--jobs", "1", "--force")
    assert code == 2 and tree_state(victim) == before
    if link != "docs/repodoc/pkg":
        assert repodoc(capsys, "check", str(ws))[0] == 2


def test_a_page_that_is_a_link_or_a_fifo_is_replaced_never_followed(ws, capsys):
    victim = ws.parent / "victim"
    output = ws / "docs" / "repodoc"
    assert repodoc(capsys, "export", str(ws), "--jobs", "1")[0] == 0
    page = output / "pkg" / "mod.py_docs.md"
    page.unlink()
    os.symlink("../../../../victim/keep.md", page)
    os.mkfifo(output / "pkg" / "__init__.py_docs.md.fifo")
    fifo_page = output / "pkg" / "__init__.py_docs.md"
    fifo_page.unlink()
    os.rename(output / "pkg" / "__init__.py_docs.md.fifo", fifo_page)
    before = tree_state(victim)
    # check opens no FIFO and reads through no link (a subprocess: opening the FIFO would block)
    checked = subprocess.run(
        [sys.executable, "-m", "repodoc_ls", "check", str(ws)], capture_output=True, text=True, timeout=300
    )
    assert checked.returncode == 1, checked.stderr
    out = ws / "docs" / "repodoc"
    assert {f"stale: {out}/pkg/mod.py_docs.md", f"stale: {out}/pkg/__init__.py_docs.md"} <= set(
        checked.stdout.splitlines()
    )
    code, _, err = repodoc(capsys, "export", str(ws), "--jobs", "1")
    assert code == 0, err
    assert not page.is_symlink() and page.read_text().startswith("# `pkg/mod.py`")
    assert fifo_page.is_file()
    assert tree_state(victim) == before
    assert repodoc(capsys, "check", str(ws))[0] == 0


def test_links_that_leave_the_workspace_through_a_symlink_are_broken(ws):
    os.symlink("../victim", ws / "outside")
    output = ws / "docs" / "repodoc"
    output.mkdir(parents=True)
    (output / "a.md").write_text("[v](../../outside/keep.md)\n\n[w](../../outside/keep.txt#L1)\n")
    broken = check_links(output, source_root=ws)
    assert [b.target for b in broken] == ["../../outside/keep.md", "../../outside/keep.txt#L1"]
    assert all("outside the workspace through a symbolic link" in b.reason for b in broken)


# ---------------------------------------------------------------- check


def test_check_explains_a_file_repodoc_did_not_write(ws, capsys):
    output = ws / "docs" / "repodoc"
    assert repodoc(capsys, "export", str(ws), "--jobs", "1")[0] == 0
    (output / "notes.md").write_text("# notes\n\n[nowhere](nowhere.md)\n")
    (output / LOCK_NAME).write_text("")  # a killed export's lock file is no page
    code, out, err = repodoc(capsys, "check", str(ws))
    assert code == 1
    assert f"not written by repodoc: {output}/notes.md: remove it or add it to `exclude`" in out.splitlines()
    assert "extra: " not in out and LOCK_NAME not in out
    assert "repodoc export" not in err and "remove the files repodoc did not write" in err
    assert repodoc(capsys, "export", str(ws), "--jobs", "1")[0] == 0  # an export cannot fix it...
    assert (output / "notes.md").exists() and repodoc(capsys, "check", str(ws))[0] == 1
    # ...excluding it does (the pyproject change changes its page: export first)
    (ws / "pyproject.toml").write_text(
        '[project]\nname = "ws"\n\n[tool.repodoc]\nexclude = ["docs/repodoc/notes.md"]\n'
    )
    assert repodoc(capsys, "export", str(ws), "--jobs", "1")[0] == 0
    code, out, err = repodoc(capsys, "check", str(ws))
    assert code == 0, out + err


def test_check_still_sends_its_own_extra_pages_to_export(ws, capsys):
    assert repodoc(capsys, "export", str(ws), "--jobs", "1")[0] == 0
    (ws / "pkg" / "mod.py").unlink()
    code, out, err = repodoc(capsys, "check", str(ws))
    assert code == 1 and f"extra: {ws}/docs/repodoc/pkg/mod.py_docs.md" in out.splitlines()
    assert "run `repodoc export` to update" in err and "not written by repodoc" not in out


# ---------------------------------------------------------------- two exports at once


_PAUSED_EXPORT = """
import sys, threading
from repodoc_ls.config import load_settings
from repodoc_ls.docs import export as e
from repodoc_ls.index.indexer import Index

real = e.atomic_write
paused = threading.Lock()
count = 0

def pausing_write(target, data):
    global count
    real(target, data)
    if str(target).endswith(".md"):
        with paused:
            count += 1
            if count == 2:
                print("PAUSED", flush=True)
                sys.stdin.readline()

e.atomic_write = pausing_write
result = e.export(Index.build(load_settings(sys.argv[1], {"jobs": 1})))
print("DONE", result.written, flush=True)
"""


def test_two_exports_of_one_folder_take_turns(ws, capsys):
    (ws / "pkg" / "more.py").write_text("def more():\n    pass\n")
    first = subprocess.Popen(
        [sys.executable, "-c", _PAUSED_EXPORT, str(ws)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    second = None
    try:
        assert first.stdout.readline().strip() == "PAUSED"  # holding the lock, half way
        second = subprocess.Popen(
            [sys.executable, "-m", "repodoc_ls", "export", str(ws), "--jobs", "1"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        seen = []
        for line in second.stderr:
            seen.append(line)
            if "waiting for another export of" in line:
                break
        assert seen and "waiting for another export of" in seen[-1], "".join(seen)
        first.stdin.write("\n")
        first.stdin.close()
        assert first.stdout.readline().startswith("DONE")
        assert first.wait(timeout=300) == 0
        out, err = second.communicate(timeout=300)
        assert second.returncode == 0, err
        assert "exported" in out
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.kill()
    output = ws / "docs" / "repodoc"
    assert (output / "pkg" / "more.py_docs.md").is_file() and not (output / LOCK_NAME).exists()
    code, out, err = repodoc(capsys, "check", str(ws))
    assert code == 0, out + err


# ---------------------------------------------------------------- the server command


@pytest.fixture(scope="module")
def server_ws(tmp_path_factory):
    ws = make_workspace(tmp_path_factory.mktemp("untrusted"))
    (ws / "docs").mkdir()
    os.symlink("../../victim", ws / "docs" / "repodoc")
    write_manifest(ws / "site", {"../../victim/keep.md": record_of(ws.parent / "victim" / "keep.md")})
    return ws


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def client(lsp_client: LanguageClient, server_ws):
    await start(lsp_client, server_ws)
    yield
    await lsp_client.shutdown_session()


@pytest.mark.asyncio(loop_scope="module")
async def test_export_docs_refuses_a_linked_output_folder_then_answers(client: LanguageClient, server_ws):
    victim = server_ws.parent / "victim"
    before = tree_state(victim)

    async def export_docs(*arguments):
        return await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="repodoc.exportDocs", arguments=list(arguments))
        )

    with pytest.raises(
        JsonRpcInvalidParams, match="docs/repodoc is a symbolic link: repodoc never writes through"
    ):
        await export_docs()
    assert tree_state(victim) == before
    result = await export_docs({"outputDir": "site"})
    assert result["written"] > 0 and result["outputDir"] == str(server_ws / "site")
    assert len(result["warnings"]) == 1 and "ignored 1 page(s)" in result["warnings"][0]
    assert (server_ws / "site" / "pkg" / "mod.py_docs.md").is_file()
    assert tree_state(victim) == before
