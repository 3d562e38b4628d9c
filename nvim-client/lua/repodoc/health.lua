-- :checkhealth repodoc

local M = {}

local health = vim.health
local start = health.start or health.report_start
local ok = health.ok or health.report_ok
local warn = health.warn or health.report_warn
local error = health.error or health.report_error
local info = health.info or health.report_info

local has, request_sync = require("repodoc.client").has, require("repodoc.client").request_sync

--- The command printing the server's version: the server command with `serve` (and what
--- follows) replaced by `--version`; `-m repodoc_ls.server` becomes `-m repodoc_ls`.
function M.version_cmd(cmd)
  local out = {}
  for i, arg in ipairs(cmd) do
    if arg == "serve" then
      break
    end
    if arg == "repodoc_ls.server" and cmd[i - 1] == "-m" then
      out[#out + 1] = "repodoc_ls"
      break
    end
    if i > 1 and (arg == "--stdio" or arg == "--tcp") then
      break
    end
    out[#out + 1] = arg
  end
  out[#out + 1] = "--version"
  return out
end

--- The version of the repodoc checkout this plugin is loaded from: its
--- repodoc_ls/__init__.py, the one place the version is written (the Python package, the
--- VS Code extension and this check all read it). nil when the plugin lives apart from it.
function M.plugin_version()
  local here = vim.fn.resolve(debug.getinfo(1, "S").source:sub(2)) -- <root>/nvim-client/lua/repodoc/health.lua
  local init = vim.fn.fnamemodify(here, ":p:h:h:h:h") .. "/repodoc_ls/__init__.py"
  local okay, lines = pcall(vim.fn.readfile, init)
  if not okay then
    return nil
  end
  for _, line in ipairs(lines) do
    local version = line:match("^__version__%s*=%s*[\"']([^\"']+)[\"']")
    if version then
      return version
    end
  end
  return nil
end

--- Whether the server's `--version` output matches the plugin's version: "ok", "warn" or
--- "info", and what to say. A server from another checkout may lack requests the plugin sends.
function M.compare_versions(server_output, plugin)
  local server = (server_output or ""):match("repodoc (%S+)")
  if not plugin then
    return "info", "the plugin's version is unknown (it is not inside a repodoc checkout)"
  elseif not server then
    return "warn", "the server printed no version to compare with the plugin's " .. plugin
  elseif server ~= plugin then
    return "warn", string.format("the server is repodoc %s but the plugin is %s", server, plugin)
  end
  return "ok", "the plugin and the server are both repodoc " .. plugin
end

local function run(cmd, timeout)
  local cwd = require("repodoc.config").lsp.cmd_cwd -- never the workspace: see lsp/repodoc.lua
  if vim.system then
    local okay, proc = pcall(vim.system, cmd, { text = true, cwd = cwd })
    if not okay then
      return nil, tostring(proc)
    end
    local result = proc:wait(timeout)
    return result.code, vim.trim((result.stdout or "") .. "\n" .. (result.stderr or ""))
  end
  local output = {}
  local function collect(_, data)
    vim.list_extend(output, data or {})
  end
  local job = vim.fn.jobstart(cmd, { cwd = cwd, on_stdout = collect, on_stderr = collect })
  if job <= 0 then
    return nil, "cannot run " .. tostring(cmd[1])
  end
  return vim.fn.jobwait({ job }, timeout)[1], vim.trim(table.concat(output, "\n"))
end

local function check_neovim()
  local v = vim.version()
  local version = string.format("%d.%d.%d", v.major, v.minor, v.patch)
  if require("repodoc").uses_lsp_config() then
    ok("Neovim " .. version .. ": the server is registered with vim.lsp.config() and vim.lsp.enable()")
  elseif has("0.9") then
    ok("Neovim " .. version .. ": the server is started by a FileType autocmd with vim.lsp.start()")
  else
    error("Neovim " .. version .. " is too old", { "repodoc needs Neovim 0.9 or newer (0.11 recommended)" })
  end
end

local function check_server(cfg)
  local cmd = cfg.cmd or {}
  local exe = cmd[1]
  if not exe then
    error("the server command is empty", { "pass cmd = { 'python3', '-m', 'repodoc_ls', 'serve' } to setup()" })
    return
  end
  if vim.fn.executable(exe) ~= 1 then
    error("server command not found: " .. exe, {
      "install repodoc from its checkout: pipx install /path/to/repodoc (or uv tool install), then cmd = { 'repodoc', 'serve' }",
      "or pass the full path, e.g. cmd = { '/path/to/venv/bin/python', '-m', 'repodoc_ls', 'serve' }",
      "not pip install repodoc: that name on PyPI is another project",
    })
    return
  end
  ok("server command: " .. table.concat(cmd, " ") .. " (" .. vim.fn.exepath(exe) .. ")")
  local version_cmd = M.version_cmd(cmd)
  local code, output = run(version_cmd, 15000)
  local shown = table.concat(version_cmd, " ")
  if code == 0 and output:match("repodoc") then
    ok(shown .. ": " .. output:gsub("\n.*", ""))
    local level, message = M.compare_versions(output, M.plugin_version())
    if level == "ok" then
      ok(message)
    elseif level == "info" then
      info(message)
    else
      warn(message, { "install the server from the plugin's checkout: pipx install --force /path/to/repodoc" })
    end
  elseif code == 0 then
    warn(shown .. " printed no repodoc version: " .. output)
  else
    error(shown .. " failed (exit " .. tostring(code) .. "): " .. (output or ""), {
      "is repodoc_ls installed in that Python? try: " .. shown,
    })
  end
end

local function check_clients(cfg)
  local get = vim.lsp.get_clients or vim.lsp.get_active_clients
  local clients = get({ name = "repodoc" })
  if #clients == 0 then
    local failure = require("repodoc.client").start_failure
    if failure then
      error("the server failed to start: " .. failure:gsub("^repodoc: ", ""), { "see :LspLog" })
    else
      warn("no repodoc server is running", { "open a Python file", "see :LspLog for start-up errors" })
    end
    return
  end
  for _, client in ipairs(clients) do
    local buffers = vim.tbl_count(client.attached_buffers or {})
    local folders = {}
    for _, folder in ipairs(client.workspace_folders or {}) do
      folders[#folders + 1] = vim.uri_to_fname(folder.uri)
    end
    local where = #folders > 0 and table.concat(folders, ", ") or tostring(client.root_dir)
    if buffers > 0 then
      ok(string.format("client %d attached to %d buffer%s, workspace %s", client.id, buffers,
        buffers == 1 and "" or "s", where))
    else
      warn(string.format("client %d (workspace %s) is attached to no buffer", client.id, where))
    end
    local response = request_sync(client, "repodoc/status", vim.empty_dict(), cfg.timeout_ms or 10000)
    if not response then
      error("repodoc/status got no answer", { "the server may be busy or stuck; see :LspLog" })
    elseif response.err then
      error("repodoc/status failed: " .. tostring(response.err.message))
    else
      local s = response.result or {}
      if s.state == "ready" then
        ok(string.format("workspace indexed: %d files, %d symbols", s.files or 0, s.symbols or 0))
      else
        warn(string.format("workspace still %s: %d files, %d symbols so far", tostring(s.state), s.files or 0,
          s.symbols or 0))
      end
      for _, folder in ipairs(s.folders or {}) do
        if folder.state == "failed" then
          error("indexing " .. vim.uri_to_fname(folder.uri) .. " failed", { "see :LspLog" })
        end
        local output = folder.outputDir -- as the server resolved it
        if type(output) == "string" then
          info("doc set folder: " .. output .. (vim.fn.isdirectory(output) == 1 and "" or " (not exported yet)"))
        end
      end
    end
  end
end

function M.check()
  start("repodoc")
  local repodoc = require("repodoc")
  local cfg = repodoc.config
  if cfg then
    ok("setup() was called")
  else
    warn("require('repodoc').setup() has not been called: no server is registered", {
      "add require('repodoc').setup({}) to your init.lua",
    })
    cfg = repodoc.resolve_config({})
  end
  check_neovim()
  check_server(cfg)
  start("repodoc: server")
  check_clients(cfg)
end

return M
