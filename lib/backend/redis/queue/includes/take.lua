-- Taking the next job to run (`take`), by `claim` and by the `finish` that claims the next.
--- @include "flow.lua"

-- What taking a job touches besides what ending one does (the stalled and the expired end).
local TAKES = { jobs, specs, inputs, active, pending, ready, promoted, parked, groups, waiting,
  unpack(ENDS) }

-- Leases the first job ready to run to `worker` (see claim).
local function take(worker, lease_ms, max_stalls)
  -- Jobs whose worker died: back to pending, or failed once abandoned too often.
  -- A job this step cannot read is handed back to the worker to fail, without stopping the
  -- claim for good: the same claim then finds the next job.
  local stalled = call('ZRANGEBYSCORE', active, '-inf', '(' .. now_ms, 'LIMIT', 0, 100)
  for _, id in ipairs(stalled) do
    local job, held = decode(id)
    if held then return { 'undecodable', id, held } end
    deactivate(job)
    job.stalls = job.stalls + 1
    if job.stalls > max_stalls then
      job.error = 'abandoned ' .. job.stalls .. ' times by workers that stopped answering'
      finish(job, 'failed')
      changed()
    else
      job.state = 'pending'
      job.readyAt = now_ms
      save(job)
      enqueue(job)
    end
  end
  if setting('paused') == '1' then return { 'none', '' } end
  promote()
  for _ = 1, 100 do
    local first = call('ZRANGE', ready, 0, 0)[1]
    if not first then
      -- The next start to come: due jobs left in pending wait for their group, not a time.
      local next = call('ZRANGEBYSCORE', pending, '(' .. now_ms, '+inf', 'WITHSCORES',
        'LIMIT', 0, 1)
      return { 'none', next[2] or '' }
    end
    local job, held = decode(first)
    if not job then return { 'undecodable', first, held or '' } end
    if job.state ~= 'pending' then
      -- Not pending any more (whatever left it there): it has no place in the run order.
      call('ZREM', ready, first)
    elseif job.groupKey and group_count('active', job.groupKey) >= group_limit() then
      -- Its group's limit was lowered since it joined the run order: parked again.
      call('ZREM', ready, first)
      group_add('ready', job.groupKey, -1)
      call('ZADD', parked, 0,
        parked_member(job.groupKey, run_order(job.priority, job.readyAt), first))
    -- Only a first start can be too late: a retry or a recovered job has started in time.
    elseif job.beginBy and job.beginBy < now_ms and job.attempts == 0 then
      job.error = 'expired: not started by its --begin-by'
      finish(job, 'failed')
      changed()
    else
      -- Counted as running first, so the place it leaves in ready is not refilled.
      if job.groupKey then group_add('active', job.groupKey, 1) end
      dequeue(job)
      call('ZADD', active, now_ms + lease_ms, first)
      job.state = 'active'
      job.attempts = job.attempts + 1
      job.worker = worker
      job.startedAt = now_ms
      -- Taking a job makes none ready: no one needs to hear of it.
      save(job)
      return { 'job', cjson.encode(job), call('HGET', specs, first) or '',
        call('HGET', inputs, first) or '', first }
    end
  end
  return { 'none', now_ms }
end

