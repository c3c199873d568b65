-- A new job (`put`): its id, its dedupe key, its place in the run order.
--- @include "run_order.lua"

-- What a put touches: a job's own parts and its place; a --group's room and the group limit in
-- config; a dedupe key's job and window (also when forgetting keys past theirs, which it reads
-- first); a flow's waiting parts.
local PUT_JOB = { jobs, specs, results, inputs, progress, pending, ready, counter }
local PUT_GROUPED = { parked, groups, config }
local PUT_DEDUPED = { dedupe, dedupe_until }
-- All of them, and a flow's waiting parts: what a step of many puts may touch.
local PUTS = { waiting, totals }
for _, keys in ipairs({ PUT_JOB, PUT_GROUPED, PUT_DEDUPED }) do
  for _, key in ipairs(keys) do table.insert(PUTS, key) end
end

-- What every step of puts (one, many, a flow) reads first, even when it will write nothing (an
-- id taken), so that all refuse another program's data alike: the config, and the totals, which
-- a flow's waiting parts are counted in.
local function check_puts()
  check_settings()
  check_totals()
end

-- The job put with dedupe `key`, while it is unfinished or its window lasts. A record another
-- program wrote there is refused: read as no job, the key would be given to the new one.
local function deduplicated(key)
  local id = call('HGET', dedupe, key)
  local job = id and load(id)
  if not job then return nil end
  local live = job.state == 'pending' or job.state == 'active' or job.state == 'waiting'
  if live or tonumber(call('ZSCORE', dedupe_until, key) or 0) > now_ms then return job end
end

-- Forgets a few dedupe keys whose window is over and whose job finished (one whose job still
-- runs stays, and is forgotten by a later put once it has finished): 10 for each put of the
-- step, so keys go at least as fast as puts come.
local function trim_dedupe(puts)
  local over = call('ZRANGEBYSCORE', dedupe_until, '-inf', now_ms, 'LIMIT', 0, 10 * puts)
  for _, key in ipairs(over) do
    if not deduplicated(key) then
      call('HDEL', dedupe, key)
      call('ZREM', dedupe_until, key)
    end
  end
end

-- A step's puts are written together, at its end (`write_puts`): the records held back (see
-- job.lua), and what each key gets for all new jobs in one command. Nothing a put reads before
-- then looks at what is written there, but the specs, which `spec_of` reads from here.
local new = { specs = {}, ids = {}, pending = {}, ready = {}, waiting = {} }
-- The last number the step gave out as an id (nil: none yet); the counter is set to it at the end.
local last_number

local function spec_of(id)
  return new.specs[id] or call('HGET', specs, id)
end

-- Whether a job has the id (a record another program wrote counts).
local function exists(id)
  if held[id] ~= nil then return held[id] ~= false end
  if read[id] ~= nil then return read[id] ~= false end
  return call('HEXISTS', jobs, id) == 1
end

-- The queue's next number not taken by an --id. `expected`: how many the step may give out,
-- whose records are read ahead in one command.
local function next_number(expected)
  -- Past 2^53 a Lua number no longer counts (n + 1 == n), and a loop over numbers would never
  -- end, holding the server. A counter there is no queue's of coord's.
  local LAST_JOB_NUMBER = 2 ^ 53 - 1
  if not last_number then
    local last = call('GET', counter)
    if last and not (string.match(last, '^%d+$') and tonumber(last) < LAST_JOB_NUMBER) then
      error({ err = 'FOREIGN ' .. counter .. ' holds "' .. string.sub(last, 1, 60) .. '"' })
    end
    last_number = tonumber(last) or 0
    local ahead = {}
    local upto = math.min(last_number + (expected or 1), LAST_JOB_NUMBER)
    for n = last_number + 1, upto do table.insert(ahead, exact(n)) end
    read_ahead(ahead)
  end
  repeat
    if last_number >= LAST_JOB_NUMBER then
      error({ err = 'FOREIGN ' .. counter .. ' holds "' .. exact(last_number) .. '"' })
    end
    last_number = last_number + 1
  until not exists(exact(last_number))
  return exact(last_number)
end

-- A new job, its record `job` and its spec's json, joins what the step writes at its end: pending
-- (a --group's joins its group at once, its room counted as it does), or a flow's part waiting
-- for the parts before it.
local function add(job, spec)
  save(job)
  new.specs[job.id] = spec
  table.insert(new.ids, job.id)
  if job.state == 'waiting' then
    table.insert(new.waiting, now_ms)
    table.insert(new.waiting, job.id)
  elseif job.groupKey then
    enqueue(job)
  else
    table.insert(new.pending, job.readyAt)
    table.insert(new.pending, job.id)
    if job.readyAt <= now_ms then
      table.insert(new.ready, exact(run_order(job.priority, job.readyAt)))
      table.insert(new.ready, job.id)
      became_ready = true
    end
  end
end

-- Adds a job unless its id (or its dedupe key) is taken:
-- { 1 created or 0, its state, its spec, 1 when it was found by its dedupe key or 0 }.
-- `numbers`: how many puts of the step take the queue's next number.
local function put(id, spec, ready_arg, begin_by, dedupe_key, dedupe_ms, priority, keep_json,
    group, numbers)
  if dedupe_key ~= '' and (id == '' or not exists(id)) then
    local first = deduplicated(dedupe_key)
    if first then return { 0, cjson.encode(first), spec_of(first.id), 1 } end
  end
  -- "+MS": that long from now on the server's clock; else an instant.
  -- An instant in the past is now: the job became pending when it was put, which its
  -- oldest-pending age, --begin-by and place among jobs of its priority count from (as on SQL).
  local ready_at = math.max(now_ms, string.sub(ready_arg, 1, 1) == '+'
    and now_ms + tonumber(string.sub(ready_arg, 2)) or tonumber(ready_arg))
  if id == '' then
    id = next_number(numbers)
  elseif exists(id) then
    local job = load(id)
    return { 0, cjson.encode(job), spec_of(id), 0 }
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
  add(job, spec)
  return { 1, cjson.encode(job), spec, 0 }
end

-- Writes what the step's puts hold back. A new job's id may have been a job's before (removed
-- by a purge, or another program's): its old result, inputs and progress go.
local function write_puts()
  local fields = {}
  for _, id in ipairs(new.ids) do
    table.insert(fields, id)
    table.insert(fields, new.specs[id])
  end
  call_many('HDEL', results, new.ids)
  call_many('HDEL', inputs, new.ids)
  call_many('HDEL', progress, new.ids)
  call_many('HSET', specs, fields)
  call_many('ZADD', pending, new.pending)
  call_many('ZADD', ready, new.ready)
  call_many('ZADD', waiting, new.waiting)
  if #new.waiting > 0 then call('HINCRBY', totals, 'waiting', #new.waiting / 2) end
  if last_number then call('SET', counter, exact(last_number)) end
  write_back()
end
