-- End-to-end driver for tests/test_nvim_ecosystem.py: how the plugin fits where other
-- Neovim language servers are, one scenario per run (REPODOC_SCENARIO):
--
--   plain       setup(); in a folder of scripts with no root marker (the cwd), a script
--               attaches with the cwd as its root, and a script of another plain folder
--               (REPODOC_OTHER, not below the cwd) with its own folder; :RepodocExport from
--               the quickfix window exports the one workspace, then asks which of two.
--   enable      no plugin: only REPODOC_RTP (a folder holding lsp/repodoc.lua alone) on the
--               runtimepath; vim.lsp.config() + vim.lsp.enable("repodoc"); a hover.
--   bad_python  setup() with a server command that is not executable, then with a Python
--               that has no repodoc_ls: what the user is told, and by :RepodocExport.
--
--   REPODOC_WS=<workspace> REPODOC_CMD='["python","-m","repodoc_ls","serve"]' \
--   REPODOC_RESULT=<out.json> REPODOC_SCENARIO=plain nvim --headless --clean -u ecosystem.lua

local script = debug.getinfo(1, "S").source:sub(2)
local tests_dir = vim.fn.fnamemodify(script, ":p:h")
vim.opt.swapfile = false
vim.opt.shadafile = "NONE"

local H = dofile(tests_dir .. "/harness.lua")
local R, step, wait = H.R, H.step, H.wait

local ws = H.env("REPODOC_WS")
local cmd = vim.json.decode(H.env("REPODOC_CMD"))
local scenario = H.env("REPODOC_SCENARIO")
R.scenario = scenario

if scenario == "enable" then
  vim.opt.runtimepath:prepend(H.env("REPODOC_RTP"))
else
  vim.opt.runtimepath:prepend(vim.fn.fnamemodify(tests_dir, ":h"))
end

local function root_of(client)
  return client.root_dir or client.config.root_dir
end

local function open(path)
  vim.cmd("edit " .. vim.fn.fnameescape(path))
  return vim.api.nvim_get_current_buf()
end

--- The first line of `buf` holding `needle`, as a 0-based (line, column) of its start plus
--- `offset`.
local function position_of(buf, needle, offset)
  for i, line in ipairs(H.buf_lines(buf)) do
    local s = line:find(needle, 1, true)
    if s then
      return i - 1, s - 1 + (offset or 0)
    end
  end
  error("no " .. needle .. " in " .. vim.api.nvim_buf_get_name(buf))
end

local function exported(before)
  for i = before + 1, #R.notifications do
    local n = R.notifications[i]
    if n.message:match("^repodoc: exported") or n.level >= vim.log.levels.WARN then
      return true
    end
  end
  return false
end

local function plain()
  local other = H.env("REPODOC_OTHER")
  local repodoc = require("repodoc")
  local src, src_win

  step("setup", function()
    repodoc.setup({ cmd = cmd, use_lsp_config = os.getenv("REPODOC_USE_LSP_CONFIG") ~= "0" })
    R.uses_lsp_config = repodoc.uses_lsp_config()
    R.cwd = vim.fn.getcwd()
  end)

  step("attach", function()
    src, src_win = open(ws .. "/tools/report.py"), vim.api.nvim_get_current_win()
    local client = H.wait_attached(src)
    R.root = root_of(client)
    R.status = H.wait_ready(client)
    R.hover = H.hover_text(src, position_of(src, "summarize"))
  end)

  step("export_from_quickfix", function()
    vim.cmd("RepodocSearch summarize")
    wait("the search results in the quickfix list", function()
      return vim.bo.buftype == "quickfix" and vim.fn.getqflist({ title = 1 }).title:match("^repodoc search") ~= nil
    end)
    R.export_from = vim.bo.buftype
    local before = #R.notifications
    vim.cmd("RepodocExport")
    wait("the export to finish", function()
      return exported(before)
    end, 60000)
    R.export_notifications = vim.list_slice(R.notifications, before + 1)
  end)

  step("other_folder", function()
    vim.api.nvim_set_current_win(src_win)
    local buf = open(other .. "/other.py")
    local client = H.wait_attached(buf)
    R.other_root = root_of(client)
    H.wait_ready(client)
    R.clients = #H.clients({ name = "repodoc" })
  end)

  step("export_asks_which", function()
    vim.cmd("botright copen")
    R.ask_from = vim.bo.buftype
    vim.ui.select = function(items, opts, on_choice)
      R.select = { prompt = opts.prompt, items = vim.tbl_map(opts.format_item, items) }
      for _, item in ipairs(items) do
        if vim.fs.basename(item.root) == vim.fs.basename(other) then
          return on_choice(item)
        end
      end
      on_choice(nil)
    end
    local before = #R.notifications
    vim.cmd("RepodocExport")
    wait("the export to finish", function()
      return exported(before)
    end, 60000)
    R.asked_notifications = vim.list_slice(R.notifications, before + 1)
  end)
end

local function enable()
  local src, client

  step("no_plugin", function()
    R.plugin_loads = pcall(require, "repodoc")
    R.lsp_files = vim.api.nvim_get_runtime_file("lsp/repodoc.lua", true)
  end)

  step("enable", function()
    vim.lsp.config("repodoc", { cmd = cmd })
    vim.lsp.enable("repodoc")
    R.commands = vim.tbl_keys(vim.api.nvim_get_commands({}))
  end)

  step("attach", function()
    src = open(ws .. "/shop/cart.py")
    client = H.wait_attached(src)
    R.root = root_of(client)
    R.init_options = client.config.init_options
    R.status = H.wait_ready(client)
  end)

  step("hover", function()
    R.hover = H.hover_text(src, position_of(src, "class Cart", #"class "))
  end)

  step("plain_file", function()
    local buf = open(H.env("REPODOC_OTHER") .. "/other.py")
    R.other_root = root_of(H.wait_attached(buf))
  end)
end

local function bad_python()
  local repodoc = require("repodoc")

  step("not_executable", function()
    repodoc.setup({ cmd = { ws .. "/no-such-python", "-m", "repodoc_ls", "serve" } })
    open(ws .. "/app.py")
    wait("the error", function()
      return #H.step_notifications() > 0
    end, nil, true)
    R.not_executable = H.step_notifications()
  end)

  step("no_module", function()
    repodoc.setup({ cmd = cmd })
    wait("the error", function()
      for _, n in ipairs(H.step_notifications()) do
        if n.level == vim.log.levels.ERROR and n.message:match("^repodoc:") then
          return true
        end
      end
      return false
    end, 60000, true)
    R.no_module = H.step_notifications()
  end)

  step("export", function()
    vim.cmd("RepodocExport")
    R.export = H.step_notifications()
  end)

  step("checkhealth", function()
    vim.cmd("checkhealth repodoc")
    wait("the health report", function()
      return table.concat(H.buf_lines(0), "\n"):match("repodoc: server") ~= nil
    end, nil, true)
    R.health = H.buf_lines(0)
  end)
end

H.run(({ plain = plain, enable = enable, bad_python = bad_python })[scenario])
