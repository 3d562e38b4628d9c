-- repodoc for Neovim: starts the repodoc language server for Python buffers and offers its
-- generated pages, keyword search, cross-references and export as commands.
--
--   require("repodoc").setup({
--     cmd = { "python3", "-m", "repodoc_ls", "serve" },  -- how to start the server
--     output_dir = "docs/repodoc",                       -- where :RepodocExport writes
--     settings = {},                                     -- server settings (init options)
--   })
--
-- Neovim 0.11+: registered with vim.lsp.config() and vim.lsp.enable(). Neovim 0.9/0.10: a
-- FileType autocmd starts it with vim.lsp.start(). Root: the nearest folder holding
-- pyproject.toml, setup.py or .git.

local links = require("repodoc.links")

local M = {}

local uv = vim.uv or vim.loop
local NAME = "repodoc"
local ROOT_MARKERS = { "pyproject.toml", "setup.py", ".git" }
local DEFAULT_OUTPUT_DIR = "docs/repodoc"
local PAGE_SCHEME = "repodoc://"

M.defaults = {
  cmd = { "python3", "-m", "repodoc_ls", "serve" },
  output_dir = nil, -- nil: the server's setting ([tool.repodoc] output_dir, else docs/repodoc)
  settings = {},
  filetypes = { "python" },
  root_markers = ROOT_MARKERS,
  open = "vsplit", -- how a page opens from a source buffer: vsplit, split, tab or edit
  notify_progress = true, -- vim.notify on $/progress begin and end (and every 25% of an export)
  search_limit = 100,
  use_lsp_config = true, -- Neovim 0.11+: vim.lsp.config/enable; false: a FileType autocmd + vim.lsp.start
  timeout_ms = 10000, -- for the few synchronous requests (:checkhealth)
}

--- The effective configuration (setup() options over the defaults); nil before setup().
M.config = nil

-- Per client id: active progress tokens {title, percentage, message} and the last status.
local progress = {}
local statuses = {}

-- -- compatibility ---------------------------------------------------------------

local function has(version)
  return vim.fn.has("nvim-" .. version) == 1
end

local function get_clients(filter)
  if vim.lsp.get_clients then
    return vim.lsp.get_clients(filter)
  end
  return vim.lsp.get_active_clients(filter)
end

local function request(client, method, params, handler, bufnr)
  if has("0.11") then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end

local function request_sync(client, method, params, timeout, bufnr)
  if has("0.11") then
    return client:request_sync(method, params, timeout, bufnr)
  end
  return client.request_sync(method, params, timeout, bufnr)
end

local function is_stopped(client)
  if has("0.11") then
    return client:is_stopped()
  end
  return client.is_stopped()
end

local function notify(message, level)
  vim.notify(message, level or vim.log.levels.INFO, { title = "repodoc" })
end

local function notify_error(err)
  local message = type(err) == "table" and err.message or tostring(err)
  message = message:gsub("^repodoc: ", "")
  notify("repodoc: " .. message, vim.log.levels.ERROR)
end

-- -- configuration -------------------------------------------------------------

--- The server settings sent as initializationOptions and as the "repodoc" settings section.
local function server_settings(cfg)
  local settings = vim.deepcopy(cfg.settings or {})
  if cfg.output_dir then
    settings.output_dir = nil
    settings.outputDir = cfg.output_dir
  end
  if next(settings) == nil then
    return vim.empty_dict()
  end
  return settings
end

function M.resolve_config(opts)
  local cfg = vim.tbl_deep_extend("force", vim.deepcopy(M.defaults), opts or {})
  if opts and opts.cmd then
    cfg.cmd = opts.cmd -- a list: replace, never merge element by element
  end
  if opts and opts.filetypes then
    cfg.filetypes = opts.filetypes
  end
  if opts and opts.root_markers then
    cfg.root_markers = opts.root_markers
  end
  if type(cfg.cmd) == "string" then
    cfg.cmd = { cfg.cmd }
  end
  return cfg
end

--- `[tool.repodoc] output_dir` (or output-dir) of the root's pyproject.toml, read cheaply.
local function pyproject_output_dir(root)
  local f = io.open(root .. "/pyproject.toml", "r")
  if not f then
    return nil
  end
  local in_section, found = false, nil
  for line in f:lines() do
    local header = line:match("^%s*%[+%s*([^%]]-)%s*%]")
    if header then
      in_section = header == "tool.repodoc" and not line:match("^%s*%[%[")
    elseif in_section then
      found = line:match("^%s*output[-_]dir%s*=%s*\"(.-)\"") or line:match("^%s*output[-_]dir%s*=%s*'(.-)'")
      if found then
        break
      end
    end
  end
  f:close()
  return found
end

--- The output folder (absolute) that a root's pages live in (or will, once exported).
function M.output_path(root)
  local cfg = M.config or M.resolve_config({})
  local dir = cfg.output_dir
  local settings = cfg.settings or {}
  dir = dir or settings.outputDir or settings.output_dir or settings["output-dir"]
  dir = dir or pyproject_output_dir(root) or DEFAULT_OUTPUT_DIR
  if dir:sub(1, 1) == "~" then
    dir = vim.fn.expand(dir)
  end
  return links.output_path(root, dir)
end

-- -- roots and clients --------------------------------------------------------

local function find_root(bufnr, markers)
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
    if client and not is_stopped(client) then
      return client
    end
  end
  local attached = get_clients({ name = NAME, bufnr = bufnr })
  if attached[1] then
    return attached[1]
  end
  local path = page and page.source or buffer_path(bufnr)
  if path then
    for _, client in ipairs(get_clients({ name = NAME })) do
      if root_of(client, path) then
        return client
      end
    end
  end
  return nil
end

--- What the commands act on: {client, root, path (file or folder), uri, page?, bufnr}.
local function context(bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local client = M.client_for(bufnr)
  if not client then
    notify("repodoc: no repodoc server for this buffer (open a Python file in a project with "
      .. "pyproject.toml, setup.py or .git; see :checkhealth repodoc)", vim.log.levels.WARN)
    return nil
  end
  local page = vim.b[bufnr].repodoc_page
  local path = page and page.source or buffer_path(bufnr)
  if not path then
    notify("repodoc: this buffer has no file", vim.log.levels.WARN)
    return nil
  end
  local root = (page and page.root) or root_of(client, path)
  if not root then
    notify("repodoc: " .. path .. " is outside the workspace of the repodoc server", vim.log.levels.WARN)
    return nil
  end
  return { client = client, root = root, path = path, uri = vim.uri_from_fname(path), page = page, bufnr = bufnr }
end

-- -- pages --------------------------------------------------------------------

local function find_buffer(name)
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_valid(buf) and vim.api.nvim_buf_get_name(buf) == name then
      return buf
    end
  end
  return nil
end

local function jump_to_line(line)
  local count = vim.api.nvim_buf_line_count(0)
  line = math.max(1, math.min(line, count))
  vim.api.nvim_win_set_cursor(0, { line, 0 })
  vim.cmd("normal! zz")
end

--- Show a page in a markdown scratch buffer named repodoc://<page path>.
--- `info` = {client, root, kind, rel (file or folder path relative to the root), markdown, fragment?,
--- letter? (kind sub: a page of a split symbols page, "t" or "t-2")}
local function show_page(info, from_page)
  local page_name = links.page_name(info.kind, info.rel, info.letter)
  local name = PAGE_SCHEME .. page_name
  local buf = find_buffer(name)
  if buf and vim.b[buf].repodoc_page and vim.b[buf].repodoc_page.root ~= info.root then
    -- The same page of another workspace folder: name it by the folder too.
    name = PAGE_SCHEME .. vim.fs.basename(info.root) .. "/" .. page_name
    buf = find_buffer(name)
  end
  if not buf then
    buf = vim.api.nvim_create_buf(true, true)
    vim.api.nvim_buf_set_name(buf, name)
    vim.bo[buf].buftype = "nofile"
    vim.bo[buf].bufhidden = "hide"
    vim.bo[buf].swapfile = false
    local function map(lhs)
      vim.keymap.set("n", lhs, M.follow_link, { buffer = buf, desc = "repodoc: follow the link under the cursor" })
    end
    map("gf")
    map("<CR>")
  end
  local lines = vim.split(info.markdown or "", "\n", { plain = true })
  if #lines > 1 and lines[#lines] == "" then
    table.remove(lines)
  end
  vim.bo[buf].modifiable = true
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].modifiable = false
  vim.bo[buf].modified = false
  local rel_path = info.rel == "" and info.root or (info.root .. "/" .. info.rel)
  vim.b[buf].repodoc_page = {
    client_id = info.client.id,
    root = info.root,
    output = M.output_path(info.root),
    page = page_name,
    kind = info.kind,
    letter = info.letter,
    rel = info.rel,
    source = rel_path,
  }
  if vim.bo[buf].filetype ~= "markdown" then
    vim.bo[buf].filetype = "markdown"
  end

  local cur = vim.api.nvim_get_current_buf()
  if cur ~= buf then
    local cfg = M.config or M.defaults
    if not from_page and not vim.b[cur].repodoc_page and cfg.open ~= "edit" then
      local open = ({ vsplit = "vsplit", split = "split", tab = "tab split" })[cfg.open] or "vsplit"
      vim.cmd(open)
    else
      vim.cmd("normal! m'")
    end
    vim.cmd("buffer " .. buf)
  end
  local line = links.anchor_line(lines, info.fragment)
  jump_to_line(line or 1)
  return buf
end

local KIND_REQUEST = {
  docs = "repodoc/fileDoc",
  kw = "repodoc/keywordIndex",
  index = "repodoc/folderDoc",
  doc = "repodoc/folderDoc",
  sub = "repodoc/folderDoc",
}

--- Ask the server for a page of `path` (a file for docs/kw, a file or folder for the folder
--- kinds) and show it. `letter` (kind sub): a page of a split symbols page, named as in its
--- file name ("t" for sub-t.md, "t-2" for sub-t-2.md).
local function open_page(ctx, kind, path, fragment, from_page, letter)
  local params = { uri = vim.uri_from_fname(path) }
  if kind == "index" or kind == "doc" or kind == "sub" then
    params.kind = kind
  end
  if kind == "sub" and letter then
    params.letter = letter
  end
  request(ctx.client, KIND_REQUEST[kind], params, function(err, result)
    if err then
      notify_error(err)
      return
    end
    local rel = result.path -- the file or folder, relative to its workspace folder
    if type(rel) ~= "string" then
      local root = ctx.root:gsub("/$", "")
      rel = path == root and "" or path:sub(#root + 2)
    end
    show_page({ client = ctx.client, root = ctx.root, kind = kind, rel = rel, markdown = result.markdown, fragment = fragment,
      letter = params.letter }, from_page)
  end, ctx.bufnr)
end

--- The current file's page of `kind` ("docs" or "kw"); `what` names it in the warning
--- given on a folder page, which has neither.
local function open_file_page(kind, what, instead)
  local ctx = context()
  if not ctx then
    return
  end
  if ctx.page and ctx.page.kind ~= "docs" and ctx.page.kind ~= "kw" then
    notify("repodoc: a folder page has no " .. what .. "; use " .. instead, vim.log.levels.WARN)
    return
  end
  open_page(ctx, kind, ctx.path, nil, ctx.page ~= nil)
end

--- :RepodocDoc: the current file's page.
function M.doc()
  open_file_page("docs", "file page", ":RepodocFolder")
end

--- :RepodocKeywords: the current file's keyword index.
function M.keywords()
  open_file_page("kw", "keyword index", ":RepodocFolder sub")
end

--- :RepodocFolder [index|doc|sub]: a page of the current file's folder.
function M.folder(kind)
  kind = (kind == nil or kind == "") and "index" or kind
  if not KIND_REQUEST[kind] or kind == "docs" or kind == "kw" then
    notify("repodoc: :RepodocFolder takes index, doc or sub, not " .. kind, vim.log.levels.ERROR)
    return
  end
  local ctx = context()
  if not ctx then
    return
  end
  local path = ctx.path
  if ctx.page and (ctx.page.kind == "docs" or ctx.page.kind == "kw") then
    path = vim.fs.dirname(path)
  elseif not ctx.page and vim.fn.isdirectory(path) == 0 then
    path = vim.fs.dirname(path)
  end
  open_page(ctx, kind, path, nil, ctx.page ~= nil)
end

--- gf / <CR> in a page: open the linked page, or the source file at the linked line.
function M.follow_link()
  local page = vim.b.repodoc_page
  if not page then
    return
  end
  local line = vim.api.nvim_get_current_line()
  local col = vim.api.nvim_win_get_cursor(0)[2] + 1
  local link = links.link_at(line, col)
  if not link then
    notify("repodoc: no link under the cursor", vim.log.levels.WARN)
    return
  end
  local target = links.resolve({ root = page.root, output = page.output, page = page.page }, link.target)
  if target.type == "anchor" then
    local row = links.anchor_line(vim.api.nvim_buf_get_lines(0, 0, -1, false), target.fragment)
    if row then
      vim.cmd("normal! m'")
      jump_to_line(row)
    else
      notify("repodoc: no anchor #" .. tostring(target.fragment) .. " on this page", vim.log.levels.WARN)
    end
  elseif target.type == "page" then
    local ctx = context()
    if ctx then
      ctx.root = page.root
      open_page(ctx, target.kind, target.path, target.fragment, true, target.letter)
    end
  elseif target.type == "url" then
    if vim.ui.open then
      vim.ui.open(target.url)
    else
      notify("repodoc: " .. target.url, vim.log.levels.INFO)
    end
  else
    if vim.fn.filereadable(target.path) == 0 and vim.fn.isdirectory(target.path) == 0 then
      if target.exported then
        notify("repodoc: " .. target.path .. " is not exported yet; run :RepodocExport", vim.log.levels.WARN)
      else
        notify("repodoc: " .. target.path .. " does not exist", vim.log.levels.WARN)
      end
      return
    end
    vim.cmd("normal! m'")
    vim.cmd("edit " .. vim.fn.fnameescape(target.path))
    if target.line then
      jump_to_line(target.line)
    elseif target.fragment then
      local row = links.anchor_line(vim.api.nvim_buf_get_lines(0, 0, -1, false), target.fragment)
      if row then
        jump_to_line(row)
      end
    end
  end
end

-- -- quickfix -----------------------------------------------------------------

local function location_item(location, text, encoding)
  -- locations_to_items turns the LSP column (in the client's offset encoding) into bytes.
  local item = vim.lsp.util.locations_to_items({ location }, encoding or "utf-16")[1]
  item.text = text
  return item
end

local function set_quickfix(title, items)
  vim.fn.setqflist({}, " ", { title = title, items = items })
  if #items > 0 then
    vim.cmd("botright copen")
  end
end

--- :RepodocSearch {query}: keywords matching the query, in the quickfix list.
function M.search(query)
  query = query and vim.trim(query) or ""
  if query == "" then
    notify("repodoc: :RepodocSearch needs a query", vim.log.levels.ERROR)
    return
  end
  local ctx = context()
  if not ctx then
    return
  end
  local limit = (M.config or M.defaults).search_limit
  request(ctx.client, "repodoc/searchKeywords", { query = query, limit = limit }, function(err, result)
    if err then
      notify_error(err)
      return
    end
    local items = {}
    for _, item in ipairs(result.items or {}) do
      local text = string.format("%s %s", item.kind or "", item.qualifiedName or item.name)
      items[#items + 1] = location_item(item.location, text, ctx.client.offset_encoding)
    end
    set_quickfix("repodoc search: " .. query, items)
    if #items == 0 then
      notify("repodoc: no keyword matches " .. query, vim.log.levels.WARN)
    end
  end, ctx.bufnr)
end

--- :RepodocRefs: definitions and references of the name under the cursor, in the quickfix list.
function M.refs()
  local ctx = context()
  if not ctx then
    return
  end
  if ctx.page then
    notify("repodoc: put the cursor on a name in a source buffer", vim.log.levels.WARN)
    return
  end
  local encoding = ctx.client.offset_encoding or "utf-16"
  local params = vim.lsp.util.make_position_params(0, encoding)
  request(ctx.client, "repodoc/crossReferences", { uri = params.textDocument.uri, position = params.position },
    function(err, result)
      if err then
        notify_error(err)
        return
      end
      local keyword = result.keyword
      if keyword == vim.NIL then
        keyword = nil
      end
      local items = {}
      for _, loc in ipairs(result.definitions or {}) do
        items[#items + 1] = location_item(loc, "definition of " .. (keyword or "?"), encoding)
      end
      local refs = {}
      for _, loc in ipairs(result.references or {}) do
        refs[#refs + 1] = loc
      end
      local ref_items = vim.lsp.util.locations_to_items(refs, encoding)
      for _, item in ipairs(ref_items) do
        items[#items + 1] = item
      end
      set_quickfix("repodoc references: " .. (keyword or "?"), items)
      if not keyword then
        notify("repodoc: no workspace name under the cursor", vim.log.levels.WARN)
      elseif #items == 0 then
        notify("repodoc: no references to " .. keyword, vim.log.levels.WARN)
      end
    end, ctx.bufnr)
end

-- -- commands -----------------------------------------------------------------

local function execute(ctx, command, arguments, on_result)
  request(ctx.client, "workspace/executeCommand", { command = command, arguments = arguments }, function(err, result)
    if err then
      notify_error(err)
      return
    end
    on_result(result)
  end, ctx.bufnr)
end

--- :RepodocExport [dir]: write the doc set (to `dir`, relative to the workspace root).
function M.export(dir)
  local ctx = context()
  if not ctx then
    return
  end
  local arg = { uri = vim.uri_from_fname(ctx.root) }
  if dir and vim.trim(dir) ~= "" then
    dir = vim.trim(dir)
    if dir:sub(1, 1) == "~" then
      dir = vim.fn.expand(dir)
    end
    arg.outputDir = dir
  end
  execute(ctx, "repodoc.exportDocs", { arg }, function(result)
    M.last_export = result
    notify(string.format("repodoc: exported %s: %d written, %d unchanged, %d removed",
      result.outputDir or "?", result.written or 0, result.unchanged or 0, result.removed or 0))
  end)
end

--- :RepodocReindex: rebuild the index (unchanged files are reused).
function M.reindex()
  local ctx = context()
  if not ctx then
    return
  end
  execute(ctx, "repodoc.reindex", {}, function(result)
    notify(string.format("repodoc: reindexed: %d files, %d symbols", result.files or 0, result.symbols or 0))
    M.refresh_status(ctx.client)
  end)
end

-- -- progress and status -------------------------------------------------------

--- Ask the server for repodoc/status (async) and cache it for the statusline.
function M.refresh_status(client)
  if not client or is_stopped(client) then
    return
  end
  request(client, "repodoc/status", vim.empty_dict(), function(err, result)
    if not err and result then
      statuses[client.id] = { state = result.state, files = result.files, symbols = result.symbols, time = uv.now() }
      pcall(vim.cmd, "redrawstatus")
    end
  end)
end

local function verb_of(title)
  title = (title or ""):gsub("^repodoc:%s*", "")
  return title:match("^(%S+)") or "working"
end

--- Handle one $/progress value of a repodoc client.
local function on_progress(client_id, token, value)
  if type(value) ~= "table" then
    return
  end
  local client = vim.lsp.get_client_by_id(client_id)
  if not client or client.name ~= NAME then
    return
  end
  local cfg = M.config or M.defaults
  local active = progress[client_id] or {}
  progress[client_id] = active
  local key = tostring(token)
  if value.kind == "begin" then
    active[key] = { title = value.title or "repodoc", percentage = value.percentage or 0, message = value.message, step = 0 }
    if cfg.notify_progress then
      notify(value.title or "repodoc: working")
    end
  elseif value.kind == "report" then
    local entry = active[key]
    if entry then
      entry.percentage = value.percentage or entry.percentage
      entry.message = value.message or entry.message
      local step = math.floor((entry.percentage or 0) / 25)
      if cfg.notify_progress and step > entry.step and step < 4 and verb_of(entry.title) == "exporting" then
        notify(string.format("%s: %d%%", entry.title, entry.percentage))
      end
      entry.step = math.max(entry.step, step)
    end
  elseif value.kind == "end" then
    local entry = active[key]
    active[key] = nil
    if cfg.notify_progress then
      local title = entry and entry.title or "repodoc"
      notify(value.message and (title .. ": " .. value.message) or (title .. ": done"))
    end
    M.refresh_status(client)
  end
  pcall(vim.cmd, "redrawstatus")
end

--- For a statusline: "repodoc: indexing 40%", "repodoc: exporting 75%", "repodoc: 22 files";
--- "" when no repodoc server runs for the current buffer.
function M.status()
  local client = M.client_for(0)
  if not client then
    return ""
  end
  local best
  for _, entry in pairs(progress[client.id] or {}) do
    if not best or verb_of(entry.title) == "exporting" then
      best = entry
    end
  end
  if best then
    return string.format("repodoc: %s %d%%", verb_of(best.title), best.percentage or 0)
  end
  local status = statuses[client.id]
  if not status or uv.now() - status.time > 10000 then
    M.refresh_status(client) -- cheap, async; the statusline catches up on the next redraw
  end
  if not status then
    return "repodoc"
  end
  if status.state == "indexing" then
    return "repodoc: indexing"
  end
  return string.format("repodoc: %d files", status.files or 0)
end

--- The last repodoc/status answer for a client id (for tests and :checkhealth).
function M.cached_status(client_id)
  return statuses[client_id]
end

-- -- setup --------------------------------------------------------------------

local function progress_handler()
  -- Neovim 0.9 has no LspProgress autocmd: wrap the default $/progress handler.
  local default = vim.lsp.handlers["$/progress"]
  return function(err, result, ctx, config)
    local ret
    if default then
      ret = default(err, result, ctx, config)
    end
    if result then
      on_progress(ctx.client_id, result.token, result.value)
    end
    return ret
  end
end

local COMMANDS = {
  { "RepodocDoc", function() M.doc() end, { desc = "repodoc: the current file's page" } },
  { "RepodocKeywords", function() M.keywords() end, { desc = "repodoc: the current file's keyword index" } },
  {
    "RepodocFolder",
    function(o) M.folder(o.args) end,
    {
      nargs = "?",
      complete = function() return links.FOLDER_KINDS end,
      desc = "repodoc: a page of the current file's folder (index, doc or sub)",
    },
  },
  { "RepodocSearch", function(o) M.search(o.args) end, { nargs = "+", desc = "repodoc: search keywords into the quickfix list" } },
  { "RepodocRefs", function() M.refs() end, { desc = "repodoc: cross-references of the name under the cursor" } },
  { "RepodocExport", function(o) M.export(o.args) end, { nargs = "?", complete = "dir", desc = "repodoc: write the doc set" } },
  { "RepodocReindex", function() M.reindex() end, { desc = "repodoc: rebuild the index" } },
}

--- Whether the server is registered with vim.lsp.config()/vim.lsp.enable() (Neovim 0.11+).
function M.uses_lsp_config()
  local cfg = M.config or M.defaults
  return cfg.use_lsp_config ~= false and has("0.11") and vim.lsp.config ~= nil and vim.lsp.enable ~= nil
end

function M.setup(opts)
  local cfg = M.resolve_config(opts)
  M.config = cfg
  local settings = server_settings(cfg)
  local group = vim.api.nvim_create_augroup("repodoc", { clear = true })

  for _, spec in ipairs(COMMANDS) do
    vim.api.nvim_create_user_command(spec[1], spec[2], spec[3])
  end

  local handlers = nil
  if has("0.10") then
    vim.api.nvim_create_autocmd("LspProgress", {
      group = group,
      callback = function(ev)
        local data = ev.data or {}
        local params = data.params or {}
        on_progress(data.client_id, params.token, params.value)
      end,
    })
  else
    handlers = { ["$/progress"] = progress_handler() }
  end
  vim.api.nvim_create_autocmd("LspAttach", {
    group = group,
    callback = function(ev)
      local client = vim.lsp.get_client_by_id(ev.data and ev.data.client_id or -1)
      if client and client.name == NAME then
        M.refresh_status(client)
      end
    end,
  })

  local config = {
    cmd = cfg.cmd,
    filetypes = cfg.filetypes,
    init_options = settings,
    settings = { repodoc = settings },
    handlers = handlers,
  }
  if M.uses_lsp_config() then
    config.root_markers = cfg.root_markers
    config.workspace_required = true
    if cfg.root_dir then
      config.root_dir = cfg.root_dir
    end
    vim.lsp.config(NAME, config)
    vim.lsp.enable(NAME)
    return
  end

  local function start(bufnr)
    if vim.bo[bufnr].buftype ~= "" then
      return
    end
    local root
    if type(cfg.root_dir) == "function" then
      root = cfg.root_dir(bufnr)
    else
      root = cfg.root_dir or find_root(bufnr, cfg.root_markers)
    end
    if not root then
      return
    end
    local start_config = vim.tbl_extend("force", config, { name = NAME, root_dir = root })
    start_config.filetypes = nil
    vim.lsp.start(start_config, { bufnr = bufnr })
  end
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = cfg.filetypes,
    callback = function(ev)
      start(ev.buf)
    end,
  })
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.tbl_contains(cfg.filetypes, vim.bo[bufnr].filetype) then
      start(bufnr)
    end
  end
end

return M
