-- promote: ARGV[2]: id, ARGV[3]: 'dry' for a dry run. { job, spec, 1 when promoted or 0 }, or
-- {} when there is no such job. A dry run refuses what the promotion would and writes nothing
-- (see retry.lua).
-- A scheduled job (pending, its start still to come) becomes ready now, keeping its --begin-by;
-- any other job is left as it is.
--- @include "includes/run_order.lua"

refuse_all()
check_settings()
local id = ARGV[2]
local job = load(id)
if not job then return {} end
if job.groupKey then check_groups({ job.groupKey }) end
if not spec_readable(id) then
  return foreign(foreign_value(specs, 'job ' .. id, call('HGET', specs, id)))
end
local promoted = 0
local scheduled = job.state == 'pending' and job.readyAt > now_ms
if ARGV[3] == 'dry' then
  return { cjson.encode(job), call('HGET', specs, id) or '{}', scheduled and 1 or 0 }
end
if scheduled then
  -- Its place in pending moves to now, and it joins the run order (or its group's parked jobs).
  job.readyAt = now_ms
  save(job)
  enqueue(job)
  changed()
  promoted = 1
end
return { cjson.encode(job), call('HGET', specs, id) or '{}', promoted }
