-- finish: records a run's outcome. ARGV[2..8]: id, worker, attempt, outcome (completed, failed,
-- retry, release), payload (the result json, or the error), the retry's delay ms, the retention
-- defaults json (see `trim`).
-- ARGV[9], ARGV[10]: the lease and the stall limit of the worker's next job, taken in the same
-- step ('' when the worker takes none: it is stopping, or has no free slot): { 1 or 0, then
-- what claim returns }.
--- @include "includes/take.lua"

local id, worker, attempt, outcome, payload, delay_ms =
  ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]
local next_lease_ms = tonumber(ARGV[9] or '')
guard(next_lease_ms and TAKES or ENDS)
-- Read before the step writes: retention and the next claim go by it.
setting('paused')
local job = owned(id, worker, attempt)
if not job then return next_lease_ms and { 0 } or 0 end
if outcome == 'completed' then
  call('HSET', results, id, payload)
  job.error = nil
  finish(job, 'completed')
elseif outcome == 'failed' then
  job.error = payload
  job.failures = (job.failures or 0) + 1
  finish(job, 'failed')
else
  -- retry: a failure that leaves retries; release: a run cut short by its worker's stop.
  if outcome == 'retry' then
    job.error = payload
    job.failures = (job.failures or 0) + 1
  end
  deactivate(job)
  job.state = 'pending'
  job.readyAt = now_ms + tonumber(delay_ms)
  enqueue(job)
  save(job)
end
trim(ARGV[8])
-- Heard by idle workers when a job became ready (a retry, a flow's next part, a group's
-- room) and by waiters when the queue has nothing left running; a waiter of a job finished
-- in a busy queue reads it on its re-check. Not on every finish: a busy worker would hear
-- all its own jobs end.
if became_ready or outcome == 'retry' or flow_ended or call('ZCARD', active) == 0 then
  changed()
end
if not next_lease_ms then return 1 end
return { 1, unpack(take(worker, next_lease_ms, tonumber(ARGV[10]))) }
