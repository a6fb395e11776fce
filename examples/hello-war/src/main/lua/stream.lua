-- Sends a first chunk, then waits for the request body before finishing.
function run(env)
  return 200, { ["Content-Type"] = "text/plain" }, coroutine.wrap(function()
    coroutine.yield("first\n")
    local got = env.input:read(5)
    coroutine.yield("")
    coroutine.yield("second:" .. tostring(got) .. "\n")
  end)
end
