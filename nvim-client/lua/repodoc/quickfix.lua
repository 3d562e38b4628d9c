-- Keyword search and cross-references of the name under the cursor, into the quickfix list.

local client = require("repodoc.client")
local config = require("repodoc.config")

local M = {}

local notify, notify_error, request = client.notify, client.notify_error, client.request

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

local function search_in(ctx, query)
  local limit = config.get().search_limit
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

--- :RepodocSearch {query}: keywords matching the query, in the quickfix list.
function M.search(query)
  query = query and vim.trim(query) or ""
  if query == "" then
    notify("repodoc: :RepodocSearch needs a query", vim.log.levels.ERROR)
    return
  end
  client.with_workspace(function(ctx)
    search_in(ctx, query)
  end)
end

--- :RepodocRefs: definitions and references of the name under the cursor, in the quickfix list.
function M.refs()
  local ctx = client.context()
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

return M
