-- The bare WSAPI app (the baseline): "Hello World!" as plain text.
return function(env)
  return 200, { ["Content-Type"] = "text/plain", ["Content-Length"] = "12" }, coroutine.wrap(function()
    coroutine.yield("Hello World!")
  end)
end
