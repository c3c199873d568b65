-- Every barrier step in one script, so they share the purge and release logic and each runs
-- atomically. All keys share one hash tag: the script runs unchanged on Redis Cluster.
--
-- KEYS: state (hash), leases (zset id -> expiry ms), arrivals (hash id -> json), ended (hash
--       generation -> "released:<releaseAt>:<n>" | "aborted")
-- ARGV: op, channel, op arguments…
-- Times are the server's clock in ms (TIME); fractions are returned as strings, since a Lua
-- number in a reply is truncated to an integer.

local state, leases, arrivals, ended = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local op, channel = ARGV[1], ARGV[2]
-- How many ended generations are remembered for participants that look late.
local ENDED_KEPT = 1000

local expected = { [state] = 'hash', [leases] = 'zset', [arrivals] = 'hash', [ended] = 'hash' }
for key, kind in pairs(expected) do
  local found = redis.call('TYPE', key)['ok']
  if found ~= 'none' and found ~= kind then
    return redis.error_reply('FOREIGN ' .. key .. ' holds a ' .. found .. ', coord keeps a ' .. kind .. ' there')
  end
end

local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000

local function ms(x) return string.format('%.3f', x) end

local function generation()
  local g = redis.call('HGET', state, 'generation')
  if not g then return 1 end
  local n = tonumber(g)
  if not n then return redis.error_reply('FOREIGN ' .. state .. ' has generation "' .. g .. '"') end
  return n
end

-- Drops arrivals whose lease ran out: a crashed participant stops counting.
local function purge()
  local expired = redis.call('ZRANGEBYSCORE', leases, '-inf', '(' .. now)
  if #expired > 0 then
    redis.call('ZREM', leases, unpack(expired))
    redis.call('HDEL', arrivals, unpack(expired))
    redis.call('PUBLISH', channel, 'expired')
  end
end

local function ended_outcome(g)
  local record = redis.call('HGET', ended, g)
  if not record or record == 'aborted' then return { 'aborted' } end
  local release_at, n = string.match(record, '^released:([^:]+):(%d+)$')
  return { 'released', release_at, n }
end

local function finish(g, record)
  redis.call('HSET', ended, g, record)
  redis.call('HDEL', ended, g - ENDED_KEPT)
  redis.call('HSET', state, 'generation', g + 1)
  redis.call('HDEL', state, 'n')
  redis.call('DEL', leases, arrivals)
end

purge()
local g = generation()
if type(g) == 'table' then return g end

if op == 'arrive' then
  local id, n, lease_ms, delay_ms, host, pid = ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5]),
      tonumber(ARGV[6]), ARGV[7], tonumber(ARGV[8])
  local count = redis.call('ZCARD', leases)
  local current_n = tonumber(redis.call('HGET', state, 'n'))
  if count > 0 and current_n and current_n ~= n then return { 'mismatch', current_n } end
  redis.call('HSET', state, 'generation', g, 'n', n)
  redis.call('ZADD', leases, now + lease_ms, id)
  count = count + 1
  redis.call('HSET', arrivals, id, cjson.encode({ arrival = count, host = host, pid = pid, since = now }))
  local release_at = ''
  if count >= n then
    release_at = ms(now + delay_ms)
    finish(g, 'released:' .. release_at .. ':' .. n)
    redis.call('HSET', state, 'last_generation', g, 'last_release_at', release_at, 'last_n', n)
  end
  redis.call('PUBLISH', channel, 'arrive')
  return { 'joined', g, count, count, n, release_at }
end

if op == 'check' or op == 'withdraw' then
  local id, mine = ARGV[3], tonumber(ARGV[4])
  if mine < g then return ended_outcome(mine) end
  if op == 'withdraw' then
    if redis.call('ZREM', leases, id) == 1 then
      redis.call('HDEL', arrivals, id)
      redis.call('PUBLISH', channel, 'withdraw')
    end
    return { 'withdrawn' }
  end
  if not redis.call('ZSCORE', leases, id) then return { 'expired' } end
  if ARGV[6] == '1' then redis.call('ZADD', leases, 'XX', now + tonumber(ARGV[5]), id) end
  return { 'waiting', redis.call('ZCARD', leases), redis.call('HGET', state, 'n') }
end

if op == 'abort' then
  local waiting = redis.call('ZCARD', leases)
  finish(g, 'aborted')
  redis.call('PUBLISH', channel, 'abort')
  return { g, waiting }
end

if op == 'status' then
  local reply = {
    g,
    redis.call('HGET', state, 'n') or '',
    redis.call('HGET', state, 'last_generation') or '',
    redis.call('HGET', state, 'last_release_at') or '',
    redis.call('HGET', state, 'last_n') or '',
  }
  for _, v in ipairs(redis.call('HVALS', arrivals)) do table.insert(reply, v) end
  return reply
end

return redis.error_reply('unknown barrier op ' .. tostring(op))
