return function(env)
  return 201, {
    ["Content-Type"] = "text/plain",
    ["Set-Cookie"] = { "a=1; Path=/", "b=2; HttpOnly" },
    ["X-Count"] = 42,
  }, coroutine.wrap(function() coroutine.yield("made") end)
end
