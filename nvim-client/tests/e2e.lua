-- End-to-end driver for tests/test_nvim_client.py:
--
--   REPODOC_WS=<workspace> REPODOC_CMD='["python","-m","repodoc_ls","serve"]' \
--   REPODOC_RESULT=<out.json> nvim --headless --clean -u nvim-client/tests/e2e.lua
--
-- Opens shop/cart.py of the fixture workspace, waits for the server, then runs hover and
-- every command, recording what it sees in a JSON file (rewritten after each step, so a
-- timeout still leaves the steps done so far). Quits when done.
--
-- REPODOC_SCENARIO=sub_letters: a workspace whose big/names.py has so many symbols that
-- the symbols pages (sub.md) are split into letter pages; opens big/names.py, then follows
-- the links of big/sub.md to its letter pages and from them.

local script = debug.getinfo(1, "S").source:sub(2)
local plugin_dir = vim.fn.fnamemodify(script, ":p:h:h")
vim.opt.runtimepath:prepend(plugin_dir)
vim.opt.swapfile = false
vim.opt.shadafile = "NONE"

local H = dofile(vim.fn.fnamemodify(script, ":p:h") .. "/harness.lua")
local R, step, wait, buf_lines = H.R, H.step, H.wait, H.buf_lines
local qf_snapshot, reset_qf, hover_text = H.qf_snapshot, H.reset_qf, H.hover_text

local ws = H.env("REPODOC_WS")
local cmd = vim.json.decode(H.env("REPODOC_CMD"))
local scenario = os.getenv("REPODOC_SCENARIO") or "fixture"
R.scenario = scenario

-- Put the cursor on the link whose target contains `needle` and press gf.
local function follow(needle)
  for i, line in ipairs(buf_lines(0)) do
    local s = line:find("](" .. needle, 1, true)
    if s then
      vim.api.nvim_win_set_cursor(0, { i, s })
      vim.cmd("normal gf")
      return i, line
    end
  end
  error("no link to " .. needle .. " on " .. vim.api.nvim_buf_get_name(0))
end

local repodoc = require("repodoc")

-- setup(), open `file` and wait for the server to attach and be ready: the buffer, its
-- window and the client (nil when it did not attach).
local function start(file)
  local src, src_win, client

  step("setup", function()
    -- REPODOC_USE_LSP_CONFIG=0: the FileType autocmd + vim.lsp.start() path of Neovim 0.9/0.10.
    repodoc.setup({ cmd = cmd, open = "vsplit", use_lsp_config = os.getenv("REPODOC_USE_LSP_CONFIG") ~= "0" })
    R.uses_lsp_config = repodoc.uses_lsp_config()
    R.commands = vim.tbl_keys(vim.api.nvim_get_commands({}))
  end)

  step("attach", function()
    vim.cmd("edit " .. vim.fn.fnameescape(ws .. "/" .. file))
    src, src_win = vim.api.nvim_get_current_buf(), vim.api.nvim_get_current_win()
    R.filetype = vim.bo[src].filetype
    client = H.wait_attached(src)
    R.attached = true
    R.root_dir = client.root_dir or client.config.root_dir
  end)
  if not client then
    return nil
  end

  step("ready", function()
    R.status = H.wait_ready(client)
    wait("the statusline to show the file count", function()
      R.statusline = repodoc.status()
      return R.statusline:match("files") ~= nil
    end, 5000)
  end)
  return src, src_win, client
end

local function back_to(buf)
  vim.cmd("buffer " .. buf)
end

local function cursor_line()
  return vim.api.nvim_get_current_line()
end

local function page_snapshot(n)
  return { name = vim.api.nvim_buf_get_name(0), lines = buf_lines(0, n), cursor = vim.api.nvim_win_get_cursor(0)[1],
    line = cursor_line(), filetype = vim.bo.filetype, modifiable = vim.bo.modifiable }
end

local function main()
  local src, src_win, client = start("shop/cart.py")
  if not client then
    return
  end

  step("hover", function()
    R.hover_cart = hover_text(src, 18, 6) -- `class Cart` (line 19)
    local lines = buf_lines(src)
    for i, line in ipairs(lines) do
      local s = line:find("price_of%(l%.item")
      if s then
        R.hover_price_of = hover_text(src, i - 1, s) -- the use of price_of in Cart.total
        break
      end
    end
  end)

  step("refs", function()
    vim.api.nvim_set_current_win(src_win)
    vim.api.nvim_win_set_cursor(src_win, { 19, 6 })
    reset_qf()
    vim.cmd("RepodocRefs")
    wait("the references in the quickfix list", function()
      return vim.fn.getqflist({ title = 1 }).title:match("^repodoc references") ~= nil
    end)
    R.refs = qf_snapshot()
    R.refs_qf_open = vim.bo.buftype == "quickfix"
  end)

  step("search", function()
    vim.api.nvim_set_current_win(src_win)
    reset_qf()
    vim.cmd("RepodocSearch price_of")
    wait("the search results in the quickfix list", function()
      return vim.fn.getqflist({ title = 1 }).title:match("^repodoc search") ~= nil
    end)
    R.search = qf_snapshot()
    vim.cmd("cclose")
  end)

  step("doc", function()
    vim.api.nvim_set_current_win(src_win)
    vim.cmd("RepodocDoc")
    wait("the file page", function()
      return vim.api.nvim_buf_get_name(0) == "repodoc://shop/cart.py_docs.md"
    end)
    R.doc = { name = vim.api.nvim_buf_get_name(0), lines = buf_lines(0, 3), filetype = vim.bo.filetype,
      buftype = vim.bo.buftype, modifiable = vim.bo.modifiable, windows = #vim.api.nvim_tabpage_list_wins(0) }
  end)

  step("follow_anchor", function()
    local docbuf = vim.api.nvim_get_current_buf()
    follow("#Cart)") -- same page: [`Cart`](#Cart) in "Used by"
    R.same_page = { name = vim.api.nvim_buf_get_name(0), line = cursor_line() }
    follow("util/helpers.py_docs.md#SpecialCart")
    wait("the linked page at its anchor", function()
      return vim.api.nvim_buf_get_name(0) == "repodoc://shop/util/helpers.py_docs.md"
    end)
    R.other_page_anchor = { name = vim.api.nvim_buf_get_name(0), line = cursor_line() }
    back_to(docbuf)
    follow("../odd%20names/caf%C3%A9%20menu.py_docs.md")
    wait("the page of a file with a space and an accent in its name", function()
      return vim.api.nvim_buf_get_name(0) == "repodoc://odd names/café menu.py_docs.md"
    end)
    R.odd_page = { name = vim.api.nvim_buf_get_name(0), lines = buf_lines(0, 1) }
    back_to(docbuf)
  end)

  step("follow_page", function()
    follow("pricing.py_docs.md")
    wait("the linked page", function()
      return vim.api.nvim_buf_get_name(0) == "repodoc://shop/pricing.py_docs.md"
    end)
    R.follow_page = { name = vim.api.nvim_buf_get_name(0), lines = buf_lines(0, 1) }
  end)

  step("follow_source", function()
    local _, line = follow("../../../shop/pricing.py#L")
    local expected = tonumber(line:match("%]%(%.%./%.%./%.%./shop/pricing%.py#L(%d+)%)"))
    wait("the source file", function()
      return vim.api.nvim_buf_get_name(0):match("/shop/pricing%.py$") ~= nil
    end)
    R.follow_source = { name = vim.api.nvim_buf_get_name(0), line = vim.api.nvim_win_get_cursor(0)[1], expected = expected }
  end)

  step("keywords", function()
    vim.api.nvim_set_current_win(src_win)
    vim.cmd("buffer " .. src)
    vim.cmd("RepodocKeywords")
    wait("the keyword page", function()
      return vim.api.nvim_buf_get_name(0) == "repodoc://shop/cart.py_kw.md"
    end)
    R.keywords = { name = vim.api.nvim_buf_get_name(0), lines = buf_lines(0, 1) }
  end)

  step("folder", function()
    vim.cmd("RepodocFolder doc") -- from the keyword page: the folder of its file
    wait("the folder page", function()
      return vim.api.nvim_buf_get_name(0) == "repodoc://shop/doc.md"
    end)
    R.folder = { name = vim.api.nvim_buf_get_name(0), lines = buf_lines(0, 1) }
    follow("index.md")
    wait("a folder index page", function()
      return vim.api.nvim_buf_get_name(0):match("index%.md$") ~= nil
    end)
    R.folder_index = { name = vim.api.nvim_buf_get_name(0), lines = buf_lines(0, 1) }
  end)

  step("export", function()
    vim.api.nvim_set_current_win(src_win)
    vim.cmd("buffer " .. src)
    vim.cmd("RepodocExport")
    wait("the export to finish", function()
      for _, n in ipairs(R.notifications) do
        if n.message:match("^repodoc: exported") or n.level == vim.log.levels.ERROR then
          return true
        end
      end
      return false
    end, 60000)
    R.export = repodoc.last_export
  end)

  step("checkhealth", function()
    vim.cmd("checkhealth repodoc")
    wait("the health report", function()
      local text = table.concat(buf_lines(0), "\n")
      return text:match("workspace indexed") ~= nil or text:match("ERROR") ~= nil
    end)
    R.health = buf_lines(0)
    R.output_path = repodoc.output_path(ws) -- the server's answer, as :checkhealth shows it
  end)
end

-- The pages of a split symbols page (sub-<letter>.md, sub-<letter>-<n>.md), never exported.
local function main_sub_letters()
  local src, src_win, client = start("big/names.py")
  if not client then
    return
  end

  step("sub", function()
    vim.api.nvim_set_current_win(src_win)
    vim.cmd("RepodocFolder sub")
    wait("the folder's symbols page", function()
      return vim.api.nvim_buf_get_name(0) == "repodoc://big/sub.md"
    end)
    R.sub = page_snapshot()
  end)

  local sub = vim.api.nvim_get_current_buf()

  step("follow_letter_part", function()
    follow("sub-a-2.md")
    wait("the second part of letter a", function()
      return vim.api.nvim_buf_get_name(0) == "repodoc://big/sub-a-2.md"
    end)
    R.letter_part = page_snapshot()
    R.letter_part_page = vim.b.repodoc_page
  end)

  step("follow_previous_part", function()
    follow("sub-a.md") -- [previous part](sub-a.md)
    wait("the first part of letter a", function()
      return vim.api.nvim_buf_get_name(0) == "repodoc://big/sub-a.md"
    end)
    R.letter = page_snapshot(1)
  end)

  step("follow_from_letter_page", function()
    back_to(vim.fn.bufnr("repodoc://big/sub-a-2.md"))
    -- A link of the letter page, relative to its own place (big/), to another page's anchor.
    follow("names.py_docs.md#alpha_function_with_a_long_name_02999")
    wait("the file page at the symbol's anchor", function()
      return vim.api.nvim_buf_get_name(0) == "repodoc://big/names.py_docs.md"
    end)
    R.from_letter = page_snapshot(1)
    back_to(vim.fn.bufnr("repodoc://big/sub-a-2.md"))
    follow("sub.md") -- [all letters](sub.md)
    wait("back to all letters", function()
      return vim.api.nvim_buf_get_name(0) == "repodoc://big/sub.md"
    end)
    R.all_letters = { name = vim.api.nvim_buf_get_name(0), buf = vim.api.nvim_get_current_buf(), sub = sub }
  end)

  step("follow_root_letter", function()
    follow("../index.md") -- [root: ...](../index.md)
    wait("the root index", function()
      return vim.api.nvim_buf_get_name(0) == "repodoc://index.md"
    end)
    vim.cmd("RepodocFolder sub")
    wait("the root symbols page", function()
      return vim.api.nvim_buf_get_name(0) == "repodoc://sub.md"
    end)
    follow("sub-b.md")
    wait("the root's letter b", function()
      return vim.api.nvim_buf_get_name(0) == "repodoc://sub-b.md"
    end)
    R.root_letter = page_snapshot(1)
  end)

  step("missing_letter", function()
    -- A link to a letter page the folder does not have: the server's InvalidParams, notified.
    vim.bo.modifiable = true
    vim.api.nvim_buf_set_lines(0, 0, 0, false, { "[c](big/sub-c.md)" })
    vim.bo.modifiable = false
    local before = #R.notifications
    vim.api.nvim_win_set_cursor(0, { 1, 1 })
    vim.cmd("normal gf")
    local ok = vim.wait(H.STEP_MS, function()
      return #R.notifications > before
    end, 50)
    R.missing_letter = { notified = ok, notifications = vim.list_slice(R.notifications, before + 1),
      name = vim.api.nvim_buf_get_name(0) }
  end)
end

H.run(scenario == "sub_letters" and main_sub_letters or main)
