return function(env)
  return 200, { ["X-Injected"] = "value\r\nSet-Cookie: evil=1" }, coroutine.wrap(function() coroutine.yield("no") end)
end
