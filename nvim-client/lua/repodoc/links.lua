-- Links in repodoc pages: finding the one under the cursor and working out what it points to.
--
-- Pages live (or would live, once exported) under the output folder, which mirrors the
-- source tree: `shop/cart.py` has `shop/cart.py_docs.md` and `shop/cart.py_kw.md`, every
-- folder has `index.md`, `doc.md` and `sub.md`; a `sub.md` too large for one page is split
-- into `sub-<letter>.md` (a-z or _), and a letter still too large into `sub-<letter>-<n>.md`
-- (n >= 2) parts. Links are relative to the page's place in the output folder and
-- percent-encoded; links to source files leave the output folder
-- (`../../../shop/cart.py#L12`). Pure functions, no editor state: easy to test.

local M = {}

local FOLDER_KINDS = { index = true, doc = true, sub = true }
M.FOLDER_KINDS = { "index", "doc", "sub" }

--- Percent-decoding of a link target.
function M.unquote(s)
  return (s:gsub("%%(%x%x)", function(hex)
    return string.char(tonumber(hex, 16))
  end))
end

--- Normalize an absolute posix path: resolve "." and ".." and repeated slashes.
function M.normalize(path)
  local parts = {}
  for part in path:gmatch("[^/]+") do
    if part == ".." then
      if #parts > 0 then
        table.remove(parts)
      end
    elseif part ~= "." then
      parts[#parts + 1] = part
    end
  end
  return "/" .. table.concat(parts, "/")
end

local function dirname(rel)
  return rel:match("^(.*)/[^/]*$") or ""
end

local function join(a, b)
  if a == "" then
    return b
  end
  if b == "" then
    return a
  end
  return a .. "/" .. b
end

--- The absolute output folder of a workspace root.
function M.output_path(root, output_dir)
  output_dir = output_dir or "docs/repodoc"
  if output_dir:sub(1, 1) == "/" then
    return M.normalize(output_dir)
  end
  return M.normalize(join(root, output_dir))
end

--- Every Markdown link of a line: {start, finish (1-based byte columns), target}.
function M.links(line)
  local out = {}
  local init = 1
  while true do
    local open = line:find("](", init, true)
    if not open then
      break
    end
    local close = line:find(")", open + 2, true)
    if not close then
      break
    end
    -- The "[" starting the link text: scan back, skipping escaped and balanced brackets.
    local depth, start = 0, nil
    for i = open - 1, 1, -1 do
      local ch = line:sub(i, i)
      local escaped = i > 1 and line:sub(i - 1, i - 1) == "\\"
      if not escaped then
        if ch == "]" then
          depth = depth + 1
        elseif ch == "[" then
          if depth == 0 then
            start = i
            break
          end
          depth = depth - 1
        end
      end
    end
    if start then
      local target = line:sub(open + 2, close - 1)
      if target:sub(1, 1) == "<" then
        target = target:match("^<([^>]*)>") or target -- <a target with spaces>
      else
        target = target:match("^(%S+)%s+[\"'(]") or target -- drop a link title
      end
      out[#out + 1] = { start = start, finish = close, target = target }
    end
    init = close + 1
  end
  return out
end

--- The link under (or else the first after) byte column `col` (1-based), or nil.
function M.link_at(line, col)
  local after
  for _, link in ipairs(M.links(line)) do
    if link.start <= col and col <= link.finish then
      return link
    end
    if not after and link.start > col then
      after = link
    end
  end
  return after
end

--- The letter of a split symbols page's file name, as repodoc/folderDoc names it: "t" for
--- `sub-t.md`, "t-2" for `sub-t-2.md` (a part number of 2 or more); nil for any other name.
function M.sub_letter(name)
  local letter = name:match("^sub%-([a-z_])%.md$")
  if letter then
    return letter
  end
  local part
  letter, part = name:match("^sub%-([a-z_])%-([1-9]%d*)%.md$")
  if letter and tonumber(part) >= 2 then
    return letter .. "-" .. part
  end
  return nil
end

--- What a link target of a page points to.
--- `page` = {root = workspace root, output = absolute output folder, page = page path
--- relative to the output folder}. Returns one of:
---   {type = "anchor", fragment}                         same page
---   {type = "page", kind = "docs"|"kw", path = abs source file, rel, fragment}
---   {type = "page", kind = "index"|"doc"|"sub", path = abs folder, rel, fragment}
---   {type = "page", kind = "sub", letter = "t"|"t-2", path = abs folder, rel, fragment}
---                                                     a page of a split sub.md
---   {type = "file", path = abs, line?, fragment}        a source file (or any other file)
---   {type = "url", url}                                 http(s), mailto, ...
function M.resolve(page, target)
  local path, fragment = target:match("^([^#]*)#(.*)$")
  if not path then
    path, fragment = target, nil
  end
  fragment = fragment and M.unquote(fragment) or nil
  if fragment == "" then
    fragment = nil
  end
  if path == "" then
    return { type = "anchor", fragment = fragment }
  end
  local scheme = path:match("^(%a[%w+.-]*):")
  if scheme and #scheme > 1 then
    if scheme == "file" then
      local abs = vim.uri_to_fname(path)
      return { type = "file", path = abs, line = fragment and tonumber(fragment:match("^L(%d+)")), fragment = fragment }
    end
    return { type = "url", url = target }
  end
  path = M.unquote(path)
  local abs
  if path:sub(1, 1) == "/" then
    abs = M.normalize(path)
  else
    abs = M.normalize(join(join(page.output, dirname(page.page)), path))
  end
  local output = page.output
  if abs:sub(1, #output + 1) == output .. "/" then
    local rel = abs:sub(#output + 2)
    local src = rel:match("^(.+)_docs%.md$")
    if src then
      return { type = "page", kind = "docs", rel = src, path = M.normalize(join(page.root, src)), fragment = fragment }
    end
    src = rel:match("^(.+)_kw%.md$")
    if src then
      return { type = "page", kind = "kw", rel = src, path = M.normalize(join(page.root, src)), fragment = fragment }
    end
    local base = rel:match("([^/]+)%.md$")
    if base and FOLDER_KINDS[base] and rel:match("[^/]+$") == base .. ".md" then
      local folder = dirname(rel)
      return { type = "page", kind = base, rel = folder, path = M.normalize(join(page.root, folder)), fragment = fragment }
    end
    local letter = M.sub_letter(rel:match("[^/]+$"))
    if letter then
      local folder = dirname(rel)
      return { type = "page", kind = "sub", letter = letter, rel = folder, path = M.normalize(join(page.root, folder)),
        fragment = fragment }
    end
    -- Another file of the output folder, with no request of its own: the exported file.
    return { type = "file", path = abs, fragment = fragment, exported = true }
  end
  return { type = "file", path = abs, line = fragment and tonumber(fragment:match("^L(%d+)")), fragment = fragment }
end

--- The page path (relative to the output folder) of a file or folder page; `letter` ("t",
--- "t-2") with kind "sub" names a page of a split symbols page (`rel/sub-t-2.md`).
function M.page_name(kind, rel, letter)
  if kind == "sub" and letter then
    return join(rel, "sub-" .. letter .. ".md")
  elseif kind == "docs" then
    return rel .. "_docs.md"
  elseif kind == "kw" then
    return rel .. "_kw.md"
  end
  return join(rel, kind .. ".md")
end

--- The 1-based line of the anchor `id="fragment"` in `lines`, or nil.
function M.anchor_line(lines, fragment)
  if not fragment then
    return nil
  end
  local needle = 'id="' .. fragment .. '"'
  for i, line in ipairs(lines) do
    if line:find(needle, 1, true) then
      return i
    end
  end
  return nil
end

return M
