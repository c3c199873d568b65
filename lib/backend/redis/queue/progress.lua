-- progress: ARGV[2..5]: id, worker, attempt, progress json.
-- A running job's progress, from the run that holds it; a run that lost the job is refused, so
-- a late write cannot overwrite what the job's current run reported.
--- @include "includes/job.lua"

-- A newer coord's queue is refused, as by every step that writes: one that became so during the
-- run too (its end, then, is refused all the same).
check_settings()
local id, worker, attempt, value = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
if not owned(id, worker, attempt) then return 0 end
call('HSET', progress, id, value)
told('progress')
return 1
