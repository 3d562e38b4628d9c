"""The Neovim plugin where other language servers are, in a real headless Neovim
(nvim-client/tests/ecosystem.lua, one scenario per run; see tests/test_nvim_client.py for
how Neovim is found):

- a folder of scripts with no pyproject.toml, setup.py or .git gets a server, rooted as
  nvim-lspconfig roots single files (the cwd when the file is below it, else its folder);
- the workspace commands work from the quickfix window, and ask which workspace when
  several servers run;
- nvim-client/lsp/repodoc.lua alone serves `vim.lsp.enable("repodoc")`, with no plugin;
- a server command that cannot start is reported by what really failed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import materialize_workspace
from test_nvim_client import CLIENT, NVIM, NVIM_FOUND, run_driver

DRIVER = CLIENT / "tests" / "ecosystem.lua"
ROOT_MARKERS = ("pyproject.toml", "setup.py", ".git")

pytestmark = pytest.mark.skipif(NVIM is None, reason=NVIM_FOUND)

ERROR = 4  # vim.log.levels.ERROR


def _explain(run: dict) -> str:
    return (
        f"steps: {run.get('steps')}\nerrors: {run.get('errors')}\nnotifications: {run.get('notifications')}\n"
        f"{run.get('output')}\nlsp.log: {run.get('lsp_log')}"
    )


def _completed(run: dict) -> None:
    assert run.get("done"), f"the driver did not finish\n{_explain(run)}"
    assert not run["errors"], _explain(run)


def _same(a: str, b: Path) -> bool:
    return Path(a).expanduser().resolve() == b.resolve()


def _plain_folder(path: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (path / rel).parent.mkdir(parents=True, exist_ok=True)
        (path / rel).write_text(text, encoding="utf-8")
    above = [p / m for p in path.parents for m in ROOT_MARKERS if (p / m).exists()]
    assert not above, f"a root marker above the test's plain folder: {above}"
    return path


def _other_folder(tmp: Path) -> Path:
    return _plain_folder(tmp / "elsewhere", {"other.py": "def other_helper():\n    return 2\n"})


@pytest.fixture(scope="module", params=["lsp_config", "lsp_start"])
def plain_run(request, tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("nvim_plain").resolve()
    ws = _plain_folder(
        tmp / "scripts",
        {
            "tools/report.py": 'def summarize(rows):\n    """Count the rows."""\n    return len(rows)\n',
            "main.py": "from tools.report import summarize\n\nprint(summarize([1, 2]))\n",
        },
    )
    other = _other_folder(tmp)
    return run_driver(tmp, ws, request.param, "plain", driver=DRIVER, extra_env={"REPODOC_OTHER": str(other)})


def test_a_plain_folder_of_scripts_gets_a_server_rooted_at_the_cwd(plain_run):
    _completed(plain_run)
    ws = Path(plain_run["ws"])
    assert _same(plain_run["cwd"], ws)
    assert _same(plain_run["root"], ws), plain_run["root"]
    assert plain_run["status"]["state"] == "ready" and plain_run["status"]["files"] == 2
    assert "def summarize(" in (plain_run["hover"] or ""), plain_run["hover"]


def test_a_script_outside_the_cwd_is_rooted_at_its_folder(plain_run):
    _completed(plain_run)
    other = Path(plain_run["ws"]).parent / "elsewhere"
    assert _same(plain_run["other_root"], other), plain_run["other_root"]
    assert plain_run["clients"] == 2


def test_export_from_the_quickfix_window_exports_the_one_workspace(plain_run):
    _completed(plain_run)
    assert plain_run["export_from"] == "quickfix"
    messages = [n["message"] for n in plain_run["export_notifications"]]
    assert any(re.match(r"repodoc: exported .*: \d+ written", m) for m in messages), messages
    assert not any("no repodoc server" in m for m in messages), messages
    ws = Path(plain_run["ws"])
    assert (ws / "docs" / "repodoc" / "index.md").is_file()
    assert (ws / "docs" / "repodoc" / "tools" / "report.py_docs.md").is_file()


def test_export_from_the_quickfix_window_asks_which_of_several_workspaces(plain_run):
    _completed(plain_run)
    assert plain_run["ask_from"] == "quickfix"
    ws = Path(plain_run["ws"])
    other = ws.parent / "elsewhere"
    offered = plain_run["select"]["items"]
    assert (
        len(offered) == 2 and any(_same(i, ws) for i in offered) and any(_same(i, other) for i in offered)
    ), offered
    messages = [n["message"] for n in plain_run["asked_notifications"]]
    assert any(m.startswith("repodoc: exported") for m in messages), messages
    assert (other / "docs" / "repodoc" / "other.py_docs.md").is_file()  # the one picked


@pytest.fixture(scope="module")
def enable_run(tmp_path_factory) -> dict:
    """Only a copy of nvim-client/lsp/repodoc.lua on the runtimepath: no plugin."""
    tmp = tmp_path_factory.mktemp("nvim_enable").resolve()
    rtp = tmp / "rtp"
    (rtp / "lsp").mkdir(parents=True)
    shutil.copyfile(CLIENT / "lsp" / "repodoc.lua", rtp / "lsp" / "repodoc.lua")
    other = _other_folder(tmp)
    return run_driver(
        tmp,
        materialize_workspace(tmp),
        scenario="enable",
        driver=DRIVER,
        extra_env={"REPODOC_RTP": str(rtp), "REPODOC_OTHER": str(other)},
    )


def test_vim_lsp_enable_works_with_only_the_lsp_config_file(enable_run):
    _completed(enable_run)
    rtp = Path(enable_run["ws"]).parent / "rtp"
    assert enable_run["plugin_loads"] is False  # no require("repodoc"): the file stands alone
    assert [Path(p) for p in enable_run["lsp_files"]] == [rtp / "lsp" / "repodoc.lua"]
    assert not [c for c in enable_run["commands"] if c.startswith("Repodoc")]
    assert _same(enable_run["root"], Path(enable_run["ws"]))  # the fixture's pyproject.toml
    assert enable_run["status"]["state"] == "ready" and enable_run["status"]["files"] > 5
    hover = enable_run["hover"] or ""
    assert "class Cart" in hover and "Holds items until checkout." in hover, hover


def test_the_lsp_config_file_asks_for_file_links_and_roots_single_files(enable_run):
    _completed(enable_run)
    assert enable_run["init_options"]["linkKinds"] == ["file"]
    assert _same(enable_run["other_root"], Path(enable_run["ws"]).parent / "elsewhere")


@pytest.fixture(scope="module")
def bad_run(tmp_path_factory) -> dict:
    """A real Python that has no repodoc_ls: -I ignores PYTHONPATH, -S the site-packages."""
    tmp = tmp_path_factory.mktemp("nvim_bad").resolve()
    ws = tmp / "proj"
    ws.mkdir()
    (ws / "pyproject.toml").write_text('[project]\nname = "proj"\n', encoding="utf-8")
    (ws / "app.py").write_text("def main():\n    pass\n", encoding="utf-8")
    cmd = [sys.executable, "-I", "-S", "-m", "repodoc_ls", "serve"]
    return run_driver(tmp, ws, scenario="bad_python", driver=DRIVER, cmd=cmd)


def test_a_server_command_that_is_not_executable_is_named(bad_run):
    _completed(bad_run)
    errors = [n["message"] for n in bad_run["not_executable"] if n["level"] == ERROR]
    assert any("no-such-python is not executable" in m and "set cmd" in m for m in errors), bad_run[
        "not_executable"
    ]


def test_a_python_without_the_server_is_reported_by_its_real_failure(bad_run):
    _completed(bad_run)
    errors = [
        n["message"]
        for n in bad_run["no_module"]
        if n["level"] == ERROR and n["message"].startswith("repodoc:")
    ]
    assert len(errors) == 1, bad_run["no_module"]
    assert re.search(r"-m repodoc_ls serve failed: .*No module named repodoc_ls; set cmd", errors[0]), errors[
        0
    ]
    assert "pipx install /path/to/repodoc" in errors[0] and "repodoc-ls" not in errors[0]


def test_commands_repeat_the_real_failure_not_a_guess(bad_run):
    _completed(bad_run)
    messages = [n["message"] for n in bad_run["export"]]
    assert any("No module named repodoc_ls" in m for m in messages), messages
    assert not any("pyproject.toml" in m for m in messages), messages
    health = "\n".join(bad_run["health"])
    assert "No module named repodoc_ls" in health, health


def test_the_single_file_root_is_never_the_home_folder(tmp_path):
    """lsp/repodoc.lua's root_dir, called directly: with the cwd at home, a script below it
    is rooted at its own folder, and a script right in the home folder gets no server (its
    root would be everything the user has); a marker still wins."""
    home = tmp_path / "home"
    for rel in ("loose.py", "scripts/tool.py", "proj/pyproject.toml", "proj/pkg/mod.py"):
        (home / rel).parent.mkdir(parents=True, exist_ok=True)
        (home / rel).write_text("", encoding="utf-8")
    chunk = tmp_path / "chunk.lua"
    chunk.write_text(
        f"""
      local config = dofile({json.dumps(str(CLIENT / "lsp" / "repodoc.lua"))})
      local out = {{}}
      for _, rel in ipairs({{ "loose.py", "scripts/tool.py", "proj/pkg/mod.py" }}) do
        vim.cmd("edit " .. vim.fn.fnameescape({json.dumps(str(home))} .. "/" .. rel))
        out[rel] = vim.NIL
        config.root_dir(vim.api.nvim_get_current_buf(), function(root) out[rel] = root end)
      end
      io.stdout:write(vim.json.encode(out))
    """,
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if k not in ("NVIM", "VIMINIT")}
    env.update(HOME=str(home), XDG_STATE_HOME=str(tmp_path / "state"), XDG_DATA_HOME=str(tmp_path / "data"))
    proc = subprocess.run(
        [NVIM, "--headless", "--clean", "-l", str(chunk)],
        cwd=home,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    roots = json.loads(proc.stdout)
    assert roots == {
        "loose.py": None,
        "scripts/tool.py": str(home / "scripts"),
        "proj/pkg/mod.py": str(home / "proj"),
    }, roots
