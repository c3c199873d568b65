-- A job's record (coord's own fields, in `jobs`), read back checked, and whose run it is.
--- @include "keys.lua"

local STATES = { waiting = true, pending = true, active = true, completed = true, failed = true,
  cancelled = true }
local NUMBERS = { 'attempts', 'stalls', 'readyAt', 'createdAt' }
-- Whether `n` is a count coord could have written (absent where `optional`): beyond 2^53 a
-- count no longer goes up by one, and an attempt would not fence its run.
local function count_ok(n, optional)
  if n == nil then return optional end
  return type(n) == 'number' and n == math.floor(n) and n >= -MAX_WHOLE and n <= MAX_WHOLE
end
-- A priority as a put takes it (MAX_PRIORITY in lib/queue/limits.ts), absent for 0: another
-- program's beyond it would be run ahead of every job of coord's, its run order (run_order.lua)
-- no longer an exact integer of a double.
local MAX_PRIORITY = 1000
local function priority_ok(n)
  return n == nil or (count_ok(n) and n >= -MAX_PRIORITY and n <= MAX_PRIORITY)
end
-- A count from 0 (attempts, stalls, failures): below, an attempt would not fence its run.
local function tally_ok(n, optional)
  return count_ok(n, optional) and (n == nil or n >= 0)
end
-- The times a job keeps (the first two always), each an instant a JavaScript Date can show
-- (record.ts): a later one would break every page and line that shows the job.
local TIMES = { 'readyAt', 'createdAt', 'startedAt', 'finishedAt', 'beginBy', 'leaseUntil' }
local LAST_DATE_MS = 8.64e15
local function times_ok(job)
  for i, field in ipairs(TIMES) do
    local t = job[field]
    if t == nil then
      if i <= 2 then return false end
    elseif type(t) ~= 'number' or t < 0 or t > LAST_DATE_MS then
      return false
    end
  end
  return true
end

-- A step that ends and takes many jobs (finish) holds their records back and writes each once,
-- at its end (`write_back`): `held[id]` is the job as the step saved it (false: removed), which
-- `decode` reads instead of the hash. Records read for many ids at once (`read_ahead`) stand for
-- the hash while nothing else writes it, i.e. while the step holds records back.
local held
local read = {}
-- The json of each record the step wrote back.
local written = {}

local function hold_back() held = {} end

-- Records `peek` decoded before the step changed them, each handed out once by `decode`.
local peeked = {}

-- Reads the records of `ids` in one command, for `decode` to use (those not read already).
local function read_ahead(ids)
  local unread = {}
  for _, id in ipairs(ids) do
    if read[id] == nil then table.insert(unread, id) end
  end
  for i, json in ipairs(read_many('HMGET', jobs, unread)) do read[unread[i]] = json end
end

-- Whether a record's flow fields are as coord writes them: the steps walk a group's parts and
-- load a part's parent, and a Lua error there would stop every step that meets the record. A
-- group's parts are listed (`children`), or, where they are ID.0, ID.1, … (the names flowNodes
-- gives every flow coord puts: see putflow.lua), counted (`parts`), so that its record holds a
-- few bytes whatever its size and a part's end decodes and writes only those.
local function flow_fields_ok(job)
  if job.parent ~= nil and type(job.parent) ~= 'string' then return false end
  local group = job.group
  if group == nil then return true end
  if type(group) ~= 'table' or type(group.done) ~= 'number'
    or (group.postprocess ~= nil and type(group.postprocess) ~= 'string') then return false end
  if group.children == nil then
    -- Counted: `done` reaches `parts` once every part ended and the postprocess runs. A flow
    -- holds fewer than 10,000 parts (MAX_FLOW_NODES in lib/queue/limits.ts): another program's
    -- count beyond would hold the server in a loop over its parts.
    local parts, done = group.parts, group.done
    return tally_ok(parts) and parts >= 1 and parts < 10000 and tally_ok(done) and done <= parts
  end
  if type(group.children) ~= 'table' or group.parts ~= nil then return false end
  for _, child in ipairs(group.children) do
    if type(child) ~= 'string' then return false end
  end
  return true
end

-- How many parts group `job` has (its postprocess aside), and a function naming part `i` (from
-- 1): a counted group's by their number, not read from a list. (One local: a script's main
-- function holds at most 200, and the steps that include this are near it.)
local function parts_of(job)
  local group = job.group
  if group.children then
    return #group.children, function(i) return group.children[i] end
  end
  return group.parts, function(i) return job.id .. '.' .. (i - 1) end
end

-- A job's state as coord wrote it, or nil and the text held instead (another program wrote
-- there). The steps compute with these fields, so each is checked before it is used.
local function decode(id)
  if held and held[id] ~= nil then return held[id] or nil end
  local early = peeked[id]
  if early then
    peeked[id] = nil
    return early
  end
  local json = read[id]
  if json == nil then json = call('HGET', jobs, id) end
  if not json then return nil end
  local ok, job = pcall(cjson.decode, json)
  local wrong = not ok or type(job) ~= 'table' or job.id ~= id or not STATES[job.state]
    or not tally_ok(job.attempts) or not tally_ok(job.stalls)
    or not tally_ok(job.failures, true) or not priority_ok(job.priority) or not times_ok(job)
    or (job.keep ~= nil and type(job.keep) ~= 'table')
    or (job.history ~= nil and type(job.history) ~= 'table')
    or (job.groupKey ~= nil and type(job.groupKey) ~= 'string') or not flow_fields_ok(job)
  for _, field in ipairs(NUMBERS) do wrong = wrong or type(job[field]) ~= 'number' end
  if wrong then return nil, json end
  return job
end

-- `decode(id)` for a look before the step changes the job: the next `decode(id)` gets the same
-- record without decoding it again.
local function peek(id)
  local job, held_text = decode(id)
  if job then peeked[id] = job end
  return job, held_text
end

local function load(id)
  local job, held = decode(id)
  if held then
    error({ err = 'FOREIGN ' .. foreign_value(jobs, 'job ' .. id, held) })
  end
  return job
end

-- A job's spec as coord writes it (as isJobSpec in lib/queue/record.ts): empty (a group's, or a
-- job's failed as unreadable), or a handler's name or a command's argv, with whole retries and
-- a backoff. A step that would change a job it cannot run checks it first.
local function spec_ok(spec)
  if type(spec) ~= 'table' then return false end
  if next(spec) == nil then return true end
  local handler, command = spec.handler, spec.command
  local runs = command == nil and type(handler) == 'string'
  if command ~= nil and handler == nil and type(command) == 'table' and #command > 0 then
    runs = true
    for key, arg in pairs(command) do
      if type(key) ~= 'number' or type(arg) ~= 'string' then runs = false end
    end
  end
  local function number(value, low)
    return type(value) == 'number' and value >= low and value < math.huge
  end
  return runs and number(spec.retries, 0) and spec.retries == math.floor(spec.retries)
    and spec.retries <= 9007199254740991 and number(spec.backoffMs, 0)
    and (spec.timeoutMs == nil or (number(spec.timeoutMs, 0) and spec.timeoutMs > 0))
end

-- Whether a job's stored spec `json` is absent (false or nil) or one coord wrote (see `spec_ok`).
local function spec_json_ok(json)
  if not json then return true end
  local ok, spec = pcall(cjson.decode, json)
  -- cjson reads `[]` as an empty table too: an empty spec is an object.
  return ok and spec_ok(spec) and (next(spec) ~= nil or json:match('^%s*{') ~= nil)
end

-- Whether a job's spec is absent or one coord wrote.
local function spec_readable(id)
  return spec_json_ok(call('HGET', specs, id))
end

-- Whether a job's part in `hash` is absent or JSON (of Lua type `want`, when given). Decoded
-- only to check it: see the note on user data in keys.lua.
local function readable(hash, id, want)
  local json = call('HGET', hash, id)
  if not json then return true end
  local ok, value = pcall(cjson.decode, json)
  return ok and (want == nil or type(value) == want)
end

-- A digest of job `id`'s stored record, spec and inputs (each false when absent): a claim hands
-- it out with the job it stopped at, and fail_undecodable fails the job only while it is the
-- same, so a worker whose claim met the job before it was failed, retried and taken again by
-- another fails nothing of the healthy job.
local function fingerprint(id)
  local parts = { call('HGET', jobs, id), call('HGET', specs, id), call('HGET', inputs, id) }
  return redis.sha1hex(cjson.encode({ parts[1] or false, parts[2] or false, parts[3] or false }))
end

local function save(job)
  if held then held[job.id] = job else call('HSET', jobs, job.id, cjson.encode(job)) end
end

-- Removes the records of `ids`.
local function delete(ids)
  for _, id in ipairs(ids) do
    if held then held[id] = false end
    read[id] = nil
  end
  call_many('HDEL', jobs, ids)
end

-- Writes the records held back in one command, and goes on holding back; returns the json of
-- every record the step wrote back, by id. A step writes back before anything that may fail on
-- another program's data (a flow's record), so the runs before it stay whole.
local function write_back()
  local fields = {}
  for id, job in pairs(held) do
    if job then
      written[id] = cjson.encode(job)
      table.insert(fields, id)
      table.insert(fields, written[id])
    end
  end
  call_many('HSET', jobs, fields)
  held, read, peeked = {}, {}, {}
  return written
end

-- The attempt fences a worker's run: once its lease ran out and the job was claimed again
-- (even by the same worker), the old run can neither renew nor finish it.
local function owned(id, worker, attempt)
  local job = load(id)
  if job and job.state == 'active' and job.worker == worker and job.attempts == tonumber(attempt)
  then return job end
end
