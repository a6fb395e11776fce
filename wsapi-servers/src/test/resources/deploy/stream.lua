#!/usr/bin/env apogee-cgi
-- Sends a first chunk at once, the second one second later: the client must see them apart.
return function(env)
  return 200, { ["Content-Type"] = "text/plain" }, coroutine.wrap(function()
    coroutine.yield("first\n")
    local until_time = os.clock() + 1
    local t0 = os.time()
    while os.clock() < until_time and os.time() - t0 < 3 do end
    coroutine.yield("second\n")
  end)
end
