-- The plugin's options: defaults, setup() options over them and the server settings they
-- make; the output folder the server resolved from them. Read as require("repodoc").config
-- and .defaults too.

local M = {}

local PLUGIN_DIR = vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h:h:h")

--- The LSP config this plugin ships for vim.lsp.enable() (nvim-client/lsp/repodoc.lua): the
--- defaults below, the root_dir function (markers, else a single file's folder) and the
--- on_exit that says why the server failed. Loaded from this plugin's folder, not from the
--- runtimepath, where a user's own lsp/repodoc.lua may come first.
M.lsp = dofile(PLUGIN_DIR .. "/lsp/repodoc.lua")

M.defaults = {
  cmd = vim.deepcopy(M.lsp.cmd),
  output_dir = nil, -- nil: the server's setting ([tool.repodoc] output_dir, else docs/repodoc)
  settings = {},
  features = nil, -- e.g. { definition = false }: standard features to turn off (beside another Python server)
  filetypes = vim.deepcopy(M.lsp.filetypes),
  root_markers = vim.deepcopy(M.lsp.root_markers), -- none found: the cwd or the file's folder
  open = "vsplit", -- how a page opens from a source buffer: vsplit, split, tab or edit
  notify_progress = true, -- vim.notify on $/progress begin and end (and every 25% of an export)
  search_limit = 100,
  use_lsp_config = true, -- Neovim 0.11+: vim.lsp.config/enable; false: a FileType autocmd + vim.lsp.start
  timeout_ms = 10000, -- for the few synchronous requests (:checkhealth)
}

--- The effective configuration (setup() options over the defaults); nil before setup().
M.current = nil

--- The effective configuration, or the defaults before setup().
function M.get()
  return M.current or M.defaults
end

function M.resolve(opts)
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

--- The server settings sent as initializationOptions and as the "repodoc" settings section.
function M.server_settings(cfg)
  local settings = vim.deepcopy(cfg.settings or {})
  if cfg.output_dir then
    settings.output_dir = nil
    settings.outputDir = cfg.output_dir
  end
  if cfg.features then
    settings.features = vim.tbl_extend("force", settings.features or {}, cfg.features)
  end
  if next(settings) == nil then
    return vim.empty_dict()
  end
  return settings
end

--- The initializationOptions: the server settings, and the link kinds this client opens
--- (file links; no VS Code `command:` links).
function M.init_options(cfg)
  local options = vim.tbl_extend("force", {}, M.server_settings(cfg))
  if options.linkKinds == nil then
    options.linkKinds = vim.deepcopy(M.lsp.init_options.linkKinds)
  end
  return options
end

--- Whether the server is registered with vim.lsp.config()/vim.lsp.enable() (Neovim 0.11+).
function M.uses_lsp_config()
  local cfg = M.get()
  return cfg.use_lsp_config ~= false and vim.fn.has("nvim-0.11") == 1 and vim.lsp.config ~= nil
    and vim.lsp.enable ~= nil
end

--- The output folder (absolute) of a root's doc set, as its server resolved it (the
--- settings, the workspace's `[tool.repodoc] output-dir`, the default), from repodoc/status
--- (asked synchronously, within `timeout_ms`); nil when no running server serves `root`.
function M.output_path(root)
  local client = require("repodoc.client")
  root = root:gsub("(.)/+$", "%1")
  for _, lsp_client in ipairs(client.running()) do
    local response = client.request_sync(lsp_client, "repodoc/status", vim.empty_dict(), M.get().timeout_ms or 10000)
    local status = response and response.result or {}
    for _, folder in ipairs(status.folders or {}) do
      if type(folder.outputDir) == "string" and vim.uri_to_fname(folder.uri) == root then
        return folder.outputDir
      end
    end
  end
  return nil
end

return M
