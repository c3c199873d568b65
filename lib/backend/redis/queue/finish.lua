-- finish: ends a worker's runs and takes jobs for the slots it has free, in one step (finish
-- and claim are its cases of one run and of one slot). What a step costs once (the checks, the
-- config, retention, the stalled jobs, promotion, the message) is paid once per call, and the
-- runs and jobs that need nothing else are written with one command per key for the batch.
-- ARGV[2..7]: the worker the jobs are leased to, their lease ms, how many to take (0: none, the
-- worker is stopping or has no free slot), the stall limit, the retention defaults json (see
-- `trim`), the ids of the jobs the worker runs (a json array, after a call whose answer was lost;
-- '' otherwise); then 6 for each run, in order: id, worker, attempt, outcome (completed, failed,
-- retry, release), payload (the result json, or the error), the retry's delay ms.
-- Returns { '1' or '0' for each run (recorded, or no longer the worker's), the next start to
-- come ('' if none or not asked), the id of a job that cannot be read ('' if none) and its
-- stored text, the jobs the step failed itself (json, '' if none: see `fail_here`), the step's
-- clock (ms, which the next start is to come against), the fingerprint of the job that cannot
-- be read ('' if none), '1' if that job has no record at all (another program deleted it, where
-- its stored text is '' too; '' otherwise), then for each job taken: its record json, spec,
-- inputs, id, attempt }.
--- @include "includes/take.lua"

-- The arguments, and where the runs are among them, as one local: with those of every include
-- it expands, the step's main function is near the 200 locals Lua compiles, and what it keeps
-- free is each include's room to grow (tests/redis_lua_locals_test.ts).
local given = { taker = ARGV[2], lease_ms = tonumber(ARGV[3]), claims = tonumber(ARGV[4]),
  max_stalls = tonumber(ARGV[5]), defaults = ARGV[6], holding = ARGV[7], first_run = 8,
  run_fields = 6 }

hold_back()
-- Read before the step writes: retention and the claims go by it.
check_settings()
local ids = {}
for at = given.first_run, #ARGV, given.run_fields do table.insert(ids, ARGV[at]) end
read_ahead(ids)

-- Whether every run's end is a plain one, which touches only the keys guarded for it below,
-- until retention.
local function plain_runs()
  for at = given.first_run, #ARGV, given.run_fields do
    local job, held_text = peek(ARGV[at])
    local outcome = ARGV[at + 3]
    if held_text or (job and (job.parent or job.groupKey or job.keep
      or (outcome ~= 'completed' and outcome ~= 'failed'))) then return false end
  end
  return true
end

-- The step's reads that its writes before them would not change, or only in ways it counts,
-- made before it writes: each spares its key the check before the first write (keys.lua), so
-- the checks are left for the keys the step may touch and has not read.
local stalled = given.claims > 0 and stalled_jobs() or {}
local taking = given.claims > 0 and setting('paused') ~= '1'
local due = taking and due_jobs() or nil
-- The jobs that taking reaches first.
local head = taking and call('ZRANGE', ready, 0, given.claims - 1) or {}
local plain_ends = given.holding == '' and plain_runs()
-- Plain ends make no job ready: what taking reaches is the head.
local plain_takes = taking and plain_ends and simply_taken(head, stalled, due)
-- A call that only takes new jobs trims nothing: their ends, soon, will (an idle worker's
-- claim of one job reads no list of finished jobs on the way from its put to its start).
local trimming = not (#ids == 0 and plain_takes and #head > 0)
  and trim_plan(given.defaults, #ids)
if #ids > 0 or given.holding ~= '' then
  -- What a plain run's end writes (see `ended` below).
  guard(plain_ends and { jobs, results, active, totals, DONE.completed, DONE.failed,
    TRIMMED.completed, TRIMMED.failed } or ENDS)
end
-- The groups the step may touch: those of the jobs whose runs end or go back, that are recovered,
-- that promotion places and that taking reaches first, their counts checked before it writes.
-- In a block of their own, as the loops below: no local outlives its use (see `given`).
do
  local touched = {}
  local function touching(names)
    for _, group in ipairs(names) do table.insert(touched, group) end
  end
  touching(groups_of(ids))
  if given.holding ~= '' then touching(groups_of(call('ZRANGE', active, 0, -1))) end
  touching(groups_of(stalled))
  if due then touching(due_groups(due)) end
  touching(groups_of(head))
  check_groups(touched)
end
if trimming and trimming.removes then guard(REMOVES) end
if plain_takes then
  -- With nothing ready, nothing is taken.
  if #head > 0 then guard(PLAIN_TAKES) end
elseif given.claims > 0 then
  guard(TAKES)
end

-- Runs of jobs that are no flow's part, of no --group and without their own --keep, that
-- completed or failed: nothing else moves with them, so they leave `active` and join the
-- finished together. An active job is in none of pending, ready or waiting (taking it removed
-- it from the first two; only a flow's unreleased part is in waiting).
local ended = { runs = {}, results = {}, completed = {}, failed = {} }

-- Every score the batch writes is the step's instant, formatted once.
local ended_at = exact(now_ms)

local function record_ended()
  if #ended.runs == 0 then return end
  call_many('HSET', results, ended.results)
  call_many('ZREM', active, ended.runs)
  for _, state in ipairs({ 'completed', 'failed' }) do
    local scored = {}
    for _, id in ipairs(ended[state]) do
      table.insert(scored, ended_at)
      table.insert(scored, id)
    end
    call_many('ZADD', DONE[state], scored)
    call_many('ZADD', TRIMMED[state], scored)
    if #ended[state] > 0 then call('HINCRBY', totals, state, #ended[state]) end
  end
  finished_total = call('HINCRBY', totals, 'finished', #ended.runs)
  ended = { runs = {}, results = {}, completed = {}, failed = {} }
end

local retried = false

local function end_run(job, outcome, payload, delay_ms)
  if outcome == 'completed' or outcome == 'failed' then
    if outcome == 'completed' then job.error = nil else
      job.error = payload
      job.failures = (job.failures or 0) + 1
    end
    if not job.parent and not job.groupKey and not job.keep then
      if outcome == 'completed' then
        table.insert(ended.results, job.id)
        table.insert(ended.results, payload)
      end
      table.insert(ended.runs, job.id)
      table.insert(ended[outcome], job.id)
      job.state = outcome
      job.finishedAt = now_ms
      save(job)
      return
    end
    -- Anything else keeps its order with the batch's: the runs before it are written first.
    record_ended()
    write_back()
    -- A flow's record another program wrote over is refused before the part's end writes: met
    -- by `part_ended`, after the end's first writes (a script is not undone), it left the run
    -- out of the running jobs and counted, its record still active, never to end.
    if job.parent then check_flow_end(job, outcome, false, payload) end
    if outcome == 'completed' then call('HSET', results, job.id, payload) end
    finish(job, outcome)
    return
  end
  record_ended()
  write_back()
  -- retry: a failure that leaves retries; release: a run cut short by its worker's stop.
  if outcome == 'retry' then
    retried = true
    job.error = payload
    job.failures = (job.failures or 0) + 1
  end
  deactivate(job)
  job.state = 'pending'
  job.readyAt = now_ms + tonumber(delay_ms)
  enqueue(job)
  save(job)
end

local recorded = {}
local any = false
do
  -- The runs this step ended: a later finish of one in the batch records nothing.
  local ended_here = {}

  -- Whether the run at `at`, not the worker's any more, had ended as it says before this step: a
  -- call whose answer was lost recorded it, and the worker sends it again. Told as recorded, not
  -- as a lost lease. Only a job's last state tells, so only the ends that stay: a retry or a
  -- release made it pending, as a stall would.
  local function ended_before(at)
    local id, outcome = ARGV[at], ARGV[at + 3]
    if ended_here[id] or (outcome ~= 'completed' and outcome ~= 'failed') then return false end
    local job = decode(id)
    return job ~= nil and job.state == outcome and job.worker == ARGV[at + 1]
      and job.attempts == tonumber(ARGV[at + 2])
      and (outcome == 'completed' or job.error == ARGV[at + 4])
  end

  for at = given.first_run, #ARGV, given.run_fields do
    local job = owned(ARGV[at], ARGV[at + 1], ARGV[at + 2])
    table.insert(recorded, (job or ended_before(at)) and '1' or '0')
    if job then
      any = true
      ended_here[job.id] = true
      end_run(job, ARGV[at + 3], ARGV[at + 4], ARGV[at + 5])
    end
  end
end
record_ended()

-- Jobs leased to the worker that it does not run: a call whose answer it never got took them.
-- Each goes back as a run its worker's stop cut short would, before the claims, which may take
-- it again at once; waiting out its lease would count a stall against a job that never ran.
if given.holding ~= '' then
  local runs = {}
  for _, id in ipairs(cjson.decode(given.holding)) do runs[id] = true end
  for _, id in ipairs(call('ZRANGE', active, 0, -1)) do
    local job = not runs[id] and decode(id)
    if job and job.state == 'active' and job.worker == given.taker then
      any = true
      end_run(job, 'release', '', 0)
    end
  end
end
-- Idle queues age out too: every step removes a few jobs past what the queue keeps (but a
-- claim of new jobs alone, see `trimming`).
if trimming then trim(trimming) end
-- Heard by idle workers when a job became ready (a retry, a flow's next part, a group's
-- room) and by waiters when the queue has nothing left running; a waiter of a job finished
-- in a busy queue reads it on its re-check. Not on every finish: a busy worker would hear
-- all its own jobs end.
if any and (became_ready or retried or flow_ended) then
  changed()
elseif any and call('ZCARD', active) == 0 then
  told('ended')
end

local taken, unreadable, unreadable_text, next_ready = {}, nil, nil, nil
if given.claims > 0 then
  unreadable, unreadable_text = recover(given.max_stalls, stalled)
  if not unreadable and setting('paused') ~= '1' then
    local promoted_all = promote(due)
    taken, unreadable, unreadable_text, next_ready =
      take(given.taker, given.lease_ms, given.claims, plain_takes and head or nil)
    -- Due jobs not promoted yet wait for the next step, at once, not for a start time.
    if not promoted_all and next_ready then next_ready = now_ms end
  end
end
local reply = { table.concat(recorded), next_ready or '', unreadable or '', unreadable_text or '',
  #failed_here > 0 and cjson.encode(failed_here) or '', now_ms, '', '' }
if #taken > 0 then
  local taken_ids = {}
  for i, job in ipairs(taken) do taken_ids[i] = job.id end
  local job_specs, job_inputs = read_many('HMGET', specs, taken_ids),
    read_many('HMGET', inputs, taken_ids)
  local written = write_back()
  for i, id in ipairs(taken_ids) do
    -- Set by index, as a loop's locals would pass the 200 a script may have at once. With the
    -- attempt it was taken under, not a fingerprint: a taken job the caller cannot read is
    -- failed only while that attempt is the caller's (hashing each job's parts cost a claim of
    -- large jobs 4-5 times its time).
    local at = #reply
    reply[at + 1], reply[at + 2], reply[at + 3], reply[at + 4], reply[at + 5] =
      written[id], job_specs[i] or '', job_inputs[i] or '', id, taken[i].attempts
  end
else
  write_back()
end
-- As stored once the step wrote: its record is as the step met it.
if unreadable then
  reply[7] = fingerprint(unreadable)
  if call('HEXISTS', jobs, unreadable) == 0 then reply[8] = '1' end
end
return reply
