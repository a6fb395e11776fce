-- The Orbit hello app: orbit.new, one route, a page built with htmlify's tag functions.
local orbit = require "orbit"

local hello = orbit.new("hello")

local function render_page()
  return html{ head{ title "Hello" }, body{ p.hello "Hello World!" } }
end

local function index(web)
  return render_page()
end

hello:dispatch_get(index, "/")
orbit.htmlify(render_page)

return hello
