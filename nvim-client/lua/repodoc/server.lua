-- How setup() starts the server: the LSP config of lsp/repodoc.lua under setup()'s options,
-- registered with vim.lsp.config() and vim.lsp.enable() on Neovim 0.11+, started by a
-- FileType autocmd with vim.lsp.start() before (or with use_lsp_config = false).

local client = require("repodoc.client")
local config = require("repodoc.config")

local M = {}

--- The server's LSP config from the effective options `cfg` (`handlers`: for Neovim 0.9).
function M.definition(cfg, handlers)
  return {
    cmd = cfg.cmd,
    -- Never the workspace (see lsp/repodoc.lua): the user's own cmd_cwd, else the plugin's folder.
    cmd_cwd = cfg.cmd_cwd or config.lsp.cmd_cwd,
    filetypes = cfg.filetypes,
    root_markers = cfg.root_markers,
    init_options = config.init_options(cfg),
    settings = { repodoc = config.server_settings(cfg) },
    handlers = handlers,
    on_exit = config.lsp.on_exit,
  }
end

--- Calls on_dir(root) with the root of the buffer's workspace: `cfg.root_dir` when given (a
--- folder, or a function of the buffer), else lsp/repodoc.lua's (the markers, else the
--- single-file root).
local function find_root(cfg, bufnr, on_dir)
  local root
  if type(cfg.root_dir) == "function" then
    root = cfg.root_dir(bufnr)
  elseif cfg.root_dir then
    root = cfg.root_dir
  else
    return config.lsp.root_dir(bufnr, on_dir, cfg.root_markers)
  end
  if root then
    on_dir(root)
  end
end

local function matches(cfg, bufnr)
  return vim.api.nvim_buf_is_loaded(bufnr) and vim.tbl_contains(cfg.filetypes, vim.bo[bufnr].filetype)
end

--- On the first buffer of the server's filetypes (now, or when one opens): a missing
--- executable, which vim.lsp.enable() only writes to the log, said where the user looks.
local function check_executable(cfg, group)
  local exe = type(cfg.cmd) == "table" and cfg.cmd[1]
  if not exe then
    return
  end
  local function check()
    if vim.fn.executable(exe) == 0 then
      client.start_failure = "repodoc: cannot start the server: " .. exe .. " is not executable (not found on "
        .. "PATH); set cmd to the Python that has repodoc_ls, e.g. cmd = { \"/path/to/venv/bin/python\", \"-m\", "
        .. "\"repodoc_ls\", \"serve\" }"
      -- Scheduled: an error message inside the FileType autocmd would abort the :edit.
      local message = client.start_failure
      vim.schedule(function()
        client.notify(message, vim.log.levels.ERROR)
      end)
    end
  end
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if matches(cfg, bufnr) then
      return check()
    end
  end
  vim.api.nvim_create_autocmd("FileType", { group = group, pattern = cfg.filetypes, once = true, callback = check })
end

--- Register (0.11+) or autostart (0.9, 0.10) the server for the options `cfg`.
function M.register(cfg, group, handlers)
  local server = M.definition(cfg, handlers)
  check_executable(cfg, group)
  if config.uses_lsp_config() then
    server.workspace_required = true
    -- A user's root_dir function has 0.11's form here: function(bufnr, on_dir).
    server.root_dir = cfg.root_dir or function(bufnr, on_dir)
      config.lsp.root_dir(bufnr, on_dir, cfg.root_markers)
    end
    vim.lsp.config(client.NAME, server)
    vim.lsp.enable(client.NAME)
    return
  end

  local function start(bufnr)
    if vim.bo[bufnr].buftype ~= "" then
      return
    end
    find_root(cfg, bufnr, function(root)
      local start_config = vim.tbl_extend("force", server, { name = client.NAME, root_dir = root })
      start_config.filetypes = nil
      start_config.root_markers = nil
      vim.lsp.start(start_config, { bufnr = bufnr })
    end)
  end
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = cfg.filetypes,
    callback = function(ev)
      start(ev.buf)
    end,
  })
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if matches(cfg, bufnr) then
      start(bufnr)
    end
  end
end

return M
