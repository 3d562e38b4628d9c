-- The server's commands (repodoc.exportDocs, repodoc.reindex) and the $/progress they and
-- indexing report: notifications, and the entries the statusline shows.

local client = require("repodoc.client")
local config = require("repodoc.config")
local status = require("repodoc.status")

local M = {}

local notify, notify_error = client.notify, client.notify_error

--- The last repodoc.exportDocs answer (read as require("repodoc").last_export).
M.last_result = nil

local function execute(ctx, command, arguments, on_result)
  client.request(ctx.client, "workspace/executeCommand", { command = command, arguments = arguments },
    function(err, result)
      if err then
        notify_error(err)
        return
      end
      on_result(result)
    end, ctx.bufnr)
end

local function export_workspace(ctx, dir)
  local arg = { uri = vim.uri_from_fname(ctx.root) }
  if dir and vim.trim(dir) ~= "" then
    dir = vim.trim(dir)
    if dir:sub(1, 1) == "~" then
      dir = vim.fn.expand(dir)
    end
    arg.outputDir = dir
  end
  execute(ctx, "repodoc.exportDocs", { arg }, function(result)
    M.last_result = result
    notify(string.format("repodoc: exported %s: %d written, %d unchanged, %d removed",
      result.outputDir or "?", result.written or 0, result.unchanged or 0, result.removed or 0))
  end)
end

--- :RepodocExport [dir]: write the doc set (to `dir`, relative to the workspace root).
function M.export(dir)
  client.with_workspace(function(ctx)
    export_workspace(ctx, dir)
  end)
end

--- :RepodocReindex: rebuild the index (unchanged files are reused).
function M.reindex()
  client.with_workspace(function(ctx)
    execute(ctx, "repodoc.reindex", {}, function(result)
      notify(string.format("repodoc: reindexed: %d files, %d symbols", result.files or 0, result.symbols or 0))
      status.refresh(ctx.client)
    end)
  end)
end

--- Handle one $/progress value of a repodoc client.
function M.on_progress(client_id, token, value)
  if type(value) ~= "table" then
    return
  end
  local lsp_client = vim.lsp.get_client_by_id(client_id)
  if not lsp_client or lsp_client.name ~= client.NAME then
    return
  end
  local cfg = config.get()
  local active = status.progress_of(client_id)
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
      if cfg.notify_progress and step > entry.step and step < 4 and status.verb_of(entry.title) == "exporting" then
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
    status.refresh(lsp_client)
  end
  pcall(vim.cmd, "redrawstatus")
end

--- A $/progress handler for Neovim 0.9, which has no LspProgress autocmd: the default
--- handler, then on_progress.
function M.progress_handler()
  local default = vim.lsp.handlers["$/progress"]
  return function(err, result, ctx, handler_config)
    local ret
    if default then
      ret = default(err, result, ctx, handler_config)
    end
    if result then
      M.on_progress(ctx.client_id, result.token, result.value)
    end
    return ret
  end
end

return M
