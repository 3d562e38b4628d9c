"""The jedi worker process (jedi_worker.py) through its client (jedi_client.py): answers,
the budget (a late answer is dropped, the caller gets None at once), warm-up requests,
a restart after the worker dies, and a clean stop."""

from __future__ import annotations

import asyncio

from repodoc_ls.server.jedi_client import JediClient

SOURCE = "import json\njson.dumps\n"


async def test_help_goto_budget_restart_and_stop(tmp_path):
    client = JediClient()
    path = str(tmp_path / "m.py")
    try:
        name = await client.call("help", str(tmp_path), path, SOURCE, 2, 6, 30)
        assert name["name"] == "dumps" and name["type"] == "function" and name["module_name"] == "json"
        assert name["signatures"][0].startswith("dumps(obj")
        assert "JSON" in name["docstring"]
        found = await client.call("goto", str(tmp_path), path, SOURCE, 2, 6, 30)
        assert found and found[0]["name"] == "dumps" and found[0]["module_path"].endswith("json/__init__.py")

        client.warm(str(tmp_path), path, SOURCE)
        loop = asyncio.get_running_loop()
        started = loop.time()
        assert await client.call("help", str(tmp_path), path, SOURCE * 2000, 2, 6, 0.001) is None
        assert loop.time() - started < 0.5  # the budget holds, whatever the worker is doing
        client.forget(path)

        client.proc.kill()  # a worker that dies is replaced on the next call
        await client.proc.wait()
        await asyncio.sleep(0.05)
        name = await client.call("help", str(tmp_path), path, SOURCE, 2, 6, 30)
        assert name is not None and name["name"] == "dumps"
    finally:
        proc = client.proc
        await client.stop()
    assert proc is None or proc.returncode is not None
