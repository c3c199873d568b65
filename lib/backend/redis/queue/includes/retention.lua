-- Retention: which finished jobs are listed, and their removal. A finished job that is no flow's
-- part goes, with its flow's parts, once it is older than its queue keeps or more of its state
-- are newer than the queue keeps. Each step removes a bounded batch, oldest first, so no step
-- scans the queue.
--- @include "job.lua"

-- What removing finished jobs touches.
local REMOVES = { jobs, specs, results, inputs, progress, totals, removed, expiring, outlived,
  DONE.completed, DONE.failed, DONE.cancelled, TRIMMED.completed, TRIMMED.failed,
  TRIMMED.cancelled, groups, ready, pending, active, waiting }

-- The count of finished jobs after the step's last listing (nil: none listed yet).
local finished_total

-- A finished job that is no flow's part is listed, and kept by its queue's retention, or by
-- its own --keep: for a duration after it finished, and/or until that many more finished.
local function listed(job, state)
  call('ZADD', DONE[state], now_ms, job.id)
  local finished = call('HINCRBY', totals, 'finished', 1)
  finished_total = finished
  if not job.keep then
    call('ZADD', TRIMMED[state], now_ms, job.id)
    return
  end
  if type(job.keep.ageMs) == 'number' then
    call('ZADD', expiring, now_ms + job.keep.ageMs, job.id)
  end
  if type(job.keep.count) == 'number' then
    call('ZADD', outlived, finished + job.keep.count, job.id)
  end
end

-- Takes finished jobs `ids` off every list of finished jobs.
local function unlisted(ids)
  for state, done in pairs(DONE) do
    call_many('ZREM', done, ids)
    call_many('ZREM', TRIMMED[state], ids)
  end
  call_many('ZREM', expiring, ids)
  call_many('ZREM', outlived, ids)
end

-- Whether a finished job's flow has a part still running (a parallel part that outlived its
-- group's failure): then the flow stays for now.
local function unfinished(job)
  if not job then return false end
  if job.state == 'active' or job.state == 'pending' or job.state == 'waiting' then return true end
  if not job.group then return false end
  local count, part = parts_of(job)
  for i = 1, count do
    if unfinished(decode(part(i))) then return true end
  end
  return job.group.postprocess ~= nil and unfinished(decode(job.group.postprocess))
end

-- Adds a finished job (`job`: its record, nil if it has none) and its flow's parts to `gone`:
-- their ids, how many of each state leave the totals, each part as `removed` remembers it
-- (show and wait on a part say how it ended, as of its flow), and the field that kept the group
-- of a --group's run (keys.lua): a coord that ends a run removes it, but one from before that
-- field, ending a run a later coord took in a rolling upgrade, left it behind. A part with no
-- record coord can read, which its failed flow left as it was, may still wait or be in the run
-- order (`gone.loose`): a claim meeting it there would fail it back into being.
local function drop(id, job, gone, part)
  if part and not job then table.insert(gone.loose, id) end
  if job then
    gone.states[job.state] = (gone.states[job.state] or 0) + 1
    if part and DONE[job.state] then table.insert(gone.parts, job.state .. ':' .. id) end
    if job.groupKey then table.insert(gone.runs, 'running:' .. id) end
    if job.group then
      local count, part = parts_of(job)
      for i = 1, count do drop(part(i), decode(part(i)), gone, true) end
      local postprocess = job.group.postprocess
      if postprocess then drop(postprocess, decode(postprocess), gone, true) end
    end
  end
  table.insert(gone.ids, id)
end

-- What of job `id` besides its record and spec show would refuse (another program's result,
-- inputs or progress), named; nil when none.
local function foreign_part(id)
  for _, part in ipairs({ { results }, { inputs, 'table' }, { progress } }) do
    if not readable(part[1], id, part[2]) then
      return foreign_value(part[1], 'job ' .. id, call('HGET', part[1], id))
    end
  end
end

-- The state of finished job `id` by the list holding it (nil in none), for one whose record is gone.
local function listed_state(id)
  for state, key in pairs(DONE) do
    if call('ZSCORE', key, id) then return state end
  end
end

-- What retention goes by: a job left there heads its batch at every trim.
local RETAINED = { TRIMMED.completed, TRIMMED.failed, TRIMMED.cancelled, expiring, outlived }

-- Removes finished jobs `ids` (of `state`, else of the state each is in), remembering the newest
-- `max_removed` so show and wait can say so. Each key gets one command for the batch. A job
-- show refuses (its record, spec, result, inputs or progress another program's) is refused
-- with `refuse`, as SQL refuses its row, before the step's first write (a purge). Retention
-- (`refuse` nil, in a step that wrote already) leaves its record as it is, and no longer goes
-- by it: else the same few would head every batch, and nothing behind them would go.
local function remove(state, ids, max_removed, refuse)
  if #ids == 0 then return 0 end
  read_ahead(ids)
  local held_specs = read_many('HMGET', specs, ids)
  local gone = { ids = {}, states = {}, parts = {}, runs = {}, loose = {} }
  local removals, listed_ids = {}, {}
  for k, id in ipairs(ids) do
    local job, held_text = decode(id)
    local refusal = held_text and foreign_value(jobs, 'job ' .. id, held_text)
      or not spec_json_ok(held_specs[k]) and foreign_value(specs, 'job ' .. id, held_specs[k])
      or refuse and foreign_part(id)
    if refusal then
      if refuse then error({ err = 'FOREIGN ' .. refusal }) end
      for _, key in ipairs(RETAINED) do call('ZREM', key, id) end
    elseif not unfinished(job) then
      local ended = state or (job and DONE[job.state] and job.state)
        or (not job and listed_state(id))
      drop(id, job, gone)
      -- A record another program deleted: its finished list said how it ended, and that state's
      -- total still counts it.
      if not job and ended then gone.states[ended] = (gone.states[ended] or 0) + 1 end
      ended = ended or 'failed'
      table.insert(listed_ids, id)
      table.insert(removals, now_ms)
      table.insert(removals, ended .. ':' .. id)
    end
  end
  if #listed_ids == 0 then return 0 end
  for _, member in ipairs(gone.parts) do
    table.insert(removals, now_ms)
    table.insert(removals, member)
  end
  for ended, n in pairs(gone.states) do call('HINCRBY', totals, ended, -n) end
  delete(gone.ids)
  for _, hash in ipairs({ specs, results, inputs, progress }) do call_many('HDEL', hash, gone.ids) end
  call_many('HDEL', groups, gone.runs)
  for _, id in ipairs(gone.loose) do
    for _, key in ipairs({ ready, pending, active }) do call('ZREM', key, id) end
    if call('ZREM', waiting, id) == 1 then call('HINCRBY', totals, 'waiting', -1) end
  end
  unlisted(listed_ids)
  -- One entry an id, as on SQL: an id put again and removed again is remembered as it ended
  -- last, never as two states.
  local earlier = {}
  for i = 2, #removals, 2 do
    local id = string.match(removals[i], '^%a+:(.*)$')
    for ended in pairs(DONE) do table.insert(earlier, ended .. ':' .. id) end
  end
  call_many('ZREM', removed, earlier)
  call_many('ZADD', removed, removals)
  local over = call('ZCARD', removed) - max_removed
  if over > 0 then call('ZREMRANGEBYRANK', removed, 0, over - 1) end
  return #listed_ids
end

-- What the queue keeps of `state` (its config, else `defaults`): { count =, ageMs = }.
local function keep(state, defaults)
  local field = state == 'completed' and 'keepCompleted' or 'keepFailed'
  local json = setting(field)
  return json and cjson.decode(json) or defaults[field]
end

-- The oldest of `trimmed` (at most `batch`), finished longer than `age_ms` ago.
local function aged_jobs(trimmed, age_ms, batch)
  return call('ZRANGEBYSCORE', trimmed, '-inf', '(' .. (now_ms - age_ms), 'LIMIT', 0, batch)
end

-- Jobs put with their own --keep whose duration is over (at most `batch`).
local function expired_jobs(batch)
  return call('ZRANGEBYSCORE', expiring, '-inf', now_ms, 'LIMIT', 0, batch)
end

-- Retention's reads, made before the step writes, so that they spare their keys the check
-- before the first write (keys.lua); `trim` removes by them later in the step. `defaults_json`:
-- what a queue keeps when not configured, the batch, how many removed jobs to remember.
-- `listings`: how many jobs the step may list before it trims, at most. Its `removes`: whether
-- `trim` may remove a job. A batch for each job the step lists (as on SQL): a fixed one fell
-- behind a worker whose calls each end more runs than it, for as long as the calls went on.
local function trim_plan(defaults_json, listings)
  local defaults = cjson.decode(defaults_json)
  local batch = defaults.batch * math.max(1, listings)
  local plan = { defaults = defaults, batch = batch, states = {}, removes = false }
  for state, trimmed in pairs(TRIMMED) do
    local policy = keep(state, defaults)
    local of_state = { policy = policy }
    if type(policy.ageMs) == 'number' then
      -- A job listed by the step is as old as it (`now_ms`): never too old yet (an age is ≥ 1 ms).
      of_state.aged = aged_jobs(trimmed, policy.ageMs, batch)
      plan.removes = plan.removes or #of_state.aged > 0
    end
    if not (of_state.aged and #of_state.aged > 0) and type(policy.count) == 'number' then
      of_state.size = call('ZCARD', trimmed)
      plan.removes = plan.removes or of_state.size + listings > policy.count
    end
    plan.states[state] = of_state
  end
  plan.expiring = expired_jobs(batch)
  plan.finished = tonumber(call('HGET', totals, 'finished')) or 0
  -- The lowest counts, whichever the step's listings reach.
  plan.outlived = call('ZRANGE', outlived, 0, batch - 1, 'WITHSCORES')
  plan.removes = plan.removes or #plan.expiring > 0
    or (plan.outlived[2] ~= nil and tonumber(plan.outlived[2]) <= plan.finished + listings)
  return plan
end

-- Removes a few jobs of each finished state past what the queue keeps, by `plan` (made before
-- the step wrote) and what the step changed since: the jobs it listed.
local function trim(plan)
  local batch, max_removed = plan.batch, plan.defaults.maxRemoved
  for state, trimmed in pairs(TRIMMED) do
    local of_state = plan.states[state]
    local policy = of_state.policy
    local doomed = of_state.aged or {}
    if #doomed == 0 and of_state.size then
      local over = of_state.size + (resized[trimmed] or 0) - policy.count
      if over > 0 then doomed = call('ZRANGE', trimmed, 0, math.min(over, batch) - 1) end
    end
    remove(state, doomed, max_removed)
  end
  -- Jobs put with their own --keep, past it. The step's removals and listings change both sets:
  -- then they are read again.
  local expired = plan.expiring
  if moved[expiring] then expired = expired_jobs(batch) end
  remove(nil, expired, max_removed)
  local finished = finished_total or plan.finished
  local outlived_ids = {}
  if moved[outlived] then
    outlived_ids = call('ZRANGEBYSCORE', outlived, '-inf', finished, 'LIMIT', 0, batch)
  else
    for i = 1, #plan.outlived, 2 do
      if tonumber(plan.outlived[i + 1]) > finished then break end
      table.insert(outlived_ids, plan.outlived[i])
    end
  end
  remove(nil, outlived_ids, max_removed)
end
