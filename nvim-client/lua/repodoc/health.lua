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

local function run(cmd, timeout)
  if vim.system then
    local okay, proc = pcall(vim.system, cmd, { text = true })
    if not okay then
      return nil, tostring(proc)
    end
    local result = proc:wait(timeout)
    return result.code, vim.trim((result.stdout or "") .. "\n" .. (result.stderr or ""))
  end
  local output = vim.fn.system(cmd)
  return vim.v.shell_error, vim.trim(output)
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
      "install repodoc (pip install repodoc-ls) in the Python you point cmd at",
      "or pass the full path, e.g. cmd = { '/path/to/venv/bin/python', '-m', 'repodoc_ls', 'serve' }",
    })
    return
  end
  ok("server command: " .. table.concat(cmd, " ") .. " (" .. vim.fn.exepath(exe) .. ")")
  local version_cmd = M.version_cmd(cmd)
  local code, output = run(version_cmd, 15000)
  local shown = table.concat(version_cmd, " ")
  if code == 0 and output:match("repodoc") then
    ok(shown .. ": " .. output:gsub("\n.*", ""))
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
