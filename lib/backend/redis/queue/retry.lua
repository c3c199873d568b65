-- retry: ARGV[2]: the ids (a json array), ARGV[3]: 'dry' for a dry run. For each id: { job,
-- spec, 1 when retried or 0 }, or '' three times when there is no such job (see
-- named_jobs.lua). A dry run refuses what the retry would and writes nothing: a retry of more
-- jobs than one call takes makes a dry run of each call first, so that a later job's foreign
-- data changes none.
-- A failed or cancelled job that is no flow's part goes back to pending, failures and stalls
-- reset, its last error kept in its history; any other job is left as it is. Its attempts go on
-- counting: a run cancelled as it ran may still be stopping when the job is taken again, and
-- the attempt fences the two apart (renew, finish, COORD_ATTEMPT). It runs now, but for one
-- cancelled before its start came (never run): it keeps that start and its --begin-by.
--- @include "includes/named_jobs.lua"
--- @include "includes/retention.lua"

refuse_all()
check_settings()
local retried, ended = {}, {}
local reply = on_named_jobs(ARGV[2], ARGV[3] == 'dry', function(job)
  return (job.state == 'failed' or job.state == 'cancelled') and not job.parent and not job.group
end, function(job)
  local keeps_start = job.state == 'cancelled' and job.attempts == 0 and job.readyAt > now_ms
  job.history = job.history or {}
  table.insert(job.history, { state = job.state, error = job.error or '',
    attempts = job.attempts, finishedAt = job.finishedAt })
  ended[job.state] = (ended[job.state] or 0) + 1
  table.insert(retried, job.id)
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
  enqueue(job)
end)
if #retried > 0 then
  for state, n in pairs(ended) do call('HINCRBY', totals, state, -n) end
  unlisted(retried)
  call_many('HDEL', progress, retried)
  changed()
end
return reply
