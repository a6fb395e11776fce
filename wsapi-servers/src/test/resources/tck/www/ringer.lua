-- Serves ringed/app.lua from inside a ring, with WSAPI's ringer.
ringer_master_marker = "only in the server's state"
local app = require("wsapi.ringer").new("ringed.app")
return app
