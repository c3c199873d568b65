-- Taking jobs to run (`take`), by `finish` for the slots its worker has free.
--- @include "flow.lua"

-- What taking a job touches: what ending one does (the stalled and the expired end, see
-- FINISHES), the promotion mark and the specs it hands out.
local TAKES = { promoted, specs, unpack(FINISHES) }
-- What taking touches when it only leases jobs (see `simply_taken`): keys the step read before
-- it wrote but the specs and inputs it hands out, so their check is all that is left.
local PLAIN_TAKES = { ready, pending, active, jobs, promoted, specs, inputs }

-- Jobs this step failed for the worker (abandoned too often, expired): each `{ id, attempt,
-- error, flowRefused }`, for the worker to log, since no run of its own ends them.
local failed_here = {}

-- `refused`: the record of another program's that a flow's part's end would meet on its way up
-- (check_flow_end): the part fails alone, its flow left as it is, and the worker says why.
local function fail_here(job, error, refused)
  job.error = error
  finish(job, 'failed', refused ~= nil)
  changed()
  table.insert(failed_here, { id = job.id, attempt = job.attempts, error = error,
    flowRefused = refused })
end

-- Running jobs whose lease ended: their worker died.
local function stalled_jobs()
  return call('ZRANGEBYSCORE', active, '-inf', '(' .. now_ms, 'LIMIT', 0, 100)
end

-- Jobs whose worker died (`stalled`, as `stalled_jobs` read them before the step wrote): back to
-- pending, or failed once abandoned too often. Returns the id and stored text of one this step
-- cannot read, which the worker is handed to fail, without stopping its claims for good: its
-- next step finds the next job.
local function recover(max_stalls, stalled)
  -- Before this a step only removes jobs from `active` (the runs it ended): none that was not
  -- there became stalled, but one that was may have ended.
  if #stalled > 0 and moved[active] then stalled = stalled_jobs() end
  if #stalled > 0 then write_back() end
  for _, id in ipairs(stalled) do
    local job, held_text = decode(id)
    -- One whose record another program deleted too, as `take` hands out one in the run order.
    if not job then return id, held_text or '' end
    local failing = job.stalls + 1 > max_stalls
    local refused
    if failing and job.parent then
      -- As a worker's end of a part (finish.lua), a flow's record another program wrote over is
      -- met before this one's writes, the jobs recovered before it written. Not refused: the
      -- part would stay running, its lease lapsed, and every claim of the queue meet it and stop
      -- there for good. Abandoned too often is its end all the same: it fails alone.
      write_back()
      refused = check_flow_end(job, 'failed', true)
    end
    deactivate(job)
    job.stalls = job.stalls + 1
    if failing then
      fail_here(job, 'abandoned ' .. job.stalls .. ' times by workers that stopped answering',
        refused)
    else
      job.state = 'pending'
      job.readyAt = now_ms
      save(job)
      enqueue(job)
    end
  end
end

-- Only a first start can be too late: a retry or a recovered job has started in time.
local function expired(job)
  return job.beginBy and job.beginBy < now_ms and job.attempts == 0
end

-- The lease's start: the job runs its next attempt for `worker`. Taking a job makes none ready,
-- so no one needs to hear of it.
local function lease(job, worker)
  job.state = 'active'
  job.attempts = job.attempts + 1
  job.worker = worker
  job.startedAt = now_ms
  save(job)
end

-- A job first in the run order that is not simply taken: one of a --group (its group's count
-- moves with it), or one that has no place there any more. Whether it was taken.
local function take_other(job, worker, lease_ms)
  local id = job.id
  if job.state ~= 'pending' then
    -- Not pending any more (whatever left it there): it has no place in the run order.
    call('ZREM', ready, id)
  elseif job.groupKey and group_count('active', job.groupKey) >= group_limit() then
    -- Its group's limit was lowered since it joined the run order: parked again.
    wait_again(job.groupKey, run_order(job.priority, job.readyAt), id)
    group_add('ready', job.groupKey, -1)
  elseif expired(job) then
    fail_here(job, 'expired: not started by its --begin-by')
  else
    if job.groupKey then
      -- Counted as running first, so the place it leaves in ready is not refilled. Kept by its
      -- id too (keys.lua), for a step that can no longer read its record: fail_undecodable.
      group_add('active', job.groupKey, 1)
      call('HSET', groups, 'running:' .. id, job.groupKey)
    end
    dequeue(job)
    call('ZADD', active, now_ms + lease_ms, id)
    lease(job, worker)
    return true
  end
  return false
end

-- The next start to come: due jobs left in pending wait for their group, not a time.
local function next_start()
  return call('ZRANGEBYSCORE', pending, '(' .. now_ms, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)[2]
    or ''
end

-- Whether taking will only lease the jobs of `head`, the run order's head read before the step
-- wrote, nothing else moving with them: no stalled job to recover (`stalled`), no due job to
-- place (`due`), and each job readable, pending, of no --group and in time. Such a take touches
-- only PLAIN_TAKES: an idle worker's claim of a new job checks two keys, not every one a
-- recovery, a promotion or a group could reach. Nor does it read past the head: it takes at most
-- as many jobs as the head holds.
local function simply_taken(head, stalled, due)
  if #stalled > 0 then return false end
  for k = 1, #due.ids do
    if not due.placed[k] then return false end
  end
  read_ahead(head)
  for _, id in ipairs(head) do
    local job = peek(id)
    if not job or job.state ~= 'pending' or job.groupKey or expired(job) then return false end
  end
  return true
end

-- Leases up to `n` jobs ready to run to `worker`, in the run order, as that many claims one
-- after another would. Returns the jobs, then the id and stored text of a job it cannot read
-- (taking stops there), or else, when it took fewer, the next start to come ('' if none).
-- The run order's head is read a window at a time: jobs that are simply taken (pending, of no
-- group, in time) leave the run order with one command per key for the window; any other job
-- is handled alone and the window read again, as what it does may change the order. `head`:
-- when the step checked only what simple takes touch (`simply_taken`), the head it read then,
-- which nothing moved since: the first window, and the last.
local function take(worker, lease_ms, n, head)
  local taken = {}
  -- Formatted once: Lua would format the number for each job.
  local lease_end = exact(now_ms + lease_ms)
  for _ = 1, 100 do
    local want = n - #taken
    if want <= 0 then return taken end
    local window = head or call('ZRANGE', ready, 0, want - 1)
    head = nil
    if #window == 0 then return taken, nil, nil, next_start() end
    read_ahead(window)
    local leased, scored = {}, {}
    local other, unreadable, unreadable_text
    for _, id in ipairs(window) do
      local job, held_text = decode(id)
      if not job then
        unreadable, unreadable_text = id, held_text or ''
        break
      end
      if job.state ~= 'pending' or job.groupKey or expired(job) then
        other = job
        break
      end
      lease(job, worker)
      table.insert(taken, job)
      table.insert(leased, id)
      table.insert(scored, lease_end)
      table.insert(scored, id)
    end
    call_many('ZREM', ready, leased)
    call_many('ZREM', pending, leased)
    call_many('ZADD', active, scored)
    if unreadable then return taken, unreadable, unreadable_text end
    if other and other.groupKey and check_groups({ other.groupKey }) then
      -- Another program's counts, met after the step wrote (the run order changed since the
      -- step read its head): taking stops here, and the next step, asked for at once, reads
      -- them before it writes.
      return taken, nil, nil, now_ms
    end
    if other then
      write_back()
      if take_other(other, worker, lease_ms) then table.insert(taken, other) end
    elseif #window < want then
      return taken, nil, nil, next_start()
    end
  end
  return taken, nil, nil, now_ms
end
