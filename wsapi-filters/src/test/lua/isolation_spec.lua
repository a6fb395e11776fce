-- wsapi.filters.isolation: apps in child states; globals, modules and crashes stay there.
-- Runs with a stand-in for Rings (wsapi.filters.test.rings); isolation_rings_spec.lua runs the
-- same cases with the real module.

local cases = require "support.isolation_cases"
cases.define(require "wsapi.filters.test.rings")
