-- orbit.template: the page templates of web:page(name, env) and web:page_inline(src, env).
--
-- Orbit's own pages use Cosmo, which needs lpeg; Apogee has neither, so templates use a small
-- syntax of their own, compiled to a Lua function:
--
--   $name  $post.title        the value (raw), nothing when nil; "$$" is a "$"
--   <%= expr %>               the value of a Lua expression, HTML-escaped
--   <%- expr %>               the value of a Lua expression, raw
--   <% statements %>          Lua code: <% for _, p in ipairs(posts) do %> ... <% end %>
--
-- Names resolve in the env table given, then web, app (the env's or the web's app), h (HTML escape),
-- include(name[, env]) (another template, relative to the same folder), link/static_link (web's),
-- then the globals. Compiled templates are cached per Lua state; a changed file is compiled again.

local type, tostring, setmetatable, error, load, rawget = type, tostring, setmetatable, error, load, rawget
local concat, format, gsub, find, sub, match = table.concat, string.format, string.gsub, string.find, string.sub, string.match

local _M = {}
local cache = {}

local escapes = { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;", ["'"] = "&#39;" }

function _M.escape(s)
  if s == nil then return "" end
  return (gsub(tostring(s), "[&<>\"']", escapes))
end

-- text outside <% %>: $name and $a.b substitutions
local function text_code(text, code)
  local pos = 1
  while true do
    local s, e, path = find(text, "%$([%a_][%w_]*[%w_%.]*)", pos)
    local d = find(text, "$$", pos, true)
    if d and (not s or d < s) then
      code[#code + 1] = format("__put(%q)", sub(text, pos, d))
      pos = d + 2
    elseif s then
      path = gsub(path, "%.+$", "")
      local stop = s + #path
      if pos < s then code[#code + 1] = format("__put(%q)", sub(text, pos, s - 1)) end
      code[#code + 1] = "__put(" .. path .. ")"
      pos = stop + 1
    else
      if pos <= #text then code[#code + 1] = format("__put(%q)", sub(text, pos)) end
      return
    end
  end
end

-- compile(src, chunkname) -> template (a table with a render function)
function _M.compile(src, name)
  src = gsub(gsub(src, "^\239\187\191", ""), "^#![^\n]*\n", "")
  local code, pos = { "local _ENV, __put, __esc = ...;" }, 1
  while true do
    local s, e, mark, body = find(src, "<%%([=%-]?)(.-)%%>", pos)
    if not s then
      text_code(sub(src, pos), code)
      break
    end
    if pos < s then text_code(sub(src, pos, s - 1), code) end
    if mark == "=" then
      code[#code + 1] = "__put(__esc(" .. body .. "));"
    elseif mark == "-" then
      code[#code + 1] = "__put(" .. body .. ");"
    else
      code[#code + 1] = body .. "\n"
    end
    pos = e + 1
  end
  local fn, err = load(concat(code, " "), name or "=template", "t", {})
  if not fn then error("template " .. tostring(name) .. ": " .. err, 2) end
  return { render = fn, name = name }
end

-- load(filename) -> template, or nil when the file does not exist. The file is read each time and
-- compiled again only when its text changed, so edits show at once.
function _M.load(filename)
  local f = io.open(filename, "rb")
  if not f then return nil end
  local src = f:read("*a")
  f:close()
  local t = cache[filename]
  if t and t.source == src then return t end
  t = _M.compile(src, "@" .. filename)
  t.source = src
  t.dir = match(filename, "^(.*)/") or "."
  cache[filename] = t
  return t
end

-- fill(template, env, web) -> string
function _M.fill(template, env, web)
  env = env or {}
  local out = {}
  local function put(v)
    if v ~= nil then out[#out + 1] = tostring(v) end
  end
  local helpers = {
    web = web,
    h = _M.escape,
    include = function(name, sub_env)
      local t = _M.load((template.dir or (web and web.real_path) or ".") .. "/" .. name)
      if not t then error("template not found: " .. name, 2) end
      return _M.fill(t, sub_env or env, web)
    end,
  }
  if web then
    helpers.link = function(...) return web:link(...) end
    helpers.static_link = function(...) return web:static_link(...) end
  end
  local scope = setmetatable({}, { __index = function(_, k)
    local v = env[k]
    if v ~= nil then return v end
    v = helpers[k]
    if v ~= nil then return v end
    return _G[k]
  end, __newindex = env })
  template.render(scope, put, _M.escape)
  return concat(out)
end

return _M
