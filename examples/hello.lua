-- The smallest WSAPI application: a function from env to status, headers and a body iterator.
local function hello(env)
  local headers = { ["Content-Type"] = "text/html; charset=utf-8" }
  local function body()
    coroutine.yield("<html><body><h1>Hello from Apogee!</h1>")
    coroutine.yield("<p>PATH_INFO: " .. env.PATH_INFO .. "</p>")
    coroutine.yield("<p>SCRIPT_NAME: '" .. env.SCRIPT_NAME .. "'</p></body></html>")
  end
  return 200, headers, coroutine.wrap(body)
end

return hello
