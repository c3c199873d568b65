-- retry: ARGV[2]: id, ARGV[3]: 'dry' for a dry run. { job, spec, 1 when retried or 0 }, or {}
-- when there is no such job. A dry run refuses what the retry would and writes nothing: a retry
-- of several jobs makes one for each first, so that a later job's foreign data changes none.
-- A failed or cancelled job that is no flow's part goes back to pending, failures and stalls
-- reset, its last error kept in its history; any other job is left as it is. Its attempts go on
-- counting: a run cancelled as it ran may still be stopping when the job is taken again, and
-- the attempt fences the two apart (renew, finish, COORD_ATTEMPT). It runs now, but for one
-- cancelled before its start came (never run): it keeps that start and its --begin-by.
--- @include "includes/run_order.lua"
--- @include "includes/retention.lua"

refuse_all()
check_settings()
local id = ARGV[2]
local job = load(id)
if not job then return {} end
if job.groupKey then check_groups({ job.groupKey }) end
if not spec_readable(id) then
  return foreign(foreign_value(specs, 'job ' .. id, call('HGET', specs, id)))
end
local retried = 0
local retryable = (job.state == 'failed' or job.state == 'cancelled') and not job.parent
  and not job.group
if ARGV[3] == 'dry' then
  return { cjson.encode(job), call('HGET', specs, id) or '{}', retryable and 1 or 0 }
end
if retryable then
  local keeps_start = job.state == 'cancelled' and job.attempts == 0 and job.readyAt > now_ms
  job.history = job.history or {}
  table.insert(job.history, { state = job.state, error = job.error or '',
    attempts = job.attempts, finishedAt = job.finishedAt })
  call('HINCRBY', totals, job.state, -1)
  unlisted({ id })
  job.state = 'pending'
  job.failures = 0
  job.stalls = 0
  job.error = nil
  job.finishedAt = nil
  if not keeps_start then
    job.readyAt = now_ms
    job.beginBy = nil
  end
  -- The earlier run's worker and start ended with it: a pending job has neither.
  job.worker = nil
  job.startedAt = nil
  save(job)
  call('HDEL', progress, id)
  enqueue(job)
  changed()
  retried = 1
end
return { cjson.encode(job), call('HGET', specs, id) or '{}', retried }
