-- The scheduler's two steps on one versioned record (see lib/schedule/steps.ts).
-- KEYS: state (hash: version, value)
-- ARGV: channel, op, op arguments…
-- A write publishes on the channel so instances waiting on the name wake up.

local state, op = KEYS[1], ARGV[2]
local refused = wrong_type({ [state] = 'hash' })
if refused then return refused end

-- Times as strings: a Lua number would reach the client cut to 14 digits.
local clock = string.format('%.3f', now)

if op == 'read' then
  local stored = redis.call('HMGET', state, 'version', 'value')
  if not stored[1] and not stored[2] then return { clock } end
  return { clock, stored[1] or '', stored[2] or '' }
end

if op == 'write' then
  local expect, value, present = tonumber(ARGV[3]), ARGV[4], ARGV[5]
  local version = tonumber(redis.call('HGET', state, 'version') or '0')
  if version ~= expect then return 0 end
  if present == '1' then
    redis.call('HSET', state, 'version', version + 1, 'value', value)
  else
    redis.call('DEL', state)
  end
  redis.call('PUBLISH', channel, 'changed')
  return 1
end

return redis.error_reply('unknown schedule op ' .. tostring(op))
