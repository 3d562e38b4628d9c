-- The plugin's options: defaults, setup() options over them, the server settings they make
-- and the output folder they name. Read as require("repodoc").config and .defaults too.

local links = require("repodoc.links")

local M = {}

local DEFAULT_OUTPUT_DIR = "docs/repodoc"

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
  local cfg = M.current or M.resolve({})
  local dir = cfg.output_dir
  local settings = cfg.settings or {}
  dir = dir or settings.outputDir or settings.output_dir or settings["output-dir"]
  dir = dir or pyproject_output_dir(root) or DEFAULT_OUTPUT_DIR
  if dir:sub(1, 1) == "~" then
    dir = vim.fn.expand(dir)
  end
  return links.output_path(root, dir)
end

return M
