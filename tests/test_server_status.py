"""The server keeps answering while the reference index is built after an index build.

That build (server.py's `_warm_references`) holds the index lock for seconds on a large
workspace. The status request and the build's own ending count symbols on the event loop:
they waited for that lock, so the whole server stopped answering, and "ready" reached the
client only once the reference index was built (3-4 s after a warm start of the stdlib,
against 0.2 s for the index). The launcher's --hold-references holds that lock until the
test releases it, however fast the machine."""

from __future__ import annotations

import asyncio

import pytest
from launch_server import HANG_GUARD_SECONDS, Hold
from pytest_lsp.client import LanguageClient
from server_helpers import ServerSetup, request

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture(scope="module")
def references_hold(tmp_path_factory):
    return Hold(tmp_path_factory.mktemp("references-hold"), "--hold-references")


@pytest.fixture(scope="module")
def server_setup(references_hold):
    return ServerSetup(hooks=[references_hold], wait_ready=False)


async def test_status_answers_while_the_reference_index_holds_the_lock(
    client: LanguageClient, references_hold
):
    await references_hold.reached()  # the index is built and the lock is taken
    # A guard against the hang this test is about, not a measure of speed.
    status = await asyncio.wait_for(request(client, "repodoc/status", {}), HANG_GUARD_SECONDS)
    assert status["state"] == "ready"
    assert status["symbols"] > 0  # counted before the lock was taken
    references_hold.release()
    again = await asyncio.wait_for(request(client, "repodoc/status", {}), HANG_GUARD_SECONDS)
    assert again["symbols"] == status["symbols"]
