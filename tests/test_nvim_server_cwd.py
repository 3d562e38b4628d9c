"""The Neovim client never runs a workspace's own modules as the server.

`python -m repodoc_ls serve` puts its working folder first on sys.path. Neovim's working
folder is usually the repository, so a cloned repository holding `repodoc_ls/` or `json.py`
at its root would run its own code as the server. The client starts the server (and its
`--version` checks after a failed start and in :checkhealth) in the plugin's own folder.

Each run below uses a workspace whose root holds such modules, which leave a mark when
imported: the mark must never appear, and the client must attach and answer a hover. The
drivers are nvim-client/tests/ecosystem.lua's scenarios (see tests/test_nvim_ecosystem.py).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import materialize_workspace
from test_nvim_client import CLIENT, NVIM, NVIM_FOUND, run_driver

DRIVER = CLIENT / "tests" / "ecosystem.lua"
ERROR = 4  # vim.log.levels.ERROR

pytestmark = pytest.mark.skipif(NVIM is None, reason=NVIM_FOUND)

SHADOW = "import pathlib\npathlib.Path({marker!r}).open('a').write(__name__ + '\\n')\n"


def _explain(run: dict) -> str:
    return (
        f"steps: {run.get('steps')}\nerrors: {run.get('errors')}\nnotifications: {run.get('notifications')}\n"
        f"{run.get('output')}\nlsp.log: {run.get('lsp_log')}"
    )


def _write(folder: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text, encoding="utf-8")
    return folder


def _arm(ws: Path, marker: Path, cmd: list[str]) -> None:
    """Put the shadowing modules at the workspace root, and check that they do run when the
    server command runs in the workspace (so that a run that leaves no mark means something)."""
    shadow = SHADOW.format(marker=str(marker))
    _write(ws, {"json.py": shadow, "repodoc_ls/__init__.py": shadow, "repodoc_ls/__main__.py": shadow})
    version = [a for a in cmd[: cmd.index("serve")]] + ["--version"]
    subprocess.run(version, cwd=ws, capture_output=True, text=True, timeout=60)
    assert marker.is_file(), f"{version} in the workspace did not import its modules: the test proves nothing"
    marker.unlink()


def _other_folder(tmp: Path) -> Path:
    return _write(tmp / "elsewhere", {"other.py": "def other_helper():\n    return 2\n"})


SERVER = [sys.executable, "-m", "repodoc_ls", "serve"]


@pytest.mark.parametrize("mode", ["lsp_config", "lsp_start"])
def test_the_plugin_starts_the_server_outside_the_workspace(tmp_path, mode):
    tmp = tmp_path.resolve()
    marker = tmp / "SHADOWED"
    ws = _write(
        tmp / "scripts",
        {
            "tools/report.py": 'def summarize(rows):\n    """Count the rows."""\n    return len(rows)\n',
            "main.py": "from tools.report import summarize\n\nprint(summarize([1, 2]))\n",
        },
    )
    _arm(ws, marker, SERVER)
    run = run_driver(
        tmp,
        ws,
        mode,
        "plain",
        driver=DRIVER,
        cmd=SERVER,
        extra_env={"REPODOC_OTHER": str(_other_folder(tmp))},
    )
    assert not marker.exists(), f"the workspace's modules ran: {marker.read_text()}\n{_explain(run)}"
    assert run.get("done") and not run["errors"], _explain(run)
    assert "def summarize(" in (run["hover"] or ""), run["hover"]
    assert (
        ws / "docs" / "repodoc" / "tools" / "report.py_docs.md"
    ).is_file()  # the export, by worker processes


def test_the_lsp_config_file_alone_starts_the_server_outside_the_workspace(tmp_path):
    tmp = tmp_path.resolve()
    marker = tmp / "SHADOWED"
    rtp = tmp / "rtp"
    (rtp / "lsp").mkdir(parents=True)
    (rtp / "lsp" / "repodoc.lua").write_bytes((CLIENT / "lsp" / "repodoc.lua").read_bytes())
    ws = materialize_workspace(tmp)
    _arm(ws, marker, SERVER)
    run = run_driver(
        tmp,
        ws,
        scenario="enable",
        driver=DRIVER,
        cmd=SERVER,
        extra_env={"REPODOC_RTP": str(rtp), "REPODOC_OTHER": str(_other_folder(tmp))},
    )
    assert not marker.exists(), f"the workspace's modules ran: {marker.read_text()}\n{_explain(run)}"
    assert run.get("done") and not run["errors"], _explain(run)
    hover = run["hover"] or ""
    assert "class Cart" in hover and "Holds items until checkout." in hover, hover


def test_a_failed_start_and_checkhealth_check_the_version_outside_the_workspace(tmp_path):
    """A server command that fails (-S: no site-packages, so no pygls): the client asks the
    same command for `--version` to say why, and so does :checkhealth; neither in the workspace."""
    tmp = tmp_path.resolve()
    marker = tmp / "SHADOWED"
    ws = _write(
        tmp / "proj", {"pyproject.toml": '[project]\nname = "proj"\n', "app.py": "def main():\n    pass\n"}
    )
    cmd = [sys.executable, "-S", "-m", "repodoc_ls", "serve"]
    _arm(ws, marker, cmd)
    run = run_driver(tmp, ws, scenario="bad_python", driver=DRIVER, cmd=cmd)
    assert not marker.exists(), f"the workspace's modules ran: {marker.read_text()}\n{_explain(run)}"
    assert run.get("done"), _explain(run)
    errors = [
        n["message"] for n in run["no_module"] if n["level"] == ERROR and n["message"].startswith("repodoc:")
    ]
    assert errors, run["no_module"]
    assert any("repodoc: server" in line for line in run["health"]), run["health"]
