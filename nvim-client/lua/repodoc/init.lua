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
-- pyproject.toml, setup.py or .git; for a file outside any, the cwd when the file is below
-- it, else the file's folder. The server's LSP config is ../../lsp/repodoc.lua, which also
-- serves vim.lsp.enable("repodoc") without setup().
--
-- This module is the public API and setup(); the work is done by config.lua (options),
-- server.lua (starting the server), client.lua (the client of a buffer), pages.lua (page buffers and their links),
-- quickfix.lua (search and references), export.lua (commands and progress) and status.lua
-- (statusline).

local links = require("repodoc.links")
local client = require("repodoc.client")
local config = require("repodoc.config")
local pages = require("repodoc.pages")
local quickfix = require("repodoc.quickfix")
local export = require("repodoc.export")
local status = require("repodoc.status")
local server = require("repodoc.server")

local M = {}

M.defaults = config.defaults
M.resolve_config = config.resolve
M.output_path = config.output_path
M.uses_lsp_config = config.uses_lsp_config
M.client_for = client.client_for
M.doc = pages.doc
M.keywords = pages.keywords
M.folder = pages.folder
M.follow_link = pages.follow_link
M.search = quickfix.search
M.refs = quickfix.refs
M.export = export.export
M.reindex = export.reindex
M.refresh_status = status.refresh
M.status = status.line
M.cached_status = status.cached

-- State the modules own, still read (and set) as fields of this module: `config` (the
-- effective configuration, nil before setup()) and `last_export` (the last export's answer).
local FORWARDED = {
  config = { config, "current" },
  last_export = { export, "last_result" },
}

setmetatable(M, {
  __index = function(_, key)
    local owner = FORWARDED[key]
    if owner then
      return owner[1][owner[2]]
    end
  end,
  __newindex = function(t, key, value)
    local owner = FORWARDED[key]
    if owner then
      owner[1][owner[2]] = value
    else
      rawset(t, key, value)
    end
  end,
})

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

function M.setup(opts)
  local cfg = config.resolve(opts)
  config.current = cfg
  client.start_failure = nil
  local group = vim.api.nvim_create_augroup("repodoc", { clear = true })

  for _, spec in ipairs(COMMANDS) do
    vim.api.nvim_create_user_command(spec[1], spec[2], spec[3])
  end

  local handlers = nil
  if client.has("0.10") then
    vim.api.nvim_create_autocmd("LspProgress", {
      group = group,
      callback = function(ev)
        local data = ev.data or {}
        local params = data.params or {}
        export.on_progress(data.client_id, params.token, params.value)
      end,
    })
  else
    handlers = { ["$/progress"] = export.progress_handler() }
  end
  vim.api.nvim_create_autocmd("LspAttach", {
    group = group,
    callback = function(ev)
      local attached = vim.lsp.get_client_by_id(ev.data and ev.data.client_id or -1)
      if attached and attached.name == client.NAME then
        client.start_failure = nil
        M.refresh_status(attached)
      end
    end,
  })

  server.register(cfg, group, handlers)
end

return M
