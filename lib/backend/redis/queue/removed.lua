-- removed: the state a job was removed in by retention or purge, and when, or {}. ARGV[2]: id.
--- @include "includes/keys.lua"

refuse_all()
local id = ARGV[2]
for state in pairs(DONE) do
  local at = call('ZSCORE', removed, state .. ':' .. id)
  if at then return { state, at } end
end
return {}
