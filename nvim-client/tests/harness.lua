-- What the end-to-end drivers (e2e.lua, ecosystem.lua) share: the record they write as JSON
-- (rewritten after each step, so a timeout still leaves the steps done so far), steps,
-- waiting without sleeping blind, and a few snapshots. Loaded with dofile() by a driver run
-- as `nvim --headless --clean -u <driver>`.

local H = {}

function H.env(name)
  local value = os.getenv(name)
  if not value or value == "" then
    io.stderr:write(name .. " is not set\n")
    vim.cmd("cquit 2")
  end
  return value
end

local out = H.env("REPODOC_RESULT")
H.STEP_MS = tonumber(os.getenv("REPODOC_STEP_MS") or "") or 20000
H.R = { steps = {}, errors = {}, notifications = {}, nvim = tostring(vim.version()) }
local R = H.R

function H.save()
  local f = assert(io.open(out, "w"))
  f:write(vim.json.encode(R))
  f:close()
end

local orig_notify = vim.notify
vim.notify = function(msg, level, opts)
  table.insert(R.notifications, { message = tostring(msg), level = level or vim.log.levels.INFO })
  return orig_notify(msg, level, opts)
end

local step_start = 0 -- notifications before the running step

function H.step(name, fn)
  step_start = #R.notifications
  local ok, err = xpcall(fn, debug.traceback)
  R.steps[#R.steps + 1] = name
  if not ok then
    R.errors[name] = tostring(err)
  end
  H.save()
end

--- Notifications since the running step began.
function H.step_notifications()
  return vim.list_slice(R.notifications, step_start + 1)
end

--- Wait for `cond`; fail at once when the plugin reports an error (a failed request), unless
--- `allow_errors`.
function H.wait(what, cond, ms, allow_errors)
  local failure
  local ok = vim.wait(ms or H.STEP_MS, function()
    for i = step_start + 1, #R.notifications do
      if not allow_errors and R.notifications[i].level == vim.log.levels.ERROR then
        failure = R.notifications[i].message
        return true
      end
    end
    return cond()
  end, 50)
  if failure then
    error("error while waiting for " .. what .. ": " .. failure, 2)
  elseif not ok then
    error("timed out waiting for " .. what, 2)
  end
end

function H.buf_lines(buf, n)
  return vim.api.nvim_buf_get_lines(buf or 0, 0, n or -1, false)
end

function H.qf_snapshot()
  local info = vim.fn.getqflist({ title = 1, items = 1 })
  local items = {}
  for _, item in ipairs(info.items) do
    items[#items + 1] = { filename = vim.api.nvim_buf_get_name(item.bufnr), lnum = item.lnum, col = item.col, text = item.text }
  end
  return { title = info.title, items = items }
end

function H.reset_qf()
  vim.fn.setqflist({}, " ", { title = "reset", items = {} })
end

function H.request_sync(client, method, params, timeout)
  if vim.fn.has("nvim-0.11") == 1 then
    return client:request_sync(method, params, timeout)
  end
  return client.request_sync(method, params, timeout)
end

function H.clients(filter)
  return (vim.lsp.get_clients or vim.lsp.get_active_clients)(filter)
end

--- Wait for a repodoc client to attach to `buf`; returns it.
function H.wait_attached(buf)
  local client
  H.wait("the repodoc client to attach", function()
    client = H.clients({ name = "repodoc", bufnr = buf })[1]
    return client ~= nil
  end)
  return client
end

--- Wait for the client's workspace to be indexed; returns the last repodoc/status answer.
function H.wait_ready(client)
  local last
  H.wait("repodoc/status to be ready", function()
    local response = H.request_sync(client, "repodoc/status", vim.empty_dict(), 5000)
    last = response and response.result
    return last ~= nil and last.state == "ready" and (last.files or 0) > 0
  end)
  return last
end

function H.hover_text(buf, line, character)
  local params = { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = line, character = character } }
  local responses = vim.lsp.buf_request_sync(buf, "textDocument/hover", params, H.STEP_MS) or {}
  for _, response in pairs(responses) do
    if response.err then
      error("hover failed: " .. vim.inspect(response.err))
    end
    local contents = response.result and response.result.contents
    if contents then
      return type(contents) == "table" and (contents.value or vim.inspect(contents)) or tostring(contents)
    end
  end
  return nil
end

--- Run `main` once Neovim has started, record how it ended, and quit.
function H.run(main)
  vim.api.nvim_create_autocmd("VimEnter", {
    once = true,
    callback = function()
      vim.schedule(function()
        local ok, err = xpcall(main, debug.traceback)
        if not ok then
          R.errors.main = tostring(err)
        end
        R.done = true
        H.save()
        vim.cmd("qall!")
      end)
    end,
  })
end

return H
