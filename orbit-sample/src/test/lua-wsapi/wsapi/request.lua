-- Test stand-in for wsapi.request (see TestLuaPath): GET/POST forms, params, cookies.
local util = require "wsapi.util"
local M = {}
local methods = {}
methods.__index = methods

local function parse_qs(qs, t)
  t = t or {}
  for k, v in (qs or ""):gmatch("([^&=]+)=([^&=]*)&?") do
    k, v = util.url_decode(k), util.url_decode(v)
    local old = t[k]
    if old == nil then t[k] = v
    elseif type(old) == "table" then old[#old + 1] = v
    else t[k] = { old, v } end
  end
  return t
end

function M.new(env, options)
  local req = { env = env, method = env.REQUEST_METHOD, path_info = env.PATH_INFO,
    query_string = env.QUERY_STRING, script_name = env.SCRIPT_NAME, doc_root = env.DOCUMENT_ROOT,
    app_path = env.APP_PATH }
  req.GET = parse_qs(env.QUERY_STRING)
  local post = {}
  local ct = env.CONTENT_TYPE or ""
  local len = tonumber(env.CONTENT_LENGTH) or 0
  if ct:find("x-www-form-urlencoded", 1, true) then
    parse_qs(len > 0 and env.input:read(len) or "", post)
  else
    post.post_data = len > 0 and env.input:read(len) or ""
  end
  req.POST = post
  req.params = setmetatable({}, { __index = function(t, k)
    local v = req.GET[k]
    if v == nil then v = post[k] end
    rawset(t, k, v)
    return v
  end })
  req.cookies = setmetatable({}, { __index = function(t, name)
    local all = ";" .. (env.HTTP_COOKIE or ""):gsub("%s*;%s*", ";") .. ";"
    local v = all:match(";" .. name .. "=(.-);")
    v = v and util.url_decode(v)
    rawset(t, name, v)
    return v
  end })
  return setmetatable(req, methods)
end

return M
