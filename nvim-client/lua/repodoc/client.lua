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

function M.find_root(bufnr, markers)
  if vim.fs.root then
    return vim.fs.root(bufnr, markers)
  end
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == "" then
    return nil
  end
  local found = vim.fs.find(markers, { upward = true, path = vim.fs.dirname(name) })[1]
  return found and vim.fs.dirname(found) or nil
end

local function client_roots(client)
  local roots = {}
  for _, folder in ipairs(client.workspace_folders or {}) do
    roots[#roots + 1] = vim.uri_to_fname(folder.uri)
  end
  local root = client.root_dir or (client.config and client.config.root_dir)
  if type(root) == "string" then
    roots[#roots + 1] = root
  end
  return roots
end

local function is_under(path, root)
  root = root:gsub("/+$", "")
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

local function buffer_path(bufnr)
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == "" then
    return nil
  end
  return vim.fn.fnamemodify(name, ":p"):gsub("/$", "")
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
  local path = page and page.source or buffer_path(bufnr)
  if path then
    for _, client in ipairs(M.get_clients({ name = M.NAME })) do
      if root_of(client, path) then
        return client
      end
    end
  end
  return nil
end

--- What the commands act on: {client, root, path (file or folder), uri, page?, bufnr}; nil
--- (with a warning) when the buffer has no repodoc server or no file in its workspace.
function M.context(bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local client = M.client_for(bufnr)
  if not client then
    M.notify("repodoc: no repodoc server for this buffer (open a Python file in a project with "
      .. "pyproject.toml, setup.py or .git; see :checkhealth repodoc)", vim.log.levels.WARN)
    return nil
  end
  local page = vim.b[bufnr].repodoc_page
  local path = page and page.source or buffer_path(bufnr)
  if not path then
    M.notify("repodoc: this buffer has no file", vim.log.levels.WARN)
    return nil
  end
  local root = (page and page.root) or root_of(client, path)
  if not root then
    M.notify("repodoc: " .. path .. " is outside the workspace of the repodoc server", vim.log.levels.WARN)
    return nil
  end
  return { client = client, root = root, path = path, uri = vim.uri_from_fname(path), page = page, bufnr = bufnr }
end

return M
