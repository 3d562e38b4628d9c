-- What a statusline shows: the server's progress while it indexes or exports, else its last
-- repodoc/status answer, kept per client.

local client = require("repodoc.client")

local M = {}

local uv = vim.uv or vim.loop

-- Per client id: active progress tokens {title, percentage, message, step} and the last status.
local progress = {}
local statuses = {}

--- The active progress entries of a client id, by token (created empty on first use).
function M.progress_of(client_id)
  local active = progress[client_id] or {}
  progress[client_id] = active
  return active
end

--- The first word of a progress title ("indexing", "exporting"), without the "repodoc:".
function M.verb_of(title)
  title = (title or ""):gsub("^repodoc:%s*", "")
  return title:match("^(%S+)") or "working"
end

--- Ask the server for repodoc/status (async) and cache it for the statusline.
function M.refresh(lsp_client)
  if not lsp_client or client.is_stopped(lsp_client) then
    return
  end
  client.request(lsp_client, "repodoc/status", vim.empty_dict(), function(err, result)
    if not err and result then
      statuses[lsp_client.id] = { state = result.state, files = result.files, symbols = result.symbols, time = uv.now() }
      pcall(vim.cmd, "redrawstatus")
    end
  end)
end

--- For a statusline: "repodoc: indexing 40%", "repodoc: exporting 75%", "repodoc: 22 files";
--- "" when no repodoc server runs for the current buffer.
function M.line()
  local lsp_client = client.client_for(0)
  if not lsp_client then
    return ""
  end
  local best
  for _, entry in pairs(progress[lsp_client.id] or {}) do
    if not best or M.verb_of(entry.title) == "exporting" then
      best = entry
    end
  end
  if best then
    return string.format("repodoc: %s %d%%", M.verb_of(best.title), best.percentage or 0)
  end
  local status = statuses[lsp_client.id]
  if not status or uv.now() - status.time > 10000 then
    M.refresh(lsp_client) -- cheap, async; the statusline catches up on the next redraw
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
function M.cached(client_id)
  return statuses[client_id]
end

return M
