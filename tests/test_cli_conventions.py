"""The command line's conventions, as ruff and black keep them: the project root found
upward, output folders that cannot swallow sources, -q/-v, exit codes with one line, and
one `serve --tcp` syntax. Run as a user runs it: a subprocess."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.lsp.client import LanguageClient

from repodoc_ls.scan import MANIFEST_NAME


def repodoc(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "repodoc_ls", *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def one_error(result: subprocess.CompletedProcess, *parts: str) -> str:
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("repodoc: error: "), result.stderr
    assert all(part in lines[0] for part in parts), lines[0]
    return lines[0]


def page_of(output: Path, rel: str) -> Path:
    return output / f"{rel}_docs.md"


# -- the project root ------------------------------------------------------------------


@pytest.mark.parametrize("marker", ["pyproject.toml", "setup.py", "setup.cfg", ".git"])
def test_every_command_finds_the_project_root_upward(tmp_path, marker):
    project = tmp_path / "project"
    (project / "mypkg" / "deep").mkdir(parents=True)
    (project / "mypkg" / "__init__.py").write_text('"""The package."""\n')
    (project / "mypkg" / "deep" / "mod.py").write_text("def f():\n    return 1\n")
    if marker == ".git":
        (project / ".git").mkdir()
    else:
        (project / marker).write_text("")
    below = project / "mypkg" / "deep"
    exported = repodoc("export", cwd=below)
    assert exported.returncode == 0, exported.stderr
    output = project / "docs" / "repodoc"
    assert page_of(output, "mypkg/deep/mod.py").is_file()
    assert not (below / "docs").exists() and not (project / "mypkg" / "docs").exists()
    # the summary names the folder as seen from here
    assert exported.stdout.startswith(f"exported {output}: ")
    checked = repodoc("check", cwd=below)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    indexed = repodoc("index", cwd=below)
    files = 2 if marker == ".git" else 3  # the marker file is documented too
    assert indexed.returncode == 0 and indexed.stdout.startswith(f"indexed {files} files"), indexed.stdout
    shown = repodoc("show", "mod.py", cwd=below)
    assert shown.returncode == 0 and shown.stdout.startswith("# `mypkg/deep/mod.py`\n")
    verbose = repodoc("check", "-v", cwd=below)
    assert f"workspace root {project} (it holds {marker})" in verbose.stderr


def test_an_explicit_root_is_used_as_it_is(tmp_path):
    project = tmp_path / "project"
    (project / "mypkg").mkdir(parents=True)
    (project / "pyproject.toml").write_text('[project]\nname = "p"\n')
    (project / "mypkg" / "mod.py").write_text("X = 1\n")
    result = repodoc("export", "mypkg", cwd=project)
    assert result.returncode == 0, result.stderr
    assert page_of(project / "mypkg" / "docs" / "repodoc", "mod.py").is_file()
    assert not (project / "docs").exists()


def test_without_a_root_marker_the_current_folder_is_the_root(tmp_path):
    plain = tmp_path / "plain" / "scripts"
    plain.mkdir(parents=True)
    (plain / "tool.py").write_text("print('hi')\n")
    result = repodoc("export", cwd=plain)
    assert result.returncode == 0, result.stderr
    assert page_of(plain / "docs" / "repodoc", "tool.py").is_file()
    assert "no root marker above: the current folder" in repodoc("index", "-v", cwd=plain).stderr


def test_a_relative_output_folder_is_relative_to_the_current_folder(workspace):
    result = repodoc("export", "-o", "../site", cwd=workspace / "shop")
    assert result.returncode == 0, result.stderr
    assert page_of(workspace / "site", "shop/cart.py").is_file()
    assert repodoc("check", "-o", "site", cwd=workspace).returncode == 0


# -- output folders that hold sources --------------------------------------------------


@pytest.mark.parametrize("command", ["export", "check"])
@pytest.mark.parametrize(
    "output,shown_as",
    [("shop", "shop/cart.py"), ("shop/util", "shop/util/__init__.py"), ("src", "src/gadgets/")],
)
def test_an_output_folder_holding_sources_is_refused(workspace, command, output, shown_as):
    before = sorted(p.relative_to(workspace) for p in workspace.rglob("*"))
    line = one_error(
        repodoc(command, "-o", output, cwd=workspace),
        f"refusing to write the doc set to {output}: it holds sources of the workspace",
    )
    assert f"({shown_as}" in line
    assert sorted(p.relative_to(workspace) for p in workspace.rglob("*")) == before  # not even an index store


def test_the_workspace_root_itself_is_refused_before_indexing(workspace):
    one_error(repodoc("export", "-o", ".", cwd=workspace), "contains the workspace root")
    assert not (workspace / ".repodoc").exists()


def test_a_manifest_left_among_sources_does_not_excuse_them(workspace):
    # What an earlier `-o shop` left behind: its manifest hid the package from every scan.
    (workspace / "shop" / MANIFEST_NAME).write_text('{"generator": "repodoc"}')
    one_error(repodoc("export", "-o", "shop", cwd=workspace), "holds sources of the workspace")


def test_folders_holding_no_source_are_fine(workspace):
    # Excluded or ignored sources, name-skipped folders and other files do not count.
    (workspace / "pyproject.toml").write_text(
        '[project]\nname = "ws"\n\n[tool.repodoc]\nexclude = ["gen/"]\n'
    )
    for rel in ("gen/made.py", "ignored/site/x.py", "out/.venv/lib/y.py", "out/notes.txt"):
        (workspace / rel).parent.mkdir(parents=True, exist_ok=True)
        (workspace / rel).write_text("X = 1\n")
    for output in ("gen", "ignored/site", "out"):
        result = repodoc("export", "-o", output, cwd=workspace)
        assert result.returncode == 0, (output, result.stderr)
        assert (workspace / output / "index.md").is_file()


def test_a_folder_skipped_by_name_counts_once_include_walks_it(workspace):
    for name in ("build", "dist"):
        (workspace / name).mkdir()
        (workspace / name / "gen.py").write_text("X = 1\n")
    assert repodoc("export", "-q", "-o", "build", cwd=workspace).returncode == 0  # skipped by name: no source
    (workspace / "pyproject.toml").write_text('[tool.repodoc]\ninclude = ["*", "build/", "dist/"]\n')
    one_error(repodoc("export", "-o", "dist", cwd=workspace), "to dist: it holds sources", "(dist/gen.py)")
    one_error(repodoc("export", "-o", "build", cwd=workspace), "to build: it holds sources", "(build/gen.py)")


# -- nothing to document --------------------------------------------------------------


def test_an_empty_folder_is_exported_with_a_warning(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / ".git").mkdir()
    result = repodoc("export", cwd=empty)
    assert result.returncode == 0, result.stderr
    assert f"warning: no files to document in {empty}" in result.stderr
    assert repodoc("check", "-q", cwd=empty).stderr == ""  # quiet: no warnings


def test_a_folder_without_python_gets_a_warning(tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.md").write_text("# a\n")
    (notes / "b.txt").write_text("b\n")
    for command in ("export", "check", "index"):
        result = repodoc(command, cwd=notes)
        assert result.returncode == 0, result.stderr
        assert (
            f"warning: no Python files in {notes} (2 other files): is it the right folder?" in result.stderr
        )


def test_a_python_workspace_gets_no_such_warning(workspace):
    result = repodoc("export", cwd=workspace)
    assert result.returncode == 0 and "warning" not in result.stderr, result.stderr


# -- quiet and verbose ---------------------------------------------------------------


def test_quiet_prints_only_errors_and_findings(workspace):
    exported = repodoc("export", "-q", cwd=workspace)
    assert (exported.returncode, exported.stdout, exported.stderr) == (0, "", "")
    checked = repodoc("-q", "check", cwd=workspace)  # before the command works too
    assert (checked.returncode, checked.stdout, checked.stderr) == (0, "", "")
    (workspace / "shop" / "pricing.py").write_text('"""Changed."""\n')
    stale = repodoc("check", "--quiet", cwd=workspace)
    assert stale.returncode == 1 and stale.stderr == ""
    assert "stale: docs/repodoc/shop/pricing.py_docs.md" in stale.stdout.splitlines()
    assert repodoc("index", "-q", cwd=workspace).stdout == ""
    one_error(repodoc("export", "-q", "/no/such/root"), "does not exist")


def test_verbose_names_the_root_each_page_written_and_timings(workspace):
    (workspace / "shop" / "cart.py").write_text('"""Changed before the first export."""\n')
    result = repodoc("export", "--verbose", cwd=workspace / "shop")
    assert result.returncode == 0, result.stderr
    err = result.stderr.splitlines()
    assert f"repodoc: workspace root {workspace} (it holds pyproject.toml)" in err
    assert f"repodoc: output folder {workspace}/docs/repodoc" in err
    assert f"repodoc: wrote {workspace}/docs/repodoc/shop/cart.py_docs.md" in err
    assert any(line.startswith("repodoc: indexed ") and line.endswith("s") for line in err)
    from_root = repodoc("export", "-v", "--force", cwd=workspace)
    assert (
        "repodoc: rendered " in from_root.stderr and "repodoc: wrote " not in from_root.stderr
    )  # nothing changed


def test_quiet_and_verbose_exclude_each_other(workspace):
    one_error(repodoc("-q", "export", "-v", cwd=workspace), "-q/--quiet and -v/--verbose")


# -- exit codes: one line each ----------------------------------------------------------


@pytest.mark.parametrize(
    "args,parts",
    [
        (["export", "--no-such-flag"], ["unrecognized arguments: --no-such-flag"]),
        (
            ["check", "--format", "xml"],
            ["argument --format: invalid choice: 'xml'", "`repodoc check --help`"],
        ),
        (["export", "--jobs", "many"], ["argument --jobs: invalid int value"]),
        (["export", "--jobs", "-1"], ["jobs must be a non-negative integer"]),
        ([], ["the following arguments are required: command"]),
    ],
)
def test_usage_errors_exit_2_in_one_line(workspace, args, parts):
    one_error(repodoc(*args, cwd=workspace), *parts)


@pytest.mark.parametrize("command", ["export", "check", "index"])
def test_configuration_errors_exit_2_in_one_line(workspace, command):
    (workspace / "pyproject.toml").write_text("[tool.repodoc]\nincldue = []\n")
    one_error(repodoc(command, cwd=workspace / "shop"), "unknown setting 'incldue'")


def test_a_broken_user_template_exits_2_in_one_line(workspace):
    templates = workspace / "tpl"
    templates.mkdir()
    (templates / "file_docs.md.j2").write_text("{% for x in %}\n")
    (workspace / "pyproject.toml").write_text('[tool.repodoc]\ntemplates = "tpl"\n')
    for command in ("export", "check"):
        # -q: the error is then all there is on stderr (no progress lines before it)
        one_error(
            repodoc(command, "--trust-templates", "-q", cwd=workspace), "template file_docs.md.j2: line 1"
        )


# -- serve -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def connect(client: LanguageClient, server: subprocess.Popen, port: int) -> None:
    """Connect once the server listens (it imports its modules first); no deadline but the
    server's own exit."""
    while True:
        try:
            await client.start_tcp("127.0.0.1", port)
            return
        except OSError:
            assert server.poll() is None, server.stderr.read()
            await asyncio.sleep(0.05)


@pytest.mark.parametrize("form", ["{port}", ":{port}", "127.0.0.1:{port}"])
async def test_serve_over_tcp_takes_every_form_of_address(workspace, form):
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "repodoc_ls", "serve", "--tcp", form.format(port=port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    client = LanguageClient("test-client", "1")
    try:
        await connect(client, server, port)
        result = await client.initialize_async(
            types.InitializeParams(capabilities=types.ClientCapabilities(), root_uri=workspace.as_uri())
        )
        assert result.capabilities.hover_provider
        await client.shutdown_async(None)
        client.exit(None)
        assert await asyncio.to_thread(server.wait, 120) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        await client.stop()


@pytest.mark.parametrize(
    "args,parts",
    [
        (["--tcp", "localhost"], ["want PORT, HOST:PORT or :PORT, not 'localhost'"]),
        (["--tcp", ":99999"], ["not ':99999'"]),
        (["--tcp", "8080", "--stdio"], ["not allowed with argument"]),
    ],
)
def test_serve_refuses_a_bad_address_in_one_line(args, parts):
    one_error(repodoc("serve", *args), *parts)


_GC_PROBE = """
import gc, sys
from repodoc_ls import cli
cli.cmd_serve = lambda args: print("serving with the gc", gc.isenabled()) or 0  # (no server)
cli.main(sys.argv[2:], process_ends=sys.argv[1] == "ends")
print("after the command, the gc", gc.isenabled())
"""


@pytest.mark.parametrize(
    "ends, args, last",
    [
        ("ends", ["export", "-q"], "after the command, the gc False"),
        ("ends", ["check", "-q"], "after the command, the gc False"),
        ("in-process", ["export", "-q"], "after the command, the gc True"),
        ("ends", ["serve"], "serving with the gc True"),
    ],
)
def test_a_command_that_ends_the_process_runs_without_the_cyclic_gc(workspace, ends, args, last):
    """`run` ends the process after the command: what it made lives until then, and a GC
    pass over it (the first after an export scans everything the export made) only costs
    time. The language server lives on and keeps collecting; `main` called in a process
    that goes on (tests, embedders) leaves the GC as it was."""
    root = [] if args == ["serve"] else [str(workspace)]
    ran = subprocess.run(
        [sys.executable, "-c", _GC_PROBE, ends, *args, *root], capture_output=True, text=True, timeout=300
    )
    assert last in ran.stdout.splitlines(), ran.stdout + ran.stderr


def test_the_output_folder_walk_finds_the_sources_os_walk_finds(tmp_path):
    """The refusal's walk of the output folder (one listing a folder) against `os.walk`
    with the pruning it replaced (the oracle)."""
    import os

    from repodoc_ls.cli import _python_files_below

    top = tmp_path / "out"
    for rel in [
        "a.py",
        "x.md",
        "sub/b.py",
        "sub/deep/c.pyi",
        "venvish/d.py",
        "other/e.py",
        "skipped/f.py",
        "g/h.pyw",
    ]:
        (top / rel).parent.mkdir(parents=True, exist_ok=True)
        (top / rel).write_text("")
    (top / "venvish" / "pyvenv.cfg").write_text("")
    (top / "other" / MANIFEST_NAME).write_text("{}")
    (top / "linked").symlink_to(top / "sub", target_is_directory=True)  # never followed
    (top / "link.py").symlink_to(top / "a.py")
    (top / "broken.py").symlink_to(top / "nowhere.py")
    never = {"skipped"}

    expected = set()
    for folder, subfolders, names in os.walk(top):
        subfolders[:] = [
            n
            for n in subfolders
            if n not in never
            and not any(os.path.exists(os.path.join(folder, n, m)) for m in (MANIFEST_NAME, "pyvenv.cfg"))
        ]
        expected.update((folder, n) for n in names if n.endswith((".py", ".pyi")))
    assert set(_python_files_below(str(top), never)) == expected
    assert {name for _, name in expected} == {"a.py", "b.py", "c.pyi", "link.py", "broken.py"}
