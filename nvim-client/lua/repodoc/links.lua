-- Links in repodoc pages: finding the one under the cursor and working out what it points to.
--
-- Pages live (or would live, once exported) in the output folder; the server gives each
-- page's path there and the folder itself (`page` and `outputDir` in every page result), so
-- the plugin knows nothing of the doc set's layout. Links are relative to the page's place
-- in the output folder and percent-encoded: a link that stays in the output folder is a page,
-- asked for by its path (repodoc/page); links to source files leave it
-- (`../../../shop/cart.py#L12`). Pure functions, no editor state: easy to test.

local M = {}

--- The kinds of folder page `:RepodocFolder` offers (repodoc/folderDoc's `kind`).
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

--- What a link target of a page points to.
--- `page` = {root = workspace root, output = absolute output folder, page = page path
--- relative to the output folder} (as the server gave them). Returns one of:
---   {type = "anchor", fragment}                         same page
---   {type = "page", page, path = abs, fragment}         a page, by its path in the output folder
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
  local output = M.normalize(page.output)
  if abs:sub(1, #output + 1) == output .. "/" then
    return { type = "page", page = abs:sub(#output + 2), path = abs, fragment = fragment }
  end
  return { type = "file", path = abs, line = fragment and tonumber(fragment:match("^L(%d+)")), fragment = fragment }
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
