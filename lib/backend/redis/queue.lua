-- Every queue step in one script (see lib/queue/steps.ts). All keys share one hash tag.
-- KEYS: jobs (hash id -> state json: coord's own fields only), specs (hash id -> the job's
--       spec json, as given), results (hash id -> result json, as returned), pending (zset
--       id -> ready at ms), active (zset id -> lease end ms), totals (hash state -> count of
--       finished jobs), workers (zset worker -> announced until ms), counter (string: last id)
-- ARGV: channel, op, op arguments…
-- User data (specs, results) is stored as the strings given and never decoded here: cjson
-- would turn [] into {} and cut numbers to 14 digits.

local jobs, specs, results, pending, active, totals, workers, counter =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local refused = wrong_type({ [jobs] = 'hash', [specs] = 'hash', [results] = 'hash',
  [pending] = 'zset', [active] = 'zset', [totals] = 'hash', [workers] = 'zset',
  [counter] = 'string' })
if refused then return refused end

local now_ms = math.floor(now)

local function load(id)
  local json = redis.call('HGET', jobs, id)
  if not json then return nil end
  local ok, job = pcall(cjson.decode, json)
  if not ok or type(job) ~= 'table' or type(job.state) ~= 'string' then
    error({ err = 'FOREIGN ' .. jobs .. ' holds ' .. string.sub(json, 1, 60) .. ' for job ' .. id })
  end
  return job
end

local function save(job)
  redis.call('HSET', jobs, job.id, cjson.encode(job))
end

local function finish(job, state)
  job.state = state
  job.finishedAt = now_ms
  redis.call('ZREM', pending, job.id)
  redis.call('ZREM', active, job.id)
  redis.call('HINCRBY', totals, state, 1)
  save(job)
end

local function changed() redis.call('PUBLISH', channel, 'changed') end

if op == 'put' then
  local id, spec, ready, begin_by = ARGV[3], ARGV[4], ARGV[5], ARGV[6]
  -- "+MS": that long from now on the server's clock; else an instant.
  local ready_at = string.sub(ready, 1, 1) == '+' and now_ms + tonumber(string.sub(ready, 2))
    or tonumber(ready)
  if id == '' then
    local last = redis.call('GET', counter)
    if last and not tonumber(last) then return foreign(counter .. ' holds "' .. last .. '"') end
    id = tostring(redis.call('INCR', counter))
  elseif redis.call('HEXISTS', jobs, id) == 1 then
    local job = load(id)
    return { 0, cjson.encode(job), redis.call('HGET', specs, id) }
  end
  local job = { id = id, state = 'pending', attempts = 0, stalls = 0, readyAt = ready_at,
    createdAt = now_ms, beginBy = tonumber(begin_by) }
  save(job)
  redis.call('HSET', specs, id, spec)
  redis.call('ZADD', pending, ready_at, id)
  changed()
  return { 1, cjson.encode(job), spec }
end

if op == 'claim' then
  local worker, lease_ms, max_stalls = ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
  -- Jobs whose worker died: back to pending, or failed once abandoned too often.
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', active, '-inf', '(' .. now_ms, 'LIMIT', 0, 100)) do
    local job = load(id)
    redis.call('ZREM', active, id)
    job.stalls = job.stalls + 1
    if job.stalls > max_stalls then
      job.error = 'abandoned ' .. job.stalls .. ' times by workers that stopped answering'
      finish(job, 'failed')
    else
      job.state = 'pending'
      job.readyAt = now_ms
      save(job)
      redis.call('ZADD', pending, now_ms, id)
    end
  end
  for _ = 1, 100 do
    local first = redis.call('ZRANGEBYSCORE', pending, '-inf', now_ms, 'LIMIT', 0, 1)[1]
    if not first then
      local next = redis.call('ZRANGE', pending, 0, 0, 'WITHSCORES')
      return { 'none', next[2] or '' }
    end
    local job = load(first)
    if job.beginBy and job.beginBy < now_ms then
      job.error = 'expired: not started by its --begin-by'
      finish(job, 'failed')
      changed()
    else
      redis.call('ZREM', pending, first)
      redis.call('ZADD', active, now_ms + lease_ms, first)
      job.state = 'active'
      job.attempts = job.attempts + 1
      job.worker = worker
      job.startedAt = now_ms
      save(job)
      changed()
      return { 'job', cjson.encode(job), redis.call('HGET', specs, first) }
    end
  end
  return { 'none', now_ms }
end

local function owned(id, worker)
  local job = load(id)
  if job and job.state == 'active' and job.worker == worker then return job end
end

if op == 'renew' then
  local id, worker, lease_ms = ARGV[3], ARGV[4], tonumber(ARGV[5])
  if not owned(id, worker) then return 0 end
  redis.call('ZADD', active, 'XX', now_ms + lease_ms, id)
  return 1
end

if op == 'finish' then
  local id, worker, outcome, payload, delay_ms = ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]
  local job = owned(id, worker)
  if not job then return 0 end
  if outcome == 'completed' then
    redis.call('HSET', results, id, payload)
    job.error = nil
    finish(job, 'completed')
  elseif outcome == 'failed' then
    job.error = payload
    finish(job, 'failed')
  else
    job.error = payload
    job.state = 'pending'
    job.readyAt = now_ms + tonumber(delay_ms)
    redis.call('ZREM', active, id)
    redis.call('ZADD', pending, job.readyAt, id)
    save(job)
  end
  changed()
  return 1
end

if op == 'cancel' then
  local id = ARGV[3]
  local job = load(id)
  if not job then return {} end
  if job.state == 'pending' then
    job.error = 'cancelled'
    finish(job, 'cancelled')
    changed()
  end
  return { cjson.encode(job), redis.call('HGET', specs, id) }
end

if op == 'get' then
  local id = ARGV[3]
  local job = redis.call('HGET', jobs, id)
  if not job then return {} end
  load(id)
  return { job, redis.call('HGET', specs, id) or '{}', redis.call('HGET', results, id) or '' }
end

if op == 'counts' then
  redis.call('ZREMRANGEBYSCORE', workers, '-inf', '(' .. now_ms)
  local oldest = redis.call('ZRANGEBYSCORE', pending, '-inf', now_ms, 'WITHSCORES', 'LIMIT', 0, 1)
  local ready = redis.call('ZCOUNT', pending, '-inf', now_ms)
  local totals_list = redis.call('HGETALL', totals)
  local reply = { ready, redis.call('ZCARD', pending) - ready, redis.call('ZCARD', active),
    oldest[2] or '', cjson.encode(redis.call('ZRANGE', workers, 0, -1)) }
  for _, value in ipairs(totals_list) do table.insert(reply, value) end
  return reply
end

if op == 'announce' then
  local worker, ttl_ms = ARGV[3], tonumber(ARGV[4])
  if ttl_ms > 0 then
    redis.call('ZADD', workers, now_ms + ttl_ms, worker)
  else
    redis.call('ZREM', workers, worker)
  end
  redis.call('ZREMRANGEBYSCORE', workers, '-inf', '(' .. now_ms)
  return 1
end

return redis.error_reply('unknown queue op ' .. tostring(op))
