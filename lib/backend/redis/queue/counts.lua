-- counts: the queue's jobs by state, its oldest pending, its live workers, whether paused, its
-- active jobs whose lease ran out (stalled: their worker died), then the totals. A look: writes
-- nothing, so workers whose announcement ran out are left for the next announce to drop.
--- @include "includes/keys.lua"

refuse_all()
check_settings()
-- A count that is no number would be shown as NaN.
check_totals()
-- A --group's counts are read otherwise only by the steps that move its jobs: another program's
-- is refused here too, so that status and doctor name it before a worker meets it.
local held_groups = call('HGETALL', groups)
for i = 1, #held_groups, 2 do
  local field, value = held_groups[i], held_groups[i + 1]
  local kind = string.match(field, '^(%a+):')
  if kind == 'active' or kind == 'ready' then
    if not group_count_ok(value) then return foreign(foreign_value(groups, field, value)) end
  elseif kind ~= 'running' then
    return foreign(groups .. ' has a field "' .. field .. '"')
  end
end
local oldest = call('ZRANGEBYSCORE', pending, '-inf', now_ms, 'WITHSCORES', 'LIMIT', 0, 1)
local ready = call('ZCOUNT', pending, '-inf', now_ms)
local totals_list = call('HGETALL', totals)
local reply = { ready, call('ZCARD', pending) - ready, call('ZCARD', active),
  oldest[2] or '', cjson.encode(call('ZRANGEBYSCORE', workers, now_ms, '+inf')),
  setting('paused') or '', call('ZCOUNT', active, '-inf', '(' .. now_ms) }
for _, value in ipairs(totals_list) do table.insert(reply, value) end
return reply
