return function(env)
  error("boom before the headers")
end
