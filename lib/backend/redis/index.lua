-- The index of one kind's names in a namespace (keys.ts indexKey): listing commands read it
-- instead of SCAN. Each name is scored by the backend time (ms) it was last touched; a creating
-- step touches it so that what it stored is listed, and a step refused leaves it as it was.
--
-- KEYS: names (zset name -> last touched, ms), scanned (string: set once the keys that older
--       coords wrote without an index were adopted by one SCAN), tidied (string: there for a
--       while after a writer tidied the index)
-- ARGV: channel (unused), op, op arguments…
-- Listings only read it (`list`): writers keep it (`add`, `unadd`, and the tidying `adopt` and
-- `prune`).

local names, scanned, tidied, op = KEYS[1], KEYS[2], KEYS[3], ARGV[2]
local kinds = { [names] = 'zset', [scanned] = 'string', [tidied] = 'string' }
local now_ms = math.floor(now)

-- A creating step touches the index: on one server or under Sentinel its own script does, at
-- its end, once it succeeded (prelude.lua, `indexed`); on a Cluster, where the index is in
-- another slot, `add` before the step, so that no step stores what the index then lacks (a
-- touch after it could fail, or never come), and `unadd` after a step refused. Both keys are
-- checked before either is written: SET NX answers nothing, not an error, on a key of any type,
-- so a check after it refused another program's tidy mark once the name was added.
-- `add` replies { due for tidying, the score it set when the name is new there, else 0 }.
if op == 'add' then
  local refused = wrong_type({ [names] = 'zset', [tidied] = 'string' })
  if refused then return refused end
  local due, added = index_name(names, tidied, ARGV[3], ARGV[4])
  return { due, added or '0' }
end

-- Undoes an `add` whose step was refused: the name, if its score is still the one that `add`
-- set (another writer's touch since, whose step may have stored, keeps it), and the tidy mark
-- when that `add` set it.
if op == 'unadd' then
  local name, score, due = ARGV[3], ARGV[4], ARGV[5]
  if score ~= '0' and tonumber(redis.call('ZSCORE', names, name)) == tonumber(score) then
    redis.call('ZREM', names, name)
  end
  if due == '1' then redis.call('DEL', tidied) end
  return 1
end

local refused = wrong_type(kinds)
if refused then return refused end

-- Whether the adoption SCAN ran, then each name and its score.
if op == 'list' then
  local reply = { redis.call('EXISTS', scanned) }
  for _, v in ipairs(redis.call('ZRANGE', names, 0, -1, 'WITHSCORES')) do
    table.insert(reply, v)
  end
  return reply
end

if op == 'adopt' then
  for i = 3, #ARGV do redis.call('ZADD', names, 'NX', now_ms, ARGV[i]) end
  redis.call('SET', scanned, '1')
  return 1
end

-- Drops a name whose keys were found gone: not when it was touched since the lister read its
-- score, nor lately (its creator skips touching it again for a while: INDEX_RETOUCH_MS in
-- backend.ts, and its keys may be written again meanwhile).
if op == 'prune' then
  local name, seen, grace_ms = ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
  local score = tonumber(redis.call('ZSCORE', names, name))
  if score and score == seen and score < now_ms - grace_ms then
    return redis.call('ZREM', names, name)
  end
  return 0
end

return redis.error_reply('unknown index op ' .. tostring(op))
