-- A new job (`put`): its id, its dedupe key, its place in the run order.
--- @include "run_order.lua"

-- What a put touches.
local PUTS = { jobs, specs, results, inputs, progress, pending, ready, parked, groups, counter,
  dedupe, dedupe_until, waiting, totals, config }

-- The job put with dedupe `key`, while it is unfinished or its window lasts.
local function deduplicated(key)
  local id = call('HGET', dedupe, key)
  local job = id and decode(id)
  if not job then return nil end
  local live = job.state == 'pending' or job.state == 'active' or job.state == 'waiting'
  if live or tonumber(call('ZSCORE', dedupe_until, key) or 0) > now_ms then return job end
end

-- Forgets a few dedupe keys whose window is over and whose job finished (one whose job still
-- runs stays, and is forgotten by a later put once it has finished).
local function trim_dedupe()
  for _, key in ipairs(call('ZRANGEBYSCORE', dedupe_until, '-inf', now_ms, 'LIMIT', 0, 10)) do
    if not deduplicated(key) then
      call('HDEL', dedupe, key)
      call('ZREM', dedupe_until, key)
    end
  end
end

-- Adds a job unless its id (or its dedupe key) is taken:
-- { 1 created or 0, its state, its spec, 1 when it was found by its dedupe key or 0 }.
local function put(id, spec, ready_arg, begin_by, dedupe_key, dedupe_ms, priority, keep_json,
    group)
  trim_dedupe()
  if dedupe_key ~= '' and (id == '' or call('HEXISTS', jobs, id) == 0) then
    local first = deduplicated(dedupe_key)
    if first then return { 0, cjson.encode(first), call('HGET', specs, first.id), 1 } end
  end
  -- "+MS": that long from now on the server's clock; else an instant.
  local ready_at = string.sub(ready_arg, 1, 1) == '+'
    and now_ms + tonumber(string.sub(ready_arg, 2)) or tonumber(ready_arg)
  if id == '' then
    local last = call('GET', counter)
    if last and not tonumber(last) then
      error({ err = 'FOREIGN ' .. counter .. ' holds "' .. last .. '"' })
    end
    -- Numbers taken by an --id are skipped.
    repeat id = tostring(call('INCR', counter)) until call('HEXISTS', jobs, id) == 0
  elseif call('HEXISTS', jobs, id) == 1 then
    local job = load(id)
    return { 0, cjson.encode(job), call('HGET', specs, id), 0 }
  end
  if dedupe_key ~= '' then
    call('HSET', dedupe, dedupe_key, id)
    call('ZADD', dedupe_until, now_ms + tonumber(dedupe_ms), dedupe_key)
  end
  -- --begin-by counts from when the job may start.
  local job = { id = id, state = 'pending', attempts = 0, failures = 0, stalls = 0,
    readyAt = ready_at, createdAt = now_ms,
    beginBy = tonumber(begin_by) and ready_at + tonumber(begin_by),
    priority = tonumber(priority) ~= 0 and tonumber(priority) or nil,
    keep = keep_json ~= '' and cjson.decode(keep_json) or nil,
    groupKey = group ~= '' and group or nil }
  save(job)
  call('HDEL', results, id)
  call('HDEL', inputs, id)
  call('HDEL', progress, id)
  call('HSET', specs, id, spec)
  enqueue(job)
  return { 1, cjson.encode(job), spec, 0 }
end
