-- The repodoc client of a buffer and what a command acts on; the few vim.lsp calls whose
-- form changed between Neovim 0.9 and 0.11; notifications.

local M = {}

M.NAME = "repodoc"

-- -- compatibility ---------------------------------------------------------------

function M.has(version)
  return vim.fn.has("nvim-" .. version) == 1
end

function M.get_clients(filter)
  if vim.lsp.get_clients then
    return vim.lsp.get_clients(filter)
  end
  return vim.lsp.get_active_clients(filter)
end

function M.request(client, method, params, handler, bufnr)
  if M.has("0.11") then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end

function M.request_sync(client, method, params, timeout, bufnr)
  if M.has("0.11") then
    return client:request_sync(method, params, timeout, bufnr)
  end
  return client.request_sync(method, params, timeout, bufnr)
end

function M.is_stopped(client)
  if M.has("0.11") then
    return client:is_stopped()
  end
  return client.is_stopped()
end

-- -- notifications ---------------------------------------------------------------

function M.notify(message, level)
  vim.notify(message, level or vim.log.levels.INFO, { title = "repodoc" })
end

function M.notify_error(err)
  local message = type(err) == "table" and err.message or tostring(err)
  message = message:gsub("^repodoc: ", "")
  M.notify("repodoc: " .. message, vim.log.levels.ERROR)
end

-- -- roots and clients --------------------------------------------------------

--- Why the last server start failed, said as the user can act on it (set by lsp/repodoc.lua's
--- on_exit and by setup(); cleared when a repodoc client attaches).
M.start_failure = nil

local function client_roots(client)
  local roots, seen = {}, {}
  local function add(root)
    root = root:gsub("(.)/+$", "%1")
    if not seen[root] then
      seen[root] = true
      roots[#roots + 1] = root
    end
  end
  for _, folder in ipairs(client.workspace_folders or {}) do
    add(vim.uri_to_fname(folder.uri))
  end
  local root = client.root_dir or (client.config and client.config.root_dir)
  if type(root) == "string" then
    add(root)
  end
  return roots
end

local function is_under(path, root)
  return path == root or path:sub(1, #root + 1) == root .. "/"
end

--- The workspace root of `client` that holds `path` (the longest one), or nil.
local function root_of(client, path)
  local best
  for _, root in ipairs(client_roots(client)) do
    if is_under(path, root) and (not best or #root > #best) then
      best = root
    end
  end
  return best
end

--- The file a buffer shows (its page's file for a page); nil for a buffer with no file, like
--- the quickfix list or help.
local function buffer_path(bufnr)
  local page = vim.b[bufnr].repodoc_page
  if page then
    return page.source
  end
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == "" or vim.bo[bufnr].buftype ~= "" then
    return nil
  end
  return (vim.fn.fnamemodify(name, ":p"):gsub("/$", ""))
end

--- The running (initialized, not stopped) repodoc clients.
function M.running()
  local out = {}
  for _, client in ipairs(M.get_clients({ name = M.NAME })) do
    if not M.is_stopped(client) then
      out[#out + 1] = client
    end
  end
  return out
end

--- The running repodoc client for a buffer: the one attached to it, else one whose
--- workspace holds the buffer's file (for files that are not Python, like a README).
function M.client_for(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local page = vim.b[bufnr].repodoc_page
  if page then
    local client = vim.lsp.get_client_by_id(page.client_id)
    if client and not M.is_stopped(client) then
      return client
    end
  end
  local attached = M.get_clients({ name = M.NAME, bufnr = bufnr })
  if attached[1] then
    return attached[1]
  end
  local path = buffer_path(bufnr)
  if path then
    for _, client in ipairs(M.running()) do
      if root_of(client, path) then
        return client
      end
    end
  end
  return nil
end

--- Why no repodoc server runs, from what is known: a failed start, a command that is not
--- executable, a server still starting, or none started yet.
function M.no_server_message()
  if M.start_failure then
    return M.start_failure
  end
  local cfg = require("repodoc.config").get()
  local exe = type(cfg.cmd) == "table" and cfg.cmd[1]
  if exe and vim.fn.executable(exe) == 0 then
    return "repodoc: no server is running: the server command " .. exe .. " is not executable (not found on "
      .. "PATH); set cmd to the Python that has repodoc_ls"
  end
  if #M.get_clients({ name = M.NAME, _uninitialized = true }) > 0 then
    return "repodoc: the server is still starting; try again in a moment"
  end
  return "repodoc: no repodoc server is running; open a Python file to start one (see :checkhealth repodoc)"
end

--- What a command on a file acts on: {client, root, path (file or folder), uri, page?,
--- bufnr}; nil (with a warning, unless `quiet`) when the buffer shows no file of a workspace.
function M.context(bufnr, quiet)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local function fail(message)
    if not quiet then
      M.notify(message, vim.log.levels.WARN)
    end
    return nil
  end
  local client = M.client_for(bufnr)
  local page = vim.b[bufnr].repodoc_page
  local path = buffer_path(bufnr)
  if not client then
    if #M.running() == 0 then
      return fail(M.no_server_message())
    end
    if not path then
      return fail("repodoc: this buffer has no file; run the command from a file of the workspace")
    end
    return fail("repodoc: " .. path .. " is in no workspace of a running repodoc server")
  end
  if not path then
    return fail("repodoc: this buffer has no file")
  end
  local root = (page and page.root) or root_of(client, path)
  if not root then
    return fail("repodoc: " .. path .. " is outside the workspace of the repodoc server")
  end
  return { client = client, root = root, path = path, uri = vim.uri_from_fname(path), page = page, bufnr = bufnr }
end

--- Calls fn(ctx) for a command on a whole workspace (export, reindex, search, folder pages),
--- from any window: the current buffer's context when it shows a file of a workspace; else
--- the one running workspace ({client, root, path = root, uri, bufnr}), or the one the user
--- picks when several run.
function M.with_workspace(fn)
  local bufnr = vim.api.nvim_get_current_buf()
  local ctx = M.context(bufnr, true)
  if ctx then
    return fn(ctx)
  end
  local choices = {}
  for _, client in ipairs(M.running()) do
    for _, root in ipairs(client_roots(client)) do
      choices[#choices + 1] = { client = client, root = root }
    end
  end
  local function use(choice)
    if choice then
      fn({ client = choice.client, root = choice.root, path = choice.root, uri = vim.uri_from_fname(choice.root),
        bufnr = bufnr })
    end
  end
  if #choices == 0 then
    M.notify(M.no_server_message(), vim.log.levels.WARN)
  elseif #choices == 1 then
    use(choices[1])
  else
    vim.ui.select(choices, {
      prompt = "repodoc workspace:",
      kind = "repodoc.workspace",
      format_item = function(choice)
        return vim.fn.fnamemodify(choice.root, ":~")
      end,
    }, use)
  end
end

return M
