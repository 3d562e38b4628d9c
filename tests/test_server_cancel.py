"""$/cancelRequest end to end: a request slow enough to be cancelled half way (an export
whose every step sleeps, through the server's test-only REPODOC_TEST_EXPORT_DELAY_MS), the
error RequestCancelled (-32800) at once, the export stopped (no page written, its progress
ended as cancelled), and the server answering the next requests."""

from __future__ import annotations

import asyncio
import sys

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.exceptions import JsonRpcRequestCancelled
from pytest_lsp import ClientServerConfig
from pytest_lsp.client import LanguageClient
from server_helpers import hover, make_client, request, start

from conftest import materialize_workspace

pytestmark = pytest.mark.asyncio(loop_scope="module")

CONFIG = ClientServerConfig(server_command=[sys.executable, "-m", "repodoc_ls.server"],
                            client_factory=make_client, server_env={"REPODOC_TEST_EXPORT_DELAY_MS": "200"})


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    return materialize_workspace(tmp_path_factory.mktemp("cancel")).resolve()


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def client(lsp_client: LanguageClient, ws):
    await start(lsp_client, ws)
    yield
    await lsp_client.shutdown_session()


async def test_cancelling_an_export(client: LanguageClient, ws):
    before = set(client.progress_reports)
    msg_id = "export-to-cancel"
    pending = asyncio.wrap_future(client.protocol.send_request(
        types.WORKSPACE_EXECUTE_COMMAND, types.ExecuteCommandParams(
            command="repodoc.exportDocs", arguments=[{"outputDir": "out/cancelled"}]), msg_id=msg_id))
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while not [t for t in client.progress_reports if t not in before]:  # the export has begun
        assert loop.time() < deadline, "the export never reported progress"
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.3)
    cancelled_at = loop.time()
    client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id=msg_id))
    with pytest.raises(JsonRpcRequestCancelled) as raised:
        await asyncio.wait_for(pending, 5)
    assert raised.value.code == -32800
    assert loop.time() - cancelled_at < 1.0  # not after the export would have finished

    # The server goes on answering.
    status = await asyncio.wait_for(request(client, "repodoc/status", {}), 5)
    assert status["state"] == "ready"
    result = await asyncio.wait_for(hover(client, ws, "shop/pricing.py", 9, 6), 5)
    assert result is not None and "price_of" in result.contents.value

    # The export stopped: its progress ended as cancelled, it wrote only part of the doc set
    # (pages are written as they are rendered, and rendering them all takes seconds here),
    # and what it wrote is whole: a later export completes it.
    token = next(t for t in client.progress_reports if t not in before)
    for _ in range(50):
        if isinstance(client.progress_reports[token][-1], types.WorkDoneProgressEnd):
            break
        await asyncio.sleep(0.02)
    assert client.progress_reports[token][-1].message == "cancelled"
    await asyncio.sleep(0.5)
    out = ws / "out" / "cancelled"
    partial = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*.md")}
    from repodoc_ls.config import load_settings
    from repodoc_ls.docs.export import render_all
    from repodoc_ls.docs.render import Renderer
    from repodoc_ls.index.indexer import Index

    index = Index.build(load_settings(ws, {"output_dir": "out/cancelled"}), persistent=False)
    complete = render_all(Renderer(index))
    assert len(partial) < len(complete)
    assert all(complete[page] == data for page, data in partial.items())
