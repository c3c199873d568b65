-- list: ARGV[2..5]: state, the cursor's score and id ('' for the first page), limit.
-- A page of a state's jobs after the cursor (its last job's score and id): finished jobs
-- newest first, others by their score (pending: when they may start, not by priority). The page
-- goes on from the cursor's rank while its job is still there (O(log N) whatever jobs come and
-- go), else from its score.
--- @include "includes/keys.lua"

refuse_all()
local state, after_score, after_id, limit = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
local desc = DONE[state] ~= nil
local zset = DONE[state] or (state == 'active' and active) or
  (state == 'waiting' and waiting) or pending
local lo, hi = '-inf', '+inf'
if state == 'pending' then hi = now_ms elseif state == 'scheduled' then lo = '(' .. now_ms end
local found = {}
local function within(score)
  score = tonumber(score)
  return (state ~= 'pending' or score <= now_ms) and (state ~= 'scheduled' or score > now_ms)
end
local function take(reply)
  for i = 1, #reply, 2 do
    if #found >= limit * 2 or not within(reply[i + 1]) then return end
    table.insert(found, reply[i])
    table.insert(found, reply[i + 1])
  end
end
if after_id == '' then
  if desc then
    take(call('ZREVRANGEBYSCORE', zset, hi, lo, 'WITHSCORES', 'LIMIT', 0, limit))
  else
    take(call('ZRANGEBYSCORE', zset, lo, hi, 'WITHSCORES', 'LIMIT', 0, limit))
  end
elseif tonumber(call('ZSCORE', zset, after_id)) == tonumber(after_score) then
  local rank = call(desc and 'ZREVRANK' or 'ZRANK', zset, after_id)
  take(call(desc and 'ZREVRANGE' or 'ZRANGE', zset, rank + 1, rank + limit, 'WITHSCORES'))
else
  local ties = call('ZRANGEBYSCORE', zset, after_score, after_score, 'WITHSCORES')
  local after = {}
  for i = 1, #ties, 2 do
    if (desc and ties[i] < after_id) or (not desc and ties[i] > after_id) then
      table.insert(after, ties[i])
      table.insert(after, ties[i + 1])
    end
  end
  if desc then
    local reversed = {}
    for i = #after - 1, 1, -2 do
      table.insert(reversed, after[i])
      table.insert(reversed, after[i + 1])
    end
    after = reversed
  end
  take(after)
  if #found < limit * 2 then
    local rest = limit - #found / 2
    if desc then
      take(call('ZREVRANGEBYSCORE', zset, '(' .. after_score, lo, 'WITHSCORES', 'LIMIT', 0,
        rest))
    else
      take(call('ZRANGEBYSCORE', zset, '(' .. after_score, hi, 'WITHSCORES', 'LIMIT', 0,
        rest))
    end
  end
end
-- Each job as its score, record, spec and progress, and the id of one whose record another
-- program deleted ('' for the others: a record of '' is another program's text, not a deletion).
local reply = {}
for i = 1, #found, 2 do
  local id = found[i]
  local record = call('HGET', jobs, id)
  table.insert(reply, found[i + 1])
  table.insert(reply, record or '')
  table.insert(reply, call('HGET', specs, id) or '{}')
  table.insert(reply, call('HGET', progress, id) or '')
  table.insert(reply, record and '' or id)
end
return reply
