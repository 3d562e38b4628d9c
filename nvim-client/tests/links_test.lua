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

-- Pages.
eq("file page", resolve("pricing.py_docs.md#price_of"),
  { type = "page", kind = "docs", rel = "shop/pricing.py", path = "/ws/shop/pricing.py", fragment = "price_of" })
eq("keyword page", resolve("../src/gadgets/widget.py_kw.md"),
  { type = "page", kind = "kw", rel = "src/gadgets/widget.py", path = "/ws/src/gadgets/widget.py" })
eq("percent-encoded page", resolve("../odd%20names/caf%C3%A9%20menu.py_docs.md").rel, "odd names/café menu.py")
eq("folder index", resolve("index.md"), { type = "page", kind = "index", rel = "shop", path = "/ws/shop" })
eq("root doc", resolve("../doc.md"), { type = "page", kind = "doc", rel = "", path = "/ws" })
eq("sub page", resolve("util/sub.md#Cart").kind, "sub")
eq("split sub page: a letter page", resolve("../sub-c.md"),
  { type = "page", kind = "sub", letter = "c", rel = "", path = "/ws" })
eq("split sub page: a later part", resolve("util/sub-_-12.md#x"),
  { type = "page", kind = "sub", letter = "_-12", rel = "shop/util", path = "/ws/shop/util", fragment = "x" })
eq("split sub page: no part 1 or 02", { resolve("sub-a-1.md").type, resolve("sub-a-02.md").type }, { "file", "file" })
eq("not a letter page", { resolve("sub-ab.md").type, resolve("sub-A.md").type, resolve("sub-.md").type },
  { "file", "file", "file" })
eq("another exported file", resolve("../notes.md"), { type = "file", path = "/ws/docs/repodoc/notes.md", exported = true })
eq("a page named like a folder page", resolve("my_index.md").type, "file")

-- Sources, anchors, URLs.
eq("source line", resolve("../../../shop/cart.py#L12"),
  { type = "file", path = "/ws/shop/cart.py", line = 12, fragment = "L12" })
eq("source without line", resolve("../../../README.md"), { type = "file", path = "/ws/README.md" })
eq("same page anchor", resolve("#Cart.add"), { type = "anchor", fragment = "Cart.add" })
eq("file URI", resolve("file:///ws/shop/cart.py#L19").line, 19)
eq("web link", resolve("https://example.org/x#y"), { type = "url", url = "https://example.org/x#y" })

-- An absolute output folder elsewhere.
local out = links.output_path("/ws", "/tmp/docs/")
eq("absolute output", out, "/tmp/docs")
eq("source from an absolute output", resolve("../../../ws/shop/cart.py#L3",
  { root = "/ws", output = out, page = "shop/cart.py_docs.md" }).path, "/ws/shop/cart.py")
eq("relative output", links.output_path("/ws/", "./build//docs"), "/ws/build/docs")

eq("page names", { links.page_name("docs", "a/b.py"), links.page_name("kw", "b.py"), links.page_name("sub", ""),
  links.page_name("index", "a") }, { "a/b.py_docs.md", "b.py_kw.md", "sub.md", "a/index.md" })
eq("letter page names", { links.page_name("sub", "a/b", "t"), links.page_name("sub", "", "t-2"),
  links.page_name("index", "a", "t") }, { "a/b/sub-t.md", "sub-t-2.md", "a/index.md" })
eq("anchor line", links.anchor_line({ "x", '- <a id="Cart.add"></a>`def add`' }, "Cart.add"), 2)
eq("missing anchor", links.anchor_line({ "x" }, "nope"), nil)
eq("normalize", links.normalize("/a/./b/../../c//d/.."), "/c")

if #failures > 0 then
  io.stderr:write(table.concat(failures, "\n") .. "\n")
  vim.cmd("cquit 1")
end
io.stdout:write(string.format("links: %d passed\n", passed))
