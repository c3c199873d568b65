-- Every lock step in one script, so they share purge, bump and grant, and each runs atomically.
-- All keys share one hash tag: the script runs unchanged on Redis Cluster.
--
-- KEYS: state (hash: indicator, limit), queue (zset ticket -> ticket),
--       presence (zset ticket -> lease expiry ms), users (hash ticket -> json {label, since}),
--       holders (hash ticket -> granted-at ms; "+" appended once its user started),
--       tickets (string: the last ticket handed out; never removed, not even by reset),
--       tokens (string: the last fencing token handed out; never removed),
--       requests (hash request id -> ticket, so a retried enqueue gets the ticket it took)
-- ARGV: channel, op, op arguments…
-- Each change is published on the channel as a JSON event, for waiters and `coord turn follow`.
-- Nothing expires: the counters must never go back.

--- @include "includes/state_fields.lua"

local state, queue, presence, users, holders, counter, tokens, requests =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local op = ARGV[2]

local expected = { [state] = 'hash', [queue] = 'zset', [presence] = 'zset', [users] = 'hash',
  [holders] = 'hash', [counter] = 'string', [tokens] = 'string', [requests] = 'hash' }
local refused = wrong_type(expected)
if refused then return refused end

-- Every live ticket has a place in the queue, a lease and a user, and the state only the fields
-- below: checked before any write, so a step on keys another program wrote to refuses them
-- and leaves them as they were.
refused = foreign_field(state, { indicator = true, limit = true })
if refused then return refused end
local live = redis.call('ZCARD', queue)
if redis.call('ZCARD', presence) ~= live or redis.call('HLEN', users) ~= live
    or redis.call('HLEN', holders) > live then
  return foreign(queue .. ', ' .. presence .. ', ' .. users .. ' and ' .. holders ..
    ' disagree on the tickets')
end

-- `text` as the whole number of at least `least` coord keeps there; nil for anything else (a
-- fraction, a negative count, a word), which another program wrote. Below 2^53, as tokens are
-- compared as the digits TypeScript writes, and beyond it they would not round-trip.
local function whole(text, least)
  local n = tonumber(text)
  if n and n == math.floor(n) and n >= least and n < 2 ^ 53 then return n end
end

-- A state field (default when absent), or nil and the FOREIGN reply naming what it holds.
local function state_field(field, default)
  local text = redis.call('HGET', state, field)
  if not text then return default end
  local n = whole(text, 1)
  if n then return n end
  return nil, foreign(state .. ' has ' .. field .. ' "' .. text .. '"')
end

local issued = redis.call('GET', counter)
local tickets = whole(issued or '0', 0)
if not tickets then return foreign(counter .. ' holds "' .. issued .. '"') end
local last_token = redis.call('GET', tokens)
-- One with no whole number after it below 2^53 would have its successor refused for good.
if last_token and not (whole(last_token, 1) and tonumber(last_token) < 2 ^ 53 - 1) then
  return foreign(tokens .. ' holds "' .. last_token .. '"')
end
local indicator, limit
indicator, refused = state_field('indicator', tickets + 1)
if refused then return refused end
limit, refused = state_field('limit', 1)
if refused then return refused end

-- A ticket's user record as coord writes it: JSON with its label and the time it came (a number
-- before coord wrote times as strings), and since fencing tokens came its request id and token;
-- else the refusal naming it. Read by every step that grants, drops or releases the ticket, and
-- by the console: a record another program wrote over was passed over (a grant without its
-- token, a drop without its request), or failed the script half-way (a request that is no text).
local function foreign_user(ticket)
  local text = redis.call('HGET', users, ticket) or ''
  local decoded, user = pcall(cjson.decode, text)
  local since = decoded and type(user) == 'table' and tonumber(user.since)
  if not (since and since >= 0 and since < math.huge and type(user.label) == 'string'
      and (user.request == nil or type(user.request) == 'string')
      and (user.token == nil or type(user.token) == 'string' and string.match(user.token, '^%d+$')
        and whole(user.token, 1))) then
    return foreign(foreign_value(users, 'ticket ' .. ticket, text))
  end
end

-- Tickets whose lease ran out: every step but a look drops them first (see the purge below).
local expired = redis.call('ZRANGEBYSCORE', presence, '-inf', '(' .. now)

-- Every live ticket a step acts on as coord writes it: a whole number no later than the last
-- handed out, its own score in the queue, a lease a clock reaches (beyond 2^53 ms it never ends)
-- and a user record; each holder one of them, granted at a time. A step would otherwise grant
-- another program's ticket, or fail half-way on one (a Lua error keeps what the script wrote
-- before it). A ticket's own step (check, release) acts on those up to it and the first `limit`
-- + 1, which a release passes the lock to, and as many more as the purge drops before them; the
-- others (a look, a new ticket, a reset) on the whole line.
local own = (op == 'check' or op == 'release') and redis.call('ZRANK', queue, ARGV[3])
local members = redis.call('ZRANGE', queue, 0, own and math.max(own, limit) + #expired or -1,
  'WITHSCORES')
for i = 1, #members, 2 do
  local ticket, n = members[i], whole(members[i], 1)
  if n and n > tickets then
    return foreign(queue .. ' holds ticket ' .. ticket .. ', beyond the last ' .. counter ..
      ' handed out (' .. tickets .. '): another program changed or deleted it')
  end
  local lease = tonumber(redis.call('ZSCORE', presence, ticket))
  if not n or tonumber(members[i + 1]) ~= n or not lease or lease < 0 or lease > 2 ^ 53
      or redis.call('HEXISTS', users, ticket) == 0 then
    return foreign(queue .. ' holds ticket "' .. ticket .. '", which ' .. presence .. ' and ' ..
      users .. ' do not keep as coord does')
  end
  refused = foreign_user(ticket)
  if refused then return refused end
end
-- The purge drops expired tickets wherever they stand in the line: their records too.
for _, ticket in ipairs(expired) do
  refused = foreign_user(ticket)
  if refused then return refused end
end
local granted_at = redis.call('HGETALL', holders)
for i = 1, #granted_at, 2 do
  local ticket, at = granted_at[i], granted_at[i + 1]
  if not redis.call('ZSCORE', queue, ticket) then
    return foreign(holders .. ' holds ticket "' .. ticket .. '", which ' .. queue .. ' has not')
  end
  -- A time as `grant` writes it (%.3f), "+" appended once its user started.
  if not (string.match(at, '^%d+%+?$') or string.match(at, '^%d+%.%d+%+?$')) then
    return foreign(foreign_value(holders, 'ticket ' .. ticket, at))
  end
end

local function emit(event) redis.call('PUBLISH', channel, cjson.encode(event)) end

-- A ticket's user record, which `foreign_user` found coord's.
local function user_of(ticket) return cjson.decode(redis.call('HGET', users, ticket)) end

local function label_of(ticket) return user_of(ticket).label end

local function remove(ticket)
  local request = user_of(ticket).request
  if request then redis.call('HDEL', requests, request) end
  redis.call('ZREM', queue, ticket)
  redis.call('ZREM', presence, ticket)
  redis.call('HDEL', users, ticket)
  redis.call('HDEL', holders, ticket)
end

-- The indicator is the lowest live ticket (or the next to be handed out); it never goes back.
local function bump()
  local first = redis.call('ZRANGE', queue, 0, 0)[1]
  local target = first and tonumber(first) or tickets + 1
  if target > indicator then
    if target > indicator + 1 then
      emit({ event = 'bumped', from = indicator, to = target })
    end
    indicator = target
    redis.call('HSET', state, 'indicator', indicator)
  end
end

-- Grants every ticket that is now among the first `limit`. The event names its token too: a
-- waiter knows its grant by both, as ticket numbers start again after the state was lost.
local function grant()
  for _, ticket in ipairs(redis.call('ZRANGE', queue, 0, limit - 1)) do
    if redis.call('HSETNX', holders, ticket, string.format('%.3f', now)) == 1 then
      emit({ event = 'granted', ticket = tonumber(ticket), token = user_of(ticket).token })
    end
  end
end

-- Whether live ticket `ticket` is the one whose token is `token` (none given: any).
local function is_theirs(ticket, token)
  return redis.call('ZSCORE', queue, ticket) and (token == '' or user_of(ticket).token == token)
end

-- The line as stored, with the clock and each ticket's lease: a look, so it writes nothing,
-- not even the purge below. The caller shows the line as the next step would settle it.
if op == 'status' then
  if redis.call('EXISTS', state) == 0 then return {} end
  local reply = { tickets, indicator, limit, string.format('%.3f', now) }
  for _, ticket in ipairs(redis.call('ZRANGE', queue, 0, -1)) do
    -- Read here, as the steps read it: JSON readers differ (cjson takes `0x10` and `nan`).
    local user = user_of(ticket)
    table.insert(reply, ticket)
    table.insert(reply, user.label)
    table.insert(reply, string.format('%.3f', tonumber(user.since)))
    table.insert(reply, redis.call('HGET', holders, ticket) or '')
    -- Every live ticket has a lease: the line check above refused one without.
    table.insert(reply, redis.call('ZSCORE', presence, ticket))
  end
  return reply
end

-- Drops tickets whose presence lease ran out: their users crashed or vanished.
for _, ticket in ipairs(expired) do
  emit({ event = 'crashed', ticket = tonumber(ticket), label = label_of(ticket) })
  remove(ticket)
end
if #expired > 0 then
  bump()
  grant()
end

-- Where a ticket stands: granted, or waiting behind `ahead` others, the first of them `first`.
local function standing(ticket)
  if redis.call('HEXISTS', holders, ticket) == 1 then return { 'granted' } end
  local rank = redis.call('ZRANK', queue, ticket)
  if not rank then return { 'gone' } end
  local next_expiry = math.huge
  local before = redis.call('ZRANGE', queue, 0, rank - 1)
  for _, t in ipairs(before) do
    next_expiry = math.min(next_expiry, tonumber(redis.call('ZSCORE', presence, t)))
  end
  return { 'waiting', rank, string.format('%.3f', next_expiry - now), before[1] or ticket }
end

-- Tokens as strings: tostring and cjson keep only 14 digits, a token in µs has 16.
local function digits(n) return string.format('%.0f', n) end

-- Enqueue's reply: the ticket, its fencing token, then where it stands.
local function queued(ticket)
  local reply = standing(ticket)
  table.insert(reply, 1, digits(ticket))
  table.insert(reply, 2, user_of(ticket).token or '0')
  return reply
end

if op == 'enqueue' then
  local label, wanted, expire_ms, request = ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6]
  -- A retry whose first reply was lost gets the ticket it took, not a second one that would
  -- later lapse as "crashed".
  local taken = redis.call('HGET', requests, request)
  if taken and redis.call('ZSCORE', queue, taken) then
    redis.call('ZADD', presence, 'XX', now + expire_ms, taken)
    return queued(taken)
  end
  if redis.call('ZCARD', queue) > 0 and wanted ~= limit then return { 'mismatch', limit } end
  -- Never below the server's clock in µs: after a restart without persistence or a failover to
  -- a replica that missed writes, the counters are gone or behind, and a token that repeated
  -- one already seen would be refused by the resource it fences.
  local now_us = tonumber(time[1]) * 1000000 + tonumber(time[2])
  local token = digits(math.max(tonumber(last_token or '0') + 1, now_us))
  redis.call('SET', tokens, token)
  limit = wanted
  tickets = redis.call('INCR', counter)
  redis.call('HSET', requests, request, tickets)
  redis.call('HSET', state, 'limit', limit, 'indicator', indicator)
  redis.call('ZADD', queue, tickets, tickets)
  redis.call('ZADD', presence, now + expire_ms, tickets)
  -- Times as strings: cjson would keep only 14 digits (0.1 ms) of a number.
  redis.call('HSET', users, tickets, cjson.encode({ label = label,
    since = string.format('%.3f', now), request = request, token = token }))
  emit({ event = 'assigned', ticket = tickets, label = label })
  bump()
  grant()
  return queued(tickets)
end

if op == 'check' then
  local ticket, expire_ms, renew, starting, token =
    ARGV[3], tonumber(ARGV[4]), ARGV[5], ARGV[6], ARGV[7]
  if not is_theirs(ticket, token) then return { 'gone' } end
  if renew == '1' then
    redis.call('ZADD', presence, 'XX', now + expire_ms, ticket)
  end
  local reply = standing(ticket)
  if reply[1] == 'granted' and starting == '1' then
    local granted = redis.call('HGET', holders, ticket)
    if string.sub(granted, -1) ~= '+' then
      redis.call('HSET', holders, ticket, granted .. '+')
      emit({ event = 'started', ticket = tonumber(ticket) })
    end
  end
  return reply
end

if op == 'release' then
  local ticket, unless_granted, starting, token = ARGV[3], ARGV[4], ARGV[5], ARGV[6]
  if not is_theirs(ticket, token) then return 'gone' end
  local granted = redis.call('HGET', holders, ticket)
  local held = granted ~= false
  if held and unless_granted == '1' then return 'granted' end
  if held and starting == '1' and string.sub(granted, -1) ~= '+' then
    emit({ event = 'started', ticket = tonumber(ticket) })
  end
  emit({ event = held and 'completed' or 'left', ticket = tonumber(ticket), label = label_of(ticket) })
  remove(ticket)
  bump()
  grant()
  return 'released'
end

if op == 'reset' then
  local force, expect = ARGV[3], ARGV[4]
  if redis.call('EXISTS', state) == 0 then return { 'missing' } end
  if expect ~= '' and tonumber(expect) ~= tickets then return { 'activity' } end
  local in_use = redis.call('ZCARD', queue)
  if in_use > 0 and force ~= '1' then return { 'in-use', in_use } end
  redis.call('DEL', state, queue, presence, users, holders, requests)
  emit({ event = 'reset' })
  return { 'removed' }
end

return redis.error_reply('unknown lock op ' .. tostring(op))
