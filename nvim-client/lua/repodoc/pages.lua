-- Generated pages in Markdown scratch buffers named repodoc://<page>, fetched from the
-- server (repodoc/fileDoc, keywordIndex, folderDoc; repodoc/page for a link between pages),
-- and the links followed from them. Each page's path and output folder are the server's.

local links = require("repodoc.links")
local client = require("repodoc.client")
local config = require("repodoc.config")

local M = {}

local PAGE_SCHEME = "repodoc://"

local notify, notify_error, request = client.notify, client.notify_error, client.request

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
--- `info` = {client, root, scope ("file" or "folder": what the page documents), fragment?,
--- result (the server's page result: markdown, page, outputDir, path)}
local function show_page(info, from_page)
  local result = info.result
  local page_name = result.page
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
  local lines = vim.split(result.markdown or "", "\n", { plain = true })
  if #lines > 1 and lines[#lines] == "" then
    table.remove(lines)
  end
  vim.bo[buf].modifiable = true
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].modifiable = false
  vim.bo[buf].modified = false
  local rel = type(result.path) == "string" and result.path or ""
  vim.b[buf].repodoc_page = {
    client_id = info.client.id,
    root = info.root,
    output = result.outputDir,
    page = page_name,
    scope = info.scope,
    rel = rel,
    source = rel == "" and info.root or (info.root .. "/" .. rel),
  }
  if vim.bo[buf].filetype ~= "markdown" then
    vim.bo[buf].filetype = "markdown"
  end

  local cur = vim.api.nvim_get_current_buf()
  if vim.bo[cur].buftype ~= "" and not vim.b[cur].repodoc_page then
    -- From the quickfix list or help: the page goes beside the window used before it.
    vim.cmd("wincmd p")
    cur = vim.api.nvim_get_current_buf()
  end
  if cur ~= buf then
    local cfg = config.get()
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

--- Whether a server answer is a page result (the fields show_page needs).
local function is_page(result)
  return type(result) == "table" and type(result.page) == "string" and type(result.outputDir) == "string"
end

--- Ask the server for a page of `path` (a file for docs/kw, a file or folder for the folder
--- kinds) and show it.
local function open_page(ctx, kind, path, fragment, from_page)
  local params = { uri = vim.uri_from_fname(path) }
  local scope = (kind == "docs" or kind == "kw") and "file" or "folder"
  if scope == "folder" then
    params.kind = kind
  end
  request(ctx.client, KIND_REQUEST[kind], params, function(err, result)
    if err then
      notify_error(err)
    elseif not is_page(result) then
      notify_error("the server returned no page")
    else
      show_page({ client = ctx.client, root = ctx.root, scope = scope, result = result, fragment = fragment }, from_page)
    end
  end, ctx.bufnr)
end

--- Follow a link to `target` (links.resolve's page): the page at its path in the output
--- folder; a file there that is no page (the server says so) opens as a file when it exists.
local function open_linked_page(ctx, target)
  local params = { uri = vim.uri_from_fname(ctx.root), page = target.page }
  request(ctx.client, "repodoc/page", params, function(err, result)
    if err or not is_page(result) then
      if vim.fn.filereadable(target.path) == 1 then
        vim.cmd("normal! m'")
        vim.cmd("edit " .. vim.fn.fnameescape(target.path))
      else
        notify_error(err or "the server returned no page")
      end
      return
    end
    show_page({ client = ctx.client, root = ctx.root, scope = result.scope, result = result, fragment = target.fragment },
      true)
  end, ctx.bufnr)
end

--- The current file's page of `kind` ("docs" or "kw"); `what` names it in the warning
--- given on a folder page, which has neither.
local function open_file_page(kind, what, instead)
  local ctx = client.context()
  if not ctx then
    return
  end
  if ctx.page and ctx.page.scope ~= "file" then
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

--- :RepodocFolder [index|doc|sub]: a page of the current file's folder (of the workspace's
--- root from a window with no file of it).
function M.folder(kind)
  kind = (kind == nil or kind == "") and "index" or kind
  if not KIND_REQUEST[kind] or kind == "docs" or kind == "kw" then
    notify("repodoc: :RepodocFolder takes index, doc or sub, not " .. kind, vim.log.levels.ERROR)
    return
  end
  client.with_workspace(function(ctx)
    local path = ctx.path -- from a window with no file of the workspace: its root
    if ctx.page and ctx.page.scope == "file" then
      path = vim.fs.dirname(path)
    elseif not ctx.page and vim.fn.isdirectory(path) == 0 then
      path = vim.fs.dirname(path)
    end
    open_page(ctx, kind, path, nil, ctx.page ~= nil)
  end)
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
    local ctx = client.context()
    if ctx then
      ctx.root = page.root
      open_linked_page(ctx, target)
    end
  elseif target.type == "url" then
    if vim.ui.open then
      vim.ui.open(target.url)
    else
      notify("repodoc: " .. target.url, vim.log.levels.INFO)
    end
  else
    if vim.fn.filereadable(target.path) == 0 and vim.fn.isdirectory(target.path) == 0 then
      notify("repodoc: " .. target.path .. " does not exist", vim.log.levels.WARN)
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

return M
