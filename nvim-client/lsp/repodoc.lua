-- The repodoc language server as a Neovim 0.11 LSP config (`:help lsp-config`), the form
-- nvim-lspconfig ships its servers in. With this folder's parent on the runtimepath:
--
--   vim.lsp.config("repodoc", { cmd = { "/path/to/venv/bin/python", "-m", "repodoc_ls", "serve" } })
--   vim.lsp.enable("repodoc")
--
-- Self-contained, so it works without the rest of the plugin (which adds the :Repodoc*
-- commands); require("repodoc").setup() builds its server config on this file too (on Neovim
-- 0.9 and 0.10 as well, so nothing here needs 0.11).

local uv = vim.uv or vim.loop

local DEFAULT_MARKERS = { "pyproject.toml", "setup.py", ".git" }

-- The server's working folder: this file's own, never the workspace's. `python -m` puts
-- the working folder first on sys.path, so in a cloned repository its own `repodoc_ls/` or
-- `json.py` would run in place of the server's; this folder holds no Python module.
local SERVER_CWD = vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h")

local function has_marker_root(bufnr, markers)
  if vim.fs.root then
    return vim.fs.root(bufnr, markers)
  end
  local found = vim.fs.find(markers, { upward = true, path = vim.fs.dirname(vim.api.nvim_buf_get_name(bufnr)) })[1]
  return found and vim.fs.dirname(found) or nil
end

local function is_under(path, folder)
  return path == folder or path:sub(1, #folder + 1) == folder .. "/"
end

-- Indexing all of it would read every file the user has: never a root picked by default.
local function too_wide(folder)
  local home = uv.os_homedir()
  return folder == "/" or (home ~= nil and folder == vim.fs.normalize(home))
end

--- The root of a file outside any project (a folder of scripts): the cwd when the file lies
--- below it, else the file's own folder, as nvim-lspconfig roots single files; nil for the
--- home folder or /.
local function single_file_root(file)
  local folder = vim.fs.dirname(file)
  local cwd = vim.fs.normalize(vim.fn.getcwd())
  if is_under(folder, cwd) and not too_wide(cwd) then
    return cwd
  end
  if too_wide(folder) then
    return nil
  end
  return folder
end

--- Calls on_dir(root) with the nearest folder above the buffer's file holding one of the
--- root markers, else the single-file root; not at all for a buffer with no file.
--- `markers`: given by the plugin; else those of vim.lsp.config.repodoc (0.11), else the defaults.
local function root_dir(bufnr, on_dir, markers)
  if vim.bo[bufnr].buftype ~= "" then
    return
  end
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == "" or name:match("^%a[%w+.-]*://") then
    return
  end
  if not markers and type(vim.lsp.config) == "table" then
    local resolved = vim.lsp.config.repodoc
    markers = resolved and resolved.root_markers
  end
  local root = has_marker_root(bufnr, markers or DEFAULT_MARKERS)
    or single_file_root(vim.fs.normalize(vim.fn.fnamemodify(name, ":p")))
  if root then
    on_dir(root)
  end
end

--- `cmd` with `serve` (and what follows) replaced by `--version`: the same Python and module,
--- a command that answers at once.
local function version_cmd(cmd)
  local out = {}
  for i, arg in ipairs(cmd) do
    if arg == "serve" or (i > 1 and (arg == "--stdio" or arg == "--tcp")) then
      break
    end
    out[#out + 1] = arg
  end
  out[#out + 1] = "--version"
  return out
end

local function run(cmd, done)
  if vim.system then
    local ok, err = pcall(vim.system, cmd, { text = true, timeout = 30000, cwd = SERVER_CWD }, function(result)
      vim.schedule(function()
        done(result.code, (result.stderr or "") .. "\n" .. (result.stdout or ""))
      end)
    end)
    if not ok then
      done(-1, tostring(err))
    end
    return
  end
  local output = {}
  local function collect(_, data)
    vim.list_extend(output, data or {})
  end
  local job = vim.fn.jobstart(cmd, { cwd = SERVER_CWD, on_stdout = collect, on_stderr = collect, on_exit = function(_, code)
    done(code, table.concat(output, "\n"))
  end })
  if job <= 0 then
    done(-1, "cannot run " .. tostring(cmd[1]))
  end
end

local function last_line(text)
  local last
  for line in (text or ""):gmatch("[^\r\n]+") do
    if vim.trim(line) ~= "" then
      last = vim.trim(line)
    end
  end
  return last
end

local reported = {}

local function report(message)
  -- The plugin's commands repeat it instead of a guess at what is missing.
  local ok, client = pcall(require, "repodoc.client")
  if ok and type(client) == "table" then
    client.start_failure = message
  end
  if not reported[message] then
    reported[message] = true
    vim.notify(message, vim.log.levels.ERROR, { title = "repodoc" })
  end
end

--- After the server exited with an error: ask the same Python for the version, whose error
--- (a missing module, a broken install) is what really failed, and say it.
local function on_exit(code, _, client_id)
  if code == 0 then
    return -- stopped, or Neovim is quitting
  end
  local client = vim.lsp.get_client_by_id(client_id)
  local cmd = client and client.config and client.config.cmd
  if type(cmd) ~= "table" then
    return
  end
  local shown = table.concat(cmd, " ")
  local check = version_cmd(cmd)
  vim.schedule(function()
    run(check, function(check_code, output)
      if check_code == 0 then
        report(string.format("repodoc: %s exited with code %d; see :LspLog", shown, code))
        return
      end
      local python = vim.fs.basename(cmd[1]):match("^python") and cmd[1] or "python"
      -- Not "pip install repodoc-ls": the package is not on PyPI (and "repodoc" there is another tool).
      report(string.format("repodoc: %s failed: %s; set cmd to a Python that has repodoc_ls (%s -m pip "
        .. "install /path/to/repodoc), or run `pipx install /path/to/repodoc` and set cmd = { 'repodoc', 'serve' }",
        shown, last_line(output) or ("exit code " .. code), python))
    end)
  end)
end

return {
  cmd = { "python3", "-m", "repodoc_ls", "serve" },
  cmd_cwd = SERVER_CWD,
  filetypes = { "python" },
  root_markers = DEFAULT_MARKERS,
  root_dir = root_dir,
  -- The link kinds this client opens in a hover (none of VS Code's `command:` links).
  init_options = { linkKinds = { "file" } },
  on_exit = on_exit,
}
