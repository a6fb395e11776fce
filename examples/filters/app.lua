-- A complete filter stack: `./apogee serve examples/filters/app.lua` (add --debug to run without
-- a session secret; in production set APOGEE_SESSION_SECRET to 32+ random characters).
-- Pages: / (a visit counter kept in the session), /form (a form protected against CSRF),
-- /logout, and the files of public/ under /static/.

local filters = require "wsapi.filters"
local csrf = require "wsapi.filters.csrf"
local request_id = require "request_id"

local function page(body)
  return 200, { ["Content-Type"] = "text/html; charset=utf-8" }, coroutine.wrap(function()
    coroutine.yield("<!DOCTYPE html><html><body>" .. body .. "</body></html>\n")
  end)
end

local function app(env)
  local s = env.session
  local path = env.PATH_INFO
  if path == "/form" then
    if env.REQUEST_METHOD == "POST" then
      return page("<p>Posted: " .. (env.input:read() or ""):gsub("[<>&]", "") .. "</p>")
    end
    return page('<form method="post">' .. csrf.field(env)
      .. '<input name="message"><button>Send</button></form>')
  elseif path == "/logout" then
    s:destroy()
    return page('<p>Bye.</p><p><a href="' .. env.SCRIPT_NAME .. '/">Again</a></p>')
  end
  local visits = (s:get("visits") or 0) + 1
  s:set("visits", visits)
  return page("<p>Visit number " .. visits .. " (request " .. env.REQUEST_ID .. ").</p>"
    .. '<p><a href="' .. env.SCRIPT_NAME .. '/form">A form</a> · <a href="' .. env.SCRIPT_NAME
    .. '/static/hello.txt">A file</a> · <a href="' .. env.SCRIPT_NAME .. '/logout">Log out</a></p>')
end

return filters.stack {
  { filters.logging, file = "stderr" },
  request_id,
  filters.session,
  filters.csrf,
  { filters.static, root = "public", prefix = "/static" },
  app,
}
