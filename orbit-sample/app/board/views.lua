-- board.views: renders the pages of views/*.html (orbit.template) inside the layout.
--
-- In a template, <%= expr %> escapes HTML and <%- expr %> does not: every value that came from
-- a user goes through <%= %>. <%- %> is only used for HTML this app made itself (the CSRF field,
-- a page inside the layout, an included template).

local orbit = require "orbit"
local csrf = require "wsapi.filters.csrf"
local wsres = require "wsapi.response"
local accounts = require "board.accounts"
local forms = require "board.forms"

local M = {}

-- Sent with every page. The policy allows this site's own scripts, styles and connections only
-- (the live view's WebSocket goes to this same host), so even a card title that slipped through
-- unescaped could not run a script.
M.HEADERS = {
  ["Content-Type"] = "text/html; charset=utf-8",
  ["X-Content-Type-Options"] = "nosniff",
  ["X-Frame-Options"] = "DENY",
  ["Referrer-Policy"] = "same-origin",
  ["Content-Security-Policy"] = "default-src 'self'; img-src 'self' data:; object-src 'none'; "
    .. "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
}

-- Functions every template may call, besides link() and static_link() (orbit.template's).
local helpers = {
  date = function(t) return t and os.date("%Y-%m-%d %H:%M", t) or "" end,
  size = forms.human_size,
}

--- Renders views/<name>.html inside views/layout.html and returns the page.
-- `vars` are the template's variables; `title` is the page's title.
function M.render(web, name, vars)
  vars = vars or {}
  local env = web.vars
  local user = accounts.current(env)
  vars.user = user
  -- the CSRF field is made when a template asks for it: it starts a session, which pages without
  -- forms (the board seen by anonymous readers) do not need
  vars.csrf = function() return csrf.field(env) end
  for k, f in pairs(helpers) do vars[k] = vars[k] or f end

  local content = web:page("views/" .. name .. ".html", vars)
  if not content then error("board: no template views/" .. name .. ".html under " .. tostring(web.real_path)) end
  for k, v in pairs(M.HEADERS) do web.headers[k] = v end
  return web:page("views/layout.html", {
    title = vars.title, content = content, user = user, csrf = vars.csrf,
    prefix = web.prefix or "", page = name,
  })
end

--- An error page: sets the status and renders views/error.html.
function M.error(web, status, title, message)
  web.status = status
  return M.render(web, "error", { title = title, message = message, status = status })
end

--- A web object for code that runs outside the Orbit app (a filter) but wants to answer with one
-- of the app's pages; `app_dir` is where views/ is.
function M.web_for(env, app_dir)
  return setmetatable({
    status = 200, vars = env, headers = {}, prefix = env.SCRIPT_NAME or "", real_path = app_dir,
  }, { __index = orbit.web_methods })
end

--- The WSAPI answer (status, headers, iterator) of web_for's web object and a body.
function M.respond(web, body)
  local res = wsres.new(web.status, web.headers)
  res:write(body)
  return res:finish()
end

return M
