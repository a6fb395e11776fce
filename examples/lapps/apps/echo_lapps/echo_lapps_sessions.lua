-- Per-instance session data of echo_lapps (each instance has its own Lua state, so
-- these tables are not shared between instances).
echo_lapps_sessions = {}

-- handler (as a string) -> authkey
echo_lapps_sessions.keys = nljson.decode('{}')

-- user -> password (an example; never keep passwords like this)
echo_lapps_sessions.users = nljson.decode([[{ "admin": "admin", "guest": "guest" }]])

return echo_lapps_sessions
