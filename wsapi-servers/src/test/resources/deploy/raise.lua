#!/usr/bin/env apogee-cgi
return function(env)
  error("boom before the headers")
end
