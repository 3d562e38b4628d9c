"""The jedi worker process (jedi_worker.py) through its client (jedi_client.py): answers,
the budget (past it the caller gets None and a request not yet started is dropped), warm-up
messages, a restart after the worker dies, a clean stop, and the worker's priority; and the
hover's late answers (late_answers.py), kept per text and place, bounded, given up on an edit.

Nothing here depends on how fast the machine is: a call that must be answered has no
budget (it waits as long as jedi takes), and a call that must run out of budget is made
while a gated worker (tests/jedi_gate.py) holds the request before it, so it cannot be
answered in time however fast the machine is.
"""

from __future__ import annotations

import asyncio
import os

import pytest
from jedi_gate import JediGate, guarded
from launch_server import worker_command

from repodoc_ls.server import jedi_worker, late_answers
from repodoc_ls.server.jedi_client import JediClient
from repodoc_ls.server.late_answers import LateAnswers

SOURCE = "import json\njson.dumps\n"


@pytest.fixture
async def gated(tmp_path):
    gate = JediGate(tmp_path / "gate")
    client = JediClient(worker_command(*gate.flags))
    yield client, gate
    gate.open()  # a held request would keep the worker from exiting at the end of its input
    await client.stop()


async def test_help_and_goto_answers_then_a_clean_stop(tmp_path):
    client = JediClient()
    path = str(tmp_path / "m.py")
    try:
        name = await guarded(client.call("help", str(tmp_path), path, SOURCE, 2, 6, None))
        assert name["name"] == "dumps" and name["type"] == "function" and name["module_name"] == "json"
        assert name["signatures"][0].startswith("dumps(obj")
        assert "JSON" in name["docstring"]
        found = await guarded(client.call("goto", str(tmp_path), path, SOURCE, 2, 6, None))
        assert found and found[0]["name"] == "dumps" and found[0]["module_path"].endswith("json/__init__.py")
    finally:
        proc = client.proc
        await client.stop()
    assert proc is not None and proc.returncode is not None
    assert client.proc is None
    assert await client.call("help", str(tmp_path), path, SOURCE, 2, 6, None) is None  # stopped for good


async def test_past_the_budget_the_caller_gets_none_and_a_request_not_started_is_dropped(gated, tmp_path):
    client, gate = gated
    root, path = str(tmp_path), str(tmp_path / "m.py")
    held = asyncio.create_task(client.call("help", root, path, SOURCE, 2, 6, None))
    (first,) = await gate.wait_for(event="start")  # the worker has it and waits for the gate

    # Queued behind the held request, these cannot be answered within any budget.
    assert await guarded(client.call("help", root, path, SOURCE, 2, 6, 0.05)) is None
    assert await guarded(client.call("goto", root, path, SOURCE, 2, 6, 0)) is None
    cancels = await gate.wait_for(2, event="cancel")
    assert all(c["dropped"] for c in cancels)

    gate.release()  # the held request, which had no budget, still gets jedi's answer
    assert (await guarded(held))["name"] == "dumps"
    gate.release()
    assert (await guarded(client.call("help", root, path, SOURCE, 2, 6, None)))["name"] == "dumps"
    started = [e["id"] for e in gate.events(event="start")]
    assert len(started) == 2 and started[0] == first["id"]
    assert not {c["id"] for c in cancels} & set(started)  # the dropped requests never ran


async def test_a_late_answer_is_dropped_and_the_next_call_gets_its_own(gated, tmp_path):
    client, gate = gated
    root, path = str(tmp_path), str(tmp_path / "m.py")
    caller = asyncio.create_task(client.call("goto", root, path, SOURCE, 2, 6, None))
    (running,) = await gate.wait_for(event="start", op="goto")
    caller.cancel()  # the caller gives up (an LSP $/cancelRequest) while jedi works on it
    with pytest.raises(asyncio.CancelledError):
        await caller
    gate.release(2)
    name = await guarded(client.call("help", root, path, SOURCE, 2, 6, None))
    assert name["name"] == "dumps"  # not the goto list the worker answered first
    assert [e["op"] for e in gate.events(event="done")] == ["goto", "help"]
    assert client.pending == {}


async def test_warm_up_reaches_a_worker_still_starting_then_forget(gated, tmp_path):
    client, gate = gated
    path = str(tmp_path / "m.py")
    client.warm(str(tmp_path), path, SOURCE)  # starts the worker, and is sent once it runs
    await gate.wait_for(event="warm", path=path)
    client.forget(path)
    await gate.wait_for(event="forget", path=path)


async def test_a_worker_that_dies_is_replaced_on_the_next_call(gated, tmp_path):
    client, gate = gated
    root, path = str(tmp_path), str(tmp_path / "m.py")
    gate.open()
    assert (await guarded(client.call("help", root, path, SOURCE, 2, 6, None)))["name"] == "dumps"
    client.proc.kill()
    await client.proc.wait()
    # At once: the dead worker's reader may not have seen the end of its output yet, and
    # must not fail the request sent to the new worker when it does.
    name = await guarded(client.call("help", root, path, SOURCE, 2, 6, None))
    assert name is not None and name["name"] == "dumps"
    first, second = await gate.wait_for(2, event="ready")
    assert first["pid"] != second["pid"] == client.proc.pid


@pytest.mark.skipif(not hasattr(os, "getpriority"), reason="no process priorities here")
async def test_the_worker_runs_a_little_below_the_server_never_far_below(gated):
    client, gate = gated
    client.start()
    (ready,) = await gate.wait_for(event="ready")
    below = os.getpriority(os.PRIO_PROCESS, ready["pid"]) - os.getpriority(os.PRIO_PROCESS, 0)
    # Far below (nice 10), normal-priority work on every core starved jedi: its answers
    # came tens of seconds late, after every hover had given up on them.
    assert below == min(jedi_worker.NICENESS, 19 - os.getpriority(os.PRIO_PROCESS, 0))
    assert 0 < jedi_worker.NICENESS <= 5


async def test_jedi_never_reads_an_enormous_or_blocking_module(tmp_path):
    """A workspace module jedi follows that is a 1.5 GB sparse file, or a FIFO, reads as
    empty: the answer comes, and the worker's peak memory stays far below the file's size."""
    (tmp_path / "big.py").write_bytes(b"visible = 1\n")
    with open(tmp_path / "big.py", "r+b") as fh:
        fh.truncate(1_500_000_000)
    os.mkfifo(tmp_path / "pipe.py")
    source = "import big, pipe, json\nbig.visible\npipe.x\njson.dumps\n"
    client = JediClient()
    path, root = str(tmp_path / "m.py"), str(tmp_path)
    try:
        for line, col in ((2, 5), (3, 6)):
            assert await guarded(client.call("goto", root, path, source, line, col, None)) is not None
        found = await guarded(client.call("help", root, path, source, 4, 6, None))
        assert found["name"] == "dumps"  # the worker still answers after both
        with open(f"/proc/{client.proc.pid}/status") as fh:
            peak_kb = next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:"))
        assert peak_kb < 1_000_000
    finally:
        await client.stop()


# -- late answers (late_answers.py): no worker, requests stood in for by futures -----------


class Requests:
    """`start` functions whose requests the test answers by hand; counts the starts."""

    def __init__(self) -> None:
        self.futures: list[asyncio.Future] = []

    def start(self):
        future = asyncio.get_running_loop().create_future()
        self.futures.append(future)
        return future


async def test_an_answer_past_the_budget_is_kept_for_the_next_ask_at_the_same_place_of_the_same_text():
    late, requests = LateAnswers(), Requests()
    assert await late.ask("m.py", "text", (1, 2), requests.start, 0) == (False, None)
    assert await late.ask("m.py", "text", (1, 2), requests.start, 0) == (False, None)
    assert len(requests.futures) == 1  # the second ask waits for the same request
    requests.futures[0].set_result("answer")
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert await late.ask("m.py", "text", (1, 2), requests.start, 0) == (True, "answer")
    assert len(requests.futures) == 1
    # Another place, or the same place of another text: asked anew.
    assert await late.ask("m.py", "text", (1, 3), requests.start, 0) == (False, None)
    assert await late.ask("m.py", "text 2", (1, 2), requests.start, 0) == (False, None)
    assert len(requests.futures) == 3


async def test_an_answer_within_the_budget_is_returned_and_kept():
    late, requests = LateAnswers(), Requests()
    asked = asyncio.create_task(late.ask("m.py", "text", "here", requests.start, 60))
    while not requests.futures:
        await asyncio.sleep(0)
    requests.futures[0].set_result(None)  # jedi knows nothing: that is an answer too
    assert await guarded(asked) == (True, None)
    assert await late.ask("m.py", "text", "here", requests.start, 0) == (True, None)
    assert len(requests.futures) == 1


async def test_an_edit_or_a_close_gives_up_the_documents_requests_and_answers():
    late, requests = LateAnswers(), Requests()
    await late.ask("m.py", "old", "a", requests.start, 0)
    await late.ask("other.py", "text", "a", requests.start, 0)
    await late.ask("m.py", "new", "a", requests.start, 0)  # an edit: the old text's request goes
    await asyncio.sleep(0)
    assert [f.cancelled() for f in requests.futures] == [True, False, False]
    requests.futures[2].set_result("new answer")
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert late.kept
    late.forget("m.py")  # closed
    await asyncio.sleep(0)
    assert not late.kept and list(late.running) == [("other.py", late_answers.digest("text"), "a")]
    late.clear()
    await asyncio.sleep(0)
    assert requests.futures[1].cancelled() and not late.running


async def test_at_most_a_few_requests_run_on_and_the_oldest_gives_way():
    late, requests = LateAnswers(), Requests()
    for place in range(late_answers.MAX_RUNNING):
        await late.ask("m.py", "text", place, requests.start, 0)
    # One more: the oldest is cancelled, and an ask still waiting on it gets "not yet".
    waiting = asyncio.create_task(late.ask("m.py", "text", 0, requests.start, 60))
    await asyncio.sleep(0)
    await late.ask("m.py", "text", "newest", requests.start, 0)
    assert await guarded(waiting) == (False, None)
    assert [f.cancelled() for f in requests.futures] == [True] + [False] * late_answers.MAX_RUNNING
    assert len(late.running) == late_answers.MAX_RUNNING
