return function(env)
  return 200, {}, coroutine.wrap(function() coroutine.yield("x" end)
end
