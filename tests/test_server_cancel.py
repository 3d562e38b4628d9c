"""$/cancelRequest end to end: an export held half way by the test launcher
(--hold-export: it waits after its first rendered unit until the test releases it) is
cancelled; the error RequestCancelled (-32800) comes while the export is still held, so at
once; the export stops at its next unit (no further page written, its progress ended as
cancelled); the server answers the next requests, and a later export completes the doc set."""

from __future__ import annotations

import asyncio

import pytest
from jedi_gate import guarded
from launch_server import Hold
from lsprotocol import types
from pygls.exceptions import JsonRpcRequestCancelled
from pytest_lsp.client import LanguageClient
from server_helpers import ServerSetup, hover, request

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture(scope="module")
def export_hold(tmp_path_factory):
    return Hold(tmp_path_factory.mktemp("export-hold"), "--hold-export")


@pytest.fixture(scope="module")
def server_setup(export_hold):
    return ServerSetup(hooks=[export_hold])


def export(client: LanguageClient, msg_id: str):
    return asyncio.wrap_future(
        client.protocol.send_request(
            types.WORKSPACE_EXECUTE_COMMAND,
            types.ExecuteCommandParams(
                command="repodoc.exportDocs", arguments=[{"outputDir": "out/cancelled"}]
            ),
            msg_id=msg_id,
        )
    )


async def test_cancelling_an_export(client: LanguageClient, ws, export_hold):
    before = set(client.progress_reports)
    pending = export(client, "export-to-cancel")
    await export_hold.reached()  # the export has rendered its first unit and waits
    client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id="export-to-cancel"))
    with pytest.raises(JsonRpcRequestCancelled) as raised:
        await guarded(pending)
    assert raised.value.code == -32800
    assert not export_hold.has("ended")  # answered while the export was still held

    # The server goes on answering, the export still held.
    status = await guarded(request(client, "repodoc/status", {}))
    assert status["state"] == "ready"
    result = await guarded(hover(client, ws, "shop/pricing.py", 9, 6))
    assert result is not None and "price_of" in result.contents.value

    # The export stops at its next unit: its progress ended as cancelled, it wrote only
    # part of the doc set, and what it wrote is whole.
    export_hold.release()
    await export_hold.marked("ended")
    token = next(t for t in client.progress_reports if t not in before)
    assert isinstance(client.progress_reports[token][-1], types.WorkDoneProgressEnd)
    assert client.progress_reports[token][-1].message == "cancelled"
    out = ws / "out" / "cancelled"
    partial = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*.md")}
    from repodoc_ls.config import load_settings
    from repodoc_ls.docs.export import render_all
    from repodoc_ls.docs.render import Renderer
    from repodoc_ls.index.indexer import Index

    index = Index.build(load_settings(ws, {"output_dir": "out/cancelled"}), persistent=False)
    complete = render_all(Renderer(index))
    assert partial and len(partial) < len(complete)
    assert all(complete[page] == data for page, data in partial.items())

    # A later export completes it.
    done = await guarded(export(client, "export-to-finish"))
    assert done["written"] == len(complete) - len(partial)
    assert {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*.md")} == complete
