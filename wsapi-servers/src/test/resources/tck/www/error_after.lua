return function(env)
  return 200, { ["Content-Type"] = "text/plain" }, coroutine.wrap(function()
    coroutine.yield("partial ")
    error("boom after the headers")
  end)
end
