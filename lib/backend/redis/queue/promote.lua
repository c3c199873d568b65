-- promote: ARGV[2]: the ids (a json array), ARGV[3]: 'dry' for a dry run. For each id: { job,
-- spec, 1 when promoted or 0 }, or '' three times when there is no such job. A dry run refuses
-- what the promotion would and writes nothing (see retry.lua).
-- A scheduled job (pending, its start still to come) becomes ready now, keeping its --begin-by;
-- any other job is left as it is.
--- @include "includes/named_jobs.lua"

refuse_all()
check_settings()
local promoted = false
local reply = on_named_jobs(ARGV[2], ARGV[3] == 'dry', function(job)
  return job.state == 'pending' and job.readyAt > now_ms
end, function(job)
  -- Its place in pending moves to now, and it joins the run order (or its group's parked jobs).
  job.readyAt = now_ms
  enqueue(job)
  promoted = true
end)
if promoted then changed() end
return reply
