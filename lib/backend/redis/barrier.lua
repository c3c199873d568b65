-- Every barrier step in one script, so they share the purge and release logic and each runs
-- atomically. All keys share one hash tag: the script runs unchanged on Redis Cluster.
--
-- KEYS: state (hash: generation, n, next_arrival, last_*), leases (zset id -> expiry ms),
--       arrivals (hash id -> json), ended (hash generation -> "released:<releaseAt>:<n>" |
--       "aborted"), members (zset id -> the ended generation that counted it)
-- ARGV: channel, op, ended generations kept, idle expiry ms, op arguments…
-- Times are the server's clock in ms (TIME); fractions are returned as strings, since a Lua
-- number in a reply is truncated to an integer.

--- @include "includes/state_fields.lua"

local state, leases, arrivals, ended, members = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local op = ARGV[2]
local ended_kept, idle_ms = tonumber(ARGV[3]), ARGV[4]

local expected = { [state] = 'hash', [leases] = 'zset', [arrivals] = 'hash', [ended] = 'hash',
  [members] = 'zset' }
-- The last release is written whole, its three fields at once.
local function last_release(check)
  return function(value, held)
    return check(value) and held.last_generation ~= nil and held.last_release_at ~= nil
      and held.last_n ~= nil
  end
end
local refused = wrong_type(expected)
  or foreign_field(state, { generation = whole_from(1), n = whole_from(1),
    next_arrival = whole_from(0), last_generation = last_release(whole_from(1)),
    last_release_at = last_release(time_ms), last_n = last_release(whole_from(1)) })
if refused then return refused end

-- Every participant as coord writes it: a lease a clock reaches (beyond 2^53 ms it never ends)
-- and an arrival record, each arrival with its lease. Counted otherwise, another program's would
-- release the barrier short of its participants.
local leased = redis.call('ZRANGE', leases, 0, -1, 'WITHSCORES')
if #leased / 2 ~= redis.call('HLEN', arrivals) then
  return foreign(leases .. ' and ' .. arrivals .. ' disagree on the participants')
end
for i = 1, #leased, 2 do
  local lease = tonumber(leased[i + 1])
  local ok, record = pcall(cjson.decode, redis.call('HGET', arrivals, leased[i]) or '')
  if not (lease and lease >= 0 and lease <= MAX_WHOLE and ok and type(record) == 'table') then
    return foreign(leases .. ' holds "' .. leased[i] .. '", which ' .. arrivals ..
      ' does not keep as coord does')
  end
end

local function ms(x) return string.format('%.3f', x) end

local g = tonumber(redis.call('HGET', state, 'generation')) or 1

-- A look, so it writes nothing, not even the purge below: it leaves out the arrivals the purge
-- would drop.
if op == 'status' then
  local reply = {
    g,
    redis.call('HGET', state, 'n') or '',
    redis.call('HGET', state, 'last_generation') or '',
    redis.call('HGET', state, 'last_release_at') or '',
    redis.call('HGET', state, 'last_n') or '',
  }
  local all = redis.call('HGETALL', arrivals)
  for i = 1, #all, 2 do
    local lease = tonumber(redis.call('ZSCORE', leases, all[i]))
    if not (lease and lease < now) then table.insert(reply, all[i + 1]) end
  end
  return reply
end

-- Drops arrivals whose lease ran out: a crashed participant stops counting.
local expired = redis.call('ZRANGEBYSCORE', leases, '-inf', '(' .. now)
if #expired > 0 then
  -- In chunks: `unpack` of more than ≈ 8,000 values overflows Lua's stack.
  for from = 1, #expired, 1000 do
    local to = math.min(from + 999, #expired)
    redis.call('ZREM', leases, unpack(expired, from, to))
    redis.call('HDEL', arrivals, unpack(expired, from, to))
  end
  redis.call('PUBLISH', channel, 'expired')
end

-- The outcome of an ended generation for one participant: only those it counted were released.
local function ended_outcome(mine, id, absent)
  if redis.call('ZSCORE', members, id) ~= tostring(mine) then return { absent } end
  local record = redis.call('HGET', ended, mine)
  if record == 'aborted' then return { 'aborted' } end
  local release_at, n = string.match(record or '', '^released:([%d.]+):(%d+)$')
  if not release_at then return foreign(ended .. ' has "' .. tostring(record) .. '" for ' .. mine) end
  return { 'released', release_at, n }
end

-- Closes generation g: remembers who it counted and how it ended, then opens g + 1.
local function finish(record)
  for _, id in ipairs(redis.call('ZRANGE', leases, 0, -1)) do redis.call('ZADD', members, g, id) end
  redis.call('ZREMRANGEBYSCORE', members, '-inf', g - ended_kept)
  redis.call('HSET', ended, g, record)
  redis.call('HDEL', ended, g - ended_kept)
  redis.call('HSET', state, 'generation', g + 1, 'next_arrival', 0)
  redis.call('HDEL', state, 'n')
  redis.call('DEL', leases, arrivals)
end

-- Barriers nobody uses for a long time disappear (run ids would otherwise pile up).
local function touch()
  for key in pairs(expected) do redis.call('PEXPIRE', key, idle_ms) end
end

if op == 'arrive' then
  local id, n, lease_ms, delay_ms, host, pid = ARGV[5], tonumber(ARGV[6]), tonumber(ARGV[7]),
      tonumber(ARGV[8]), ARGV[9], tonumber(ARGV[10])
  local count = redis.call('ZCARD', leases)
  local current_n = tonumber(redis.call('HGET', state, 'n'))
  if count > 0 and current_n and current_n ~= n then return { 'mismatch', current_n } end
  local known = redis.call('HGET', arrivals, id)
  if known then
    -- A retried arrive (its reply was lost): renew, count it once.
    local ok, parsed = pcall(cjson.decode, known)
    if not ok or type(parsed) ~= 'table' then return foreign(arrivals .. ' has "' .. known .. '"') end
    redis.call('ZADD', leases, now + lease_ms, id)
    return { 'joined', g, parsed.arrival, count, n, '' }
  end
  local arrival = redis.call('HINCRBY', state, 'next_arrival', 1)
  redis.call('HSET', state, 'generation', g, 'n', n)
  redis.call('ZADD', leases, now + lease_ms, id)
  count = count + 1
  redis.call('HSET', arrivals, id, cjson.encode({ arrival = arrival, host = host, pid = pid, since = now }))
  local release_at = ''
  if count >= n then
    release_at = ms(now + delay_ms)
    redis.call('HSET', state, 'last_generation', g, 'last_release_at', release_at, 'last_n', n)
    finish('released:' .. release_at .. ':' .. n)
  end
  touch()
  redis.call('PUBLISH', channel, 'arrive')
  return { 'joined', g, arrival, count, n, release_at }
end

if op == 'check' or op == 'withdraw' then
  local id, mine = ARGV[5], tonumber(ARGV[6])
  if op == 'withdraw' then
    if mine < g then return ended_outcome(mine, id, 'withdrawn') end
    if redis.call('ZREM', leases, id) == 1 then
      redis.call('HDEL', arrivals, id)
      redis.call('PUBLISH', channel, 'withdraw')
    end
    return { 'withdrawn' }
  end
  if mine < g then return ended_outcome(mine, id, 'expired') end
  if not redis.call('ZSCORE', leases, id) then return { 'expired' } end
  if ARGV[8] == '1' then
    redis.call('ZADD', leases, 'XX', now + tonumber(ARGV[7]), id)
    touch()
  end
  return { 'waiting', redis.call('ZCARD', leases), redis.call('HGET', state, 'n') }
end

if op == 'abort' then
  local waiting = redis.call('ZCARD', leases)
  finish('aborted')
  touch()
  redis.call('PUBLISH', channel, 'abort')
  return { g, waiting }
end

return redis.error_reply('unknown barrier op ' .. tostring(op))
