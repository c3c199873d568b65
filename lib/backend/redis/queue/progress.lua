-- progress: ARGV[2..5]: id, worker, attempt, progress json.
-- A running job's progress, from the run that holds it; a run that lost the job is refused, so
-- a late write cannot overwrite what the job's current run reported.
--- @include "includes/job.lua"

local id, worker, attempt, value = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
if not owned(id, worker, attempt) then return 0 end
call('HSET', progress, id, value)
told('progress')
return 1
