-- wsapi.filters.static: serves the files under a folder; other requests go to the app.
--
--   local static = require "wsapi.filters.static"
--   app = static(app, {
--     root = "public",       -- the folder, relative to the app's folder
--     prefix = "/assets",    -- URL prefix (after SCRIPT_NAME) that maps to root; "" (default): all paths
--     index = "index.html",  -- answered for a folder (false: folders go to the app)
--     max_age = 3600,        -- adds Cache-Control: public, max-age=3600 (default: none)
--     types = { webmanifest = "application/manifest+json" },  -- extra content types by extension
--   })
--
-- GET and HEAD of an existing file are answered here, with Content-Type (by extension),
-- Content-Length, Last-Modified, ETag and Accept-Ranges. If-None-Match and If-Modified-Since give
-- 304; a single "Range: bytes=..." gives 206 (416 when it cannot be satisfied; If-Range honoured;
-- several ranges get the whole file). Paths with "." or ".." segments, NUL bytes, or that lead
-- outside root (symbolic links included) get 404; hidden files (".name") are never served from
-- disk. Everything else (other methods, missing files) goes to the app unchanged.
--
-- Env: reads REQUEST_METHOD, PATH_INFO, HTTP_IF_NONE_MATCH, HTTP_IF_MODIFIED_SINCE, HTTP_RANGE,
-- HTTP_IF_RANGE. Response: its own, for the files it serves.

local type, tostring, tonumber, error, pairs = type, tostring, tonumber, error, pairs
local format, sub, find, match, lower, gsub = string.format, string.sub, string.find, string.match, string.lower, string.gsub
local floor, min = math.floor, math.min

local files = require "wsapi.filters.files"
local request_end = require "wsapi.filters.request_end"
local http = require "wsapi.filters.http"

local M = {}

M.types = {
  html = "text/html; charset=utf-8", htm = "text/html; charset=utf-8", css = "text/css; charset=utf-8",
  js = "text/javascript; charset=utf-8", mjs = "text/javascript; charset=utf-8", json = "application/json",
  txt = "text/plain; charset=utf-8", xml = "application/xml", svg = "image/svg+xml", png = "image/png",
  jpg = "image/jpeg", jpeg = "image/jpeg", gif = "image/gif", webp = "image/webp", ico = "image/x-icon",
  avif = "image/avif", woff = "font/woff", woff2 = "font/woff2", ttf = "font/ttf", otf = "font/otf",
  pdf = "application/pdf", zip = "application/zip", gz = "application/gzip", wasm = "application/wasm",
  mp4 = "video/mp4", webm = "video/webm", mp3 = "audio/mpeg", ogg = "audio/ogg", wav = "audio/wav",
  csv = "text/csv; charset=utf-8", md = "text/markdown; charset=utf-8", map = "application/json",
  lua = "text/plain; charset=utf-8",
}

local function content_type(types, path)
  local ext = match(path, "%.([^./]+)$")
  return ext and (types[lower(ext)] or M.types[lower(ext)]) or "application/octet-stream"
end

-- RFC 9110 13.1.2: weak comparison for If-None-Match
local function etag_matches(header, etag)
  if header == "*" then return true end
  local bare = gsub(etag, "^W/", "")
  for tag in header:gmatch("[^,]+") do
    tag = gsub(gsub(tag, "^%s+", ""), "%s+$", "")
    if gsub(tag, "^W/", "") == bare then return true end
  end
  return false
end

-- one range of "bytes=a-b", "bytes=a-" or "bytes=-n": first, last (inclusive); false when it
-- cannot be satisfied; nil when the header is to be ignored (malformed, several ranges)
local function parse_range(header, size)
  local spec = match(header, "^%s*bytes%s*=%s*(.-)%s*$")
  if not spec or find(spec, ",", 1, true) then return nil end
  local a, b = match(spec, "^(%d*)%s*%-%s*(%d*)$")
  if not a or (a == "" and b == "") then return nil end
  local first, last
  if a == "" then
    local n = tonumber(b)
    if n == 0 then return false end
    first, last = size - min(n, size), size - 1
  else
    first = tonumber(a)
    last = b == "" and size - 1 or min(tonumber(b), size - 1)
    if b ~= "" and tonumber(b) < first then return nil end
  end
  if first >= size or size == 0 then return false end
  return first, last
end

local function file_body(path, first, length)
  local next_chunk, close = files.reader(path, first, length)
  request_end.at_end(close)
  return next_chunk
end

local function empty() return nil end

local function serve(o, env, info, path)
  local head = env.REQUEST_METHOD == "HEAD"
  local size = info.size
  local etag = format('"%d-%d"', size, info.mtime)
  local last_modified = files.http_date(info.mtime)
  local headers = { ["Last-Modified"] = last_modified, ["ETag"] = etag }
  if o.cache_control then headers["Cache-Control"] = o.cache_control end

  local inm = env.HTTP_IF_NONE_MATCH
  if inm ~= "" then
    if etag_matches(inm, etag) then return 304, headers, empty end
  else
    local ims = files.parse_http_date(env.HTTP_IF_MODIFIED_SINCE)
    if ims and floor(info.mtime / 1000) * 1000 <= ims then return 304, headers, empty end
  end

  headers["Content-Type"] = content_type(o.types, path)
  headers["Accept-Ranges"] = "bytes"
  local status, first, length = 200, 0, size
  local range = env.HTTP_RANGE
  if range ~= "" and env.REQUEST_METHOD == "GET" then
    local if_range = env.HTTP_IF_RANGE
    if if_range == "" or if_range == etag or if_range == last_modified then
      local a, b = parse_range(range, size)
      if a == false then
        headers["Content-Range"] = format("bytes */%d", size)
        headers["Content-Type"] = nil
        headers["Content-Length"] = "0"
        return 416, headers, empty
      elseif a then
        status, first, length = 206, a, b - a + 1
        headers["Content-Range"] = format("bytes %d-%d/%d", a, b, size)
      end
    end
  end
  headers["Content-Length"] = format("%d", length)
  if head or length == 0 then return status, headers, empty end
  return status, headers, file_body(info.path, first, length)
end

local function new(app, options)
  options = options or {}
  app = require("wsapi.filters").app_function(app, "static: the app")
  local root = options.root or "public"
  if type(root) ~= "string" or root == "" then error("static: 'root' must name a folder", 3) end
  local prefix = gsub(options.prefix or "", "/+$", "")
  if prefix ~= "" and sub(prefix, 1, 1) ~= "/" then prefix = "/" .. prefix end
  local o = {
    types = options.types or {},
    index = options.index == nil and "index.html" or options.index,
    cache_control = options.max_age and format("public, max-age=%d", options.max_age),
  }

  return function(env)
    local method = env.REQUEST_METHOD
    if method ~= "GET" and method ~= "HEAD" then return app(env) end
    local path = env.PATH_INFO
    if path == "" then path = "/" end
    if prefix ~= "" then
      if path == prefix then
        path = "/"
      elseif sub(path, 1, #prefix + 1) == prefix .. "/" then
        path = sub(path, #prefix + 1)
      else
        return app(env)
      end
    end
    local info, why = files.lookup(root, path)
    if not info then
      if why == "invalid" or why == "outside" then
        return http.page(404, "Not Found", "There is no file at this address.")
      end
      return app(env)
    end
    if info.directory then
      if not o.index then return app(env) end
      local index = files.lookup(root, gsub(path, "/*$", "/") .. o.index)
      if not index or index.directory then return app(env) end
      if sub(path, -1) ~= "/" then
        local location = env.SCRIPT_NAME .. env.PATH_INFO .. "/"
        if env.QUERY_STRING ~= "" then location = location .. "?" .. env.QUERY_STRING end
        return http.page(301, "Moved Permanently", "This folder is at " .. location, { Location = location })
      end
      return serve(o, env, index, o.index)
    end
    return serve(o, env, info, path)
  end
end

setmetatable(M, { __call = function(_, app, options) return new(app, options) end })

return M
