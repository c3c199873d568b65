-- config: ARGV[2..5]: keepCompleted json, keepFailed json, paused (1 or 0), groupLimit (a
-- number, or 'none').
-- Sets what is given ('' leaves a field as it is) and returns the stored config.
--- @include "includes/run_order.lua"

refuse_all()
check_settings()
-- Before anything is written, even with nothing to write: a command that changes several
-- queues reads each one's config first, and must meet here what would refuse its change.
check_totals()
local keep_completed, keep_failed, paused, group_limit_arg = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
-- A new limit lets each group's parked jobs in: every group's counts are read before it writes.
local names, seen = {}, {}
if group_limit_arg ~= '' then
  for _, field in ipairs(call('HKEYS', groups)) do
    -- A group's counts name it; a run's "running:ID" names its job.
    local kind, group = string.match(field, '^(%a+):(.*)$')
    if (kind == 'active' or kind == 'ready') and not seen[group] then
      seen[group] = true
      table.insert(names, group)
    end
  end
  check_groups(names)
end
if keep_completed ~= '' then call('HSET', config, 'keepCompleted', keep_completed) end
if keep_failed ~= '' then call('HSET', config, 'keepFailed', keep_failed) end
if paused ~= '' then
  call('HSET', config, 'paused', paused)
  changed()
end
-- 'none': no limit. A raised limit lets each group's parked jobs in at once.
if group_limit_arg ~= '' then
  if group_limit_arg == 'none' then
    call('HDEL', config, 'groupLimit')
    -- The default written out keeps the hash, so a queue configured before its first job
    -- stays known (`list`, `config`), as its settings row does on SQL.
    call('HSETNX', config, 'paused', '0')
  else
    call('HSET', config, 'groupLimit', group_limit_arg)
  end
  for _, group in ipairs(names) do fill(group) end
  changed()
end
-- What is stored now, read again: the read before the writes went by the old values.
settings = nil
return { setting('keepCompleted') or '', setting('keepFailed') or '', setting('paused') or '',
  setting('groupLimit') or '' }
