"""Start-up and workspace management: progress while indexing, settings from
initializationOptions and didChangeConfiguration, file watcher registration, folders added
and removed at run time, plain-text hover for a client that does not take Markdown."""

from __future__ import annotations

import shutil

import pytest
from lsprotocol import types
from pytest_lsp.client import LanguageClient
from server_helpers import ServerSetup, hover, request, uri, wait_ready

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture(scope="module")
def second(tmp_path_factory):
    folder = tmp_path_factory.mktemp("second").resolve() / "other"
    folder.mkdir()
    (folder / "lonely.py").write_text('"""A second folder."""\n\n\ndef lonely_function():\n    pass\n')
    return folder


@pytest.fixture(scope="module")
def server_setup():
    # camelCase and snake_case keys both work; the unknown one is reported and skipped
    return ServerSetup(
        markdown=False, options={"exclude": ["scripts/"], "output_dir": "generated/docs", "noSuchSetting": 1}
    )


async def test_indexing_reports_progress_begin_report_end(client: LanguageClient, ws):
    for _ in range(100):  # the end notification may trail the status answer by a message
        reports = [r for values in client.progress_reports.values() for r in values]
        if reports and isinstance(reports[-1], types.WorkDoneProgressEnd):
            break
        await wait_ready(client)
    kinds = [type(r).__name__ for r in reports]
    assert kinds[0] == "WorkDoneProgressBegin" and kinds[-1] == "WorkDoneProgressEnd"
    assert "WorkDoneProgressReport" in kinds
    assert reports[0].title == f"repodoc: indexing {ws.name}"
    percentages = [r.percentage for r in reports if isinstance(r, types.WorkDoneProgressReport)]
    assert percentages == sorted(percentages) and percentages[-1] == 100
    assert reports[-1].message.startswith("22 files, ")


async def test_initialization_options_are_settings(client: LanguageClient, ws):
    # scripts/ is excluded: one file fewer than the fixture's 22
    status = await request(client, "repodoc/status", {})
    assert status["files"] == 22
    items = (await request(client, "repodoc/searchKeywords", {"query": "run_me"}))["items"]
    assert not any("scripts/" in i["location"]["uri"] for i in items)
    warnings = [m.message for m in client.messages]
    assert any("noSuchSetting" in m or "no_such_setting" in m for m in warnings)


async def test_watched_files_are_registered_dynamically(client: LanguageClient, ws):
    assert [(r.method, r.id) for r in client.registrations] == [
        (types.WORKSPACE_DID_CHANGE_WATCHED_FILES, "repodoc-watched-files")
    ]


async def test_plain_text_hover_for_a_client_without_markdown(client: LanguageClient, ws):
    result = await hover(client, ws, "shop/pricing.py", 4, 2)  # DISCOUNT
    assert result.contents.kind == "plaintext"
    assert result.contents.value == (
        "DISCOUNT = 0.1\n\nDefined in shop/pricing.py:5\n\n"
        "Used in 2 files: shop/cart.py:38, src/gadgets/widget.py:13"
    )


async def test_folders_added_and_removed_at_run_time(client: LanguageClient, ws, second):
    client.workspace_did_change_workspace_folders(
        types.DidChangeWorkspaceFoldersParams(
            event=types.WorkspaceFoldersChangeEvent(
                added=[types.WorkspaceFolder(uri(second), "other")], removed=[]
            )
        )
    )
    status = await wait_ready(client)
    assert [f["uri"] for f in status["folders"]] == [uri(ws), uri(second)]
    items = (await request(client, "repodoc/searchKeywords", {"query": "lonely_function"}))["items"]
    assert [i["location"]["uri"] for i in items] == [uri(second, "lonely.py")]

    client.workspace_did_change_workspace_folders(
        types.DidChangeWorkspaceFoldersParams(
            event=types.WorkspaceFoldersChangeEvent(
                added=[], removed=[types.WorkspaceFolder(uri(second), "other")]
            )
        )
    )
    status = await wait_ready(client)
    assert [f["uri"] for f in status["folders"]] == [uri(ws)]
    assert (await request(client, "repodoc/searchKeywords", {"query": "lonely_function"}))["items"] == []
    with pytest.raises(Exception, match="outside every workspace folder"):
        await request(client, "repodoc/fileDoc", {"uri": uri(second, "lonely.py")})


async def test_did_change_configuration_reindexes_when_the_file_set_changes(client: LanguageClient, ws):
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"repodoc": {"exclude": ["scripts/", "tests/"]}})
    )
    for _ in range(200):
        status = await wait_ready(client)
        if status["files"] == 18:  # tests/ holds four files
            break
    assert status["files"] == 18
    shutil.rmtree(ws / "generated", ignore_errors=True)
