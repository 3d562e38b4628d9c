"""A repository's settings cannot make repodoc write outside it, trust its own templates or
start a thousand processes; its committed symlinks are never written through.

Every case builds a hostile workspace beside a "victim" folder and checks, by a snapshot
taken before and after, that the victim did not change.
"""

from __future__ import annotations

import os

import pytest
import pytest_lsp
from hostile_workspace import assert_one_line_error, make_victim, make_workspace, payloads, repodoc, snapshot
from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams
from pytest_lsp.client import LanguageClient
from server_helpers import CONFIG, capabilities, request, uri, wait_ready

from repodoc_ls.config import SettingsError, load_settings
from repodoc_ls.index import indexer
from repodoc_ls.index.indexer import Index

NOT_INSIDE = "is not a folder inside the workspace"

#: name -> (the [tool.repodoc] lines, the words the one-line error must hold). "{victim}" is
#: the victim folder's absolute path.
REFUSED = {
    "output_up": ('output-dir = "../victim/docs"\n', ("output-dir = '../victim/docs'", NOT_INSIDE)),
    "output_dotdot": ('output-dir = "docs/../../victim"\n', ("output-dir", NOT_INSIDE)),
    "output_absolute": ('output-dir = "{victim}/docs"\n', ("output-dir", NOT_INSIDE)),
    "output_root": ('output-dir = "."\n', ("output-dir = '.'", NOT_INSIDE)),
    "output_home": ('output-dir = "~"\n', ("output-dir = '~'", NOT_INSIDE)),
    "output_through_link": ('output-dir = "site"\n', ("output-dir = 'site'", NOT_INSIDE)),
    "cache_up": ('cache-dir = "../victim"\n', ("cache-dir = '../victim'", NOT_INSIDE)),
    "cache_absolute": ('cache-dir = "{victim}/cache"\n', ("cache-dir", NOT_INSIDE)),
    "cache_root": ('cache-dir = "."\n', ("cache-dir = '.'", NOT_INSIDE)),
    "trust_in_pyproject": (
        'templates = "tpl"\ntrust-templates = true\n',
        ("trust-templates can only be given on the command line or in the editor's settings",),
    ),
}

#: name -> (link inside the workspace, its target): committed links the default settings
#: would write through.
LINKS = {
    "output_folder_link": ("docs/repodoc", "../../victim"),
    "output_parent_link": ("docs", "../victim"),
    "output_subfolder_link": ("docs/repodoc/pkg", "../../../victim"),
    "cache_folder_link": (".repodoc", "../victim"),
}


def hostile(parent, name: str):
    """(workspace, victim, marker) for one case of REFUSED or LINKS."""
    victim = make_victim(parent)
    marker = parent / "pwned"
    section = REFUSED[name][0].format(victim=victim) if name in REFUSED else ""
    ws = make_workspace(parent, section)
    (ws / "tpl").mkdir()
    (ws / "tpl" / "file_docs.md.j2").write_text(payloads(marker)["cycler_globals"])
    os.symlink("../victim", ws / "site")
    if name in LINKS:
        link, target = LINKS[name]
        (ws / link).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, ws / link)
    return ws, victim, marker


# -- the command line ---------------------------------------------------------


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_export_refuses_settings_the_workspace_may_not_give(tmp_path, name):
    ws, victim, marker = hostile(tmp_path, name)
    before, ws_before = snapshot(victim), snapshot(ws)
    result = repodoc("export", str(ws))
    assert_one_line_error(result, "repodoc: error: ", "[tool.repodoc]", *REFUSED[name][1])
    assert snapshot(victim) == before
    assert snapshot(ws) == ws_before  # not even an index store or a .gitignore
    assert not marker.exists()


@pytest.mark.parametrize("command", ["check", "show", "index"])
def test_every_command_refuses_them(tmp_path, command):
    ws, victim, _ = hostile(tmp_path, "cache_up")
    before = snapshot(victim)
    target = str(ws / "pkg" / "mod.py") if command == "show" else str(ws)
    assert_one_line_error(repodoc(command, target), "cache-dir = '../victim'", NOT_INSIDE)
    assert snapshot(victim) == before


def test_the_trust_flag_does_not_excuse_the_pyproject(tmp_path):
    ws, victim, marker = hostile(tmp_path, "trust_in_pyproject")
    assert_one_line_error(
        repodoc("export", str(ws), "--trust-templates"), "trust-templates can only be given"
    )
    assert not marker.exists()


def test_folders_outside_the_workspace_are_fine_when_the_user_names_them(tmp_path):
    ws, victim, _ = hostile(tmp_path, "output_folder_link")
    os.unlink(ws / "docs" / "repodoc")
    site = tmp_path / "site"
    result = repodoc("export", str(ws), "-o", str(site))
    assert result.returncode == 0, result.stderr
    assert (site / "pkg" / "mod.py_docs.md").is_file()
    settings = load_settings(ws, {"output_dir": str(site), "cache_dir": str(tmp_path / "cache")})
    assert settings.output_path == site and settings.cache_path == tmp_path / "cache"


@pytest.mark.parametrize("name", sorted(LINKS))
def test_export_never_writes_through_a_committed_link(tmp_path, name):
    ws, victim, _ = hostile(tmp_path, name)
    before = snapshot(victim)
    result = repodoc("export", str(ws))
    assert result.returncode in (0, 2), result.stderr
    assert "Traceback" not in result.stderr
    if result.returncode == 2:
        assert len([line for line in result.stderr.splitlines() if line.startswith("repodoc: error:")]) == 1
    assert snapshot(victim) == before


def test_jobs_are_capped_at_the_core_count(tmp_path, monkeypatch):
    ws = make_workspace(tmp_path, "jobs = 1000\n")
    settings = load_settings(ws)
    cores = os.cpu_count() or 1
    assert settings.jobs == 1000 and settings.worker_count == cores
    assert load_settings(ws, {"jobs": 1000}).worker_count == cores
    seen = []
    real = indexer.run_extraction

    def recording(root, tasks, workers, *args, **kwargs):
        seen.append(workers)
        return real(root, tasks, workers, *args, **kwargs)

    monkeypatch.setattr(indexer, "run_extraction", recording)
    Index.build(settings, persistent=False)
    assert seen and max(seen) <= cores
    result = repodoc("export", str(ws), "--jobs", "1000")
    assert result.returncode == 0, result.stderr


def test_only_the_user_can_trust_templates(tmp_path):
    ws = make_workspace(tmp_path, 'templates = "tpl"\n')
    assert load_settings(ws).template_path is None
    assert load_settings(ws, {"trust_templates": True}).template_path == ws.resolve() / "tpl"
    assert load_settings(ws, {"templates": "mine"}).template_path == ws.resolve() / "mine"
    (ws / "pyproject.toml").write_text("[tool.repodoc]\ntrust_templates = true\n")
    with pytest.raises(SettingsError, match="trust-templates can only be given"):
        load_settings(ws)


# -- the language server (a real server over stdio, one folder per case) -------

SERVER_CASES = [
    "output_up",
    "output_absolute",
    "cache_up",
    "cache_root",
    "trust_in_pyproject",
    "output_folder_link",
    "cache_folder_link",
]


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    out = {}
    for name in SERVER_CASES:
        ws, victim, marker = hostile(tmp_path_factory.mktemp(name), name)
        out[name] = (ws.resolve(), victim, marker, snapshot(victim))
    return out


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def client(lsp_client: LanguageClient, cases):
    folders = [types.WorkspaceFolder(uri(ws), name) for name, (ws, *_) in cases.items()]
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities(), workspace_folders=folders, initialization_options={}
        )
    )
    await wait_ready(lsp_client)
    yield
    await lsp_client.shutdown_session()


async def _export(client, ws):
    return await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="repodoc.exportDocs", arguments=[{"uri": uri(ws)}])
    )


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("name", [n for n in SERVER_CASES if n in REFUSED])
async def test_server_export_refuses_settings_the_workspace_may_not_give(client: LanguageClient, cases, name):
    ws, victim, marker, before = cases[name]
    with pytest.raises(JsonRpcInvalidParams) as caught:
        await _export(client, ws)
    message = caught.value.message
    assert "[tool.repodoc]" in message and "\n" not in message
    assert all(words in message for words in REFUSED[name][1]), message
    assert any(message in m.message for m in client.messages)  # said when the folder was added
    status = await request(client, "repodoc/status", {})  # the next request is answered
    assert status["state"] == "ready"
    # Meanwhile the folder is indexed with the defaults, inside the workspace.
    doc = await request(client, "repodoc/fileDoc", {"uri": uri(ws, "pkg/mod.py")})
    assert doc["markdown"].startswith("# `pkg/mod.py`\n")
    assert not (ws / ".gitignore").exists()
    assert snapshot(victim) == before
    assert not marker.exists()


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("name", [n for n in SERVER_CASES if n in LINKS])
async def test_server_never_writes_through_a_committed_link(client: LanguageClient, cases, name):
    ws, victim, _, before = cases[name]
    try:
        await _export(client, ws)
    except JsonRpcInvalidParams as exc:
        assert "\n" not in exc.message
    await request(client, "repodoc/fileDoc", {"uri": uri(ws, "pkg/mod.py")})
    if name == "cache_folder_link":  # showFileDoc writes its page into the cache folder
        with pytest.raises(JsonRpcInvalidParams, match="symbolic link"):
            await client.workspace_execute_command_async(
                types.ExecuteCommandParams(
                    command="repodoc.showFileDoc", arguments=[{"uri": uri(ws, "pkg/mod.py")}]
                )
            )
    assert snapshot(victim) == before


def test_only_the_user_can_raise_max_file_bytes(tmp_path):
    ws = make_workspace(tmp_path, "max-file-bytes = 1000\n")
    assert load_settings(ws).max_file_bytes == 1000  # lowering is the workspace's to choose
    (ws / "pyproject.toml").write_text("[tool.repodoc]\nmax-file-bytes = 100000000000\n")
    with pytest.raises(SettingsError, match="max-file-bytes can only be lowered"):
        load_settings(ws)
    assert load_settings(tmp_path, {"max_file_bytes": 10**11}).max_file_bytes == 10**11
