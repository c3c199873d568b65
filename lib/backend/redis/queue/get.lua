-- get: a job's record, spec, result, inputs, progress and lease end (active), or {}. ARGV[2]: id.
--- @include "includes/job.lua"

refuse_all()
local id = ARGV[2]
local job = call('HGET', jobs, id)
if not job then return {} end
load(id)
return { job, call('HGET', specs, id) or '{}', call('HGET', results, id) or '',
  call('HGET', inputs, id) or '', call('HGET', progress, id) or '',
  call('ZSCORE', active, id) or '' }
