#!/usr/bin/env wsapi.cgi
-- A WSAPI application as Kepler's documentation writes them (WSAPI 1.x, Lua 5.1 style): a module
-- with a run function, using wsapi.request and wsapi.response. It runs unchanged under
-- "apogee serve" and under wsapi.mock (see wsapi-servers/src/test/lua/kepler_app_spec.lua).

require "wsapi.request"
require "wsapi.response"
require "wsapi.util"

module(..., package.seeall)

local function page(res, title, body)
  res:write("<html><head><title>", title, "</title></head><body>", body, "</body></html>")
end

local function home(req, res)
  local name = req.params.name or req.cookies.name or "World"
  page(res, "Hello", {
    "<h1>Hello, ", wsapi.util.sanitize(name), "!</h1>",
    '<form method="post" action="', req:link("/name"), '">',
    '<input name="name"><input type="submit"></form>',
  })
end

-- Remembers the name in a cookie, then back to the home page.
local function set_name(req, res)
  res:set_cookie("name", { value = req.POST.name or "", path = "/", httponly = true })
  return res:redirect(req:link("/"))
end

local function upload(req, res)
  res:content_type("text/plain")
  local names = {}
  for k in pairs(req.POST) do names[#names + 1] = k end
  table.sort(names)
  for _, k in ipairs(names) do
    local v = req.POST[k]
    local list = (type(v) == "table" and v.name == nil) and v or { v }
    for _, item in ipairs(list) do
      if type(item) == "table" then
        res:write(k, ": file ", item.name, " ", item.size, " bytes ", item["content-type"] or "?",
          " starting ", item.contents:sub(1, 8), "\n")
      else
        res:write(k, ": ", item, "\n")
      end
    end
  end
end

local function info(req, res)
  res:content_type("text/plain")
  res:write("wsapi.app_path=", tostring(wsapi.app_path), "\n")
  res:write("require.app_path=", tostring(require("wsapi").app_path), "\n")
  res:write("req.app_path=", req.app_path, "\n")
  res:write("script_name=", req.script_name, "\n")
  res:write("path_info=", req.path_info, "\n")
  res:write("method=", req.method, "\n")
  res:write("link=", req:link("/x", { q = "a b" }), "\n")
  res:write("static=", req:static_link("/style.css"), "\n")
end

function run(wsapi_env)
  local req = wsapi.request.new(wsapi_env)
  local res = wsapi.response.new()
  local path = req.path_info
  if path == "/" then
    home(req, res)
  elseif path == "/name" and req.method == "POST" then
    return set_name(req, res)
  elseif path == "/upload" and req.method == "POST" then
    upload(req, res)
  elseif path == "/info" then
    info(req, res)
  else
    res.status = 404
    page(res, "Not found", "<p>No page at " .. wsapi.util.sanitize(path) .. "</p>")
  end
  return res:finish()
end
