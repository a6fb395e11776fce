return function(env)
  return 200, { ["Content-Type"] = "text/html; charset=utf-8" }, coroutine.wrap(function()
    coroutine.yield("<!DOCTYPE html><html><body><h1>Apogee in a servlet container</h1></body></html>\n")
  end)
end
