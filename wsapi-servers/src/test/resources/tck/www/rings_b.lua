-- The twin of rings_a.lua: the same code, in a state (and a ring) of its own.
return assert(loadfile("rings_a.lua"))(...)
