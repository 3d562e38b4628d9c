-- Unit tests of lua/repodoc/links.lua: nvim --headless --clean -l nvim-client/tests/links_test.lua
-- Exits non-zero with the failures listed when one fails; prints "links: N passed" otherwise.

local script = debug.getinfo(1, "S").source:sub(2)
vim.opt.runtimepath:prepend(vim.fn.fnamemodify(script, ":p:h:h"))
local links = require("repodoc.links")

local failures, passed = {}, 0

local function eq(name, got, want)
  if vim.deep_equal(got, want) then
    passed = passed + 1
  else
    failures[#failures + 1] = string.format("%s:\n  got  %s\n  want %s", name, vim.inspect(got), vim.inspect(want))
  end
end

local page = { root = "/ws", output = "/ws/docs/repodoc", page = "shop/cart.py_docs.md" }
local function resolve(target, p)
  return links.resolve(p or page, target)
end

-- Links of a line, and the one under the cursor.
local line = "- [shop/\\_\\_init\\_\\_.py](__init__.py_docs.md): imports · [`list[int]`](#x) and [a](b.md)"
local found = links.links(line)
eq("three links", vim.tbl_map(function(l) return l.target end, found), { "__init__.py_docs.md", "#x", "b.md" })
eq("escaped brackets are text", line:sub(found[1].start, found[1].start), "[")
eq("link under the cursor", links.link_at(line, found[2].start + 3).target, "#x")
eq("else the next link", links.link_at(line, 1).target, "__init__.py_docs.md")
eq("none after the last", links.link_at(line, #line + 1), nil)
eq("angle brackets and title", links.links('[x](<a b.md> "title")')[1].target, "a b.md")

-- Pages: any path in the output folder, by its path there (the server knows which are pages).
eq("file page", resolve("pricing.py_docs.md#price_of"),
  { type = "page", page = "shop/pricing.py_docs.md", path = "/ws/docs/repodoc/shop/pricing.py_docs.md",
    fragment = "price_of" })
eq("keyword page", resolve("../src/gadgets/widget.py_kw.md"),
  { type = "page", page = "src/gadgets/widget.py_kw.md", path = "/ws/docs/repodoc/src/gadgets/widget.py_kw.md" })
eq("percent-encoded page", resolve("../odd%20names/caf%C3%A9%20menu.py_docs.md").page, "odd names/café menu.py_docs.md")
eq("folder index", resolve("index.md").page, "shop/index.md")
eq("root doc", resolve("../doc.md").page, "doc.md")
eq("a letter page", resolve("util/sub-_-12.md#x"),
  { type = "page", page = "shop/util/sub-_-12.md", path = "/ws/docs/repodoc/shop/util/sub-_-12.md", fragment = "x" })
eq("another file of the output folder", resolve("../notes.md").page, "notes.md")
eq("the output folder itself is no page", resolve("../").type, "file")
eq("an output folder given with a slash", resolve("index.md", { root = "/ws", output = "/ws/out/", page = "a/b.md" }).page,
  "a/index.md")

-- Sources, anchors, URLs.
eq("source line", resolve("../../../shop/cart.py#L12"),
  { type = "file", path = "/ws/shop/cart.py", line = 12, fragment = "L12" })
eq("source without line", resolve("../../../README.md"), { type = "file", path = "/ws/README.md" })
eq("same page anchor", resolve("#Cart.add"), { type = "anchor", fragment = "Cart.add" })
eq("file URI", resolve("file:///ws/shop/cart.py#L19").line, 19)
eq("web link", resolve("https://example.org/x#y"), { type = "url", url = "https://example.org/x#y" })

-- An output folder outside the workspace.
local out = { root = "/ws", output = "/tmp/docs", page = "shop/cart.py_docs.md" }
eq("source from an outside output", resolve("../../../ws/shop/cart.py#L3", out).path, "/ws/shop/cart.py")
eq("page of an outside output", resolve("../index.md", out).page, "index.md")
eq("anchor line", links.anchor_line({ "x", '- <a id="Cart.add"></a>`def add`' }, "Cart.add"), 2)
eq("missing anchor", links.anchor_line({ "x" }, "nope"), nil)
eq("normalize", links.normalize("/a/./b/../../c//d/.."), "/c")

if #failures > 0 then
  io.stderr:write(table.concat(failures, "\n") .. "\n")
  vim.cmd("cquit 1")
end
io.stdout:write(string.format("links: %d passed\n", passed))
