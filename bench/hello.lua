-- The benchmark app: the WSAPI equivalent of bench/RawUndertow.java. The body comes from a
-- coroutine.wrap iterator, as in most WSAPI apps, so the measurement includes one coroutine per request.
return function(env)
  return 200, { ["Content-Type"] = "text/plain" }, coroutine.wrap(function()
    coroutine.yield("Hello World!")
  end)
end
