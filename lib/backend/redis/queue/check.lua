-- check: get's reads of many jobs in one step, for a look at which ones coord cannot read
-- (status, doctor). ARGV[2]: the ids, JSON. Six entries an id: '' and get's reply but the lease;
-- 'F' and the words refusing a record coord cannot read; or 'N' where there is no such job.
--- @include "includes/job.lua"

refuse_all()
local ids = cjson.decode(ARGV[2])
read_ahead(ids)
local parts = {}
for i, hash in ipairs({ specs, results, inputs, progress }) do
  parts[i] = read_many('HMGET', hash, ids)
end
local reply = {}
for i, id in ipairs(ids) do
  local job, held = decode(id)
  if held then
    for _, value in ipairs({ 'F', foreign_value(jobs, 'job ' .. id, held), '', '', '', '' }) do
      table.insert(reply, value)
    end
  elseif not job then
    for _ = 1, 6 do table.insert(reply, 'N') end
  else
    table.insert(reply, '')
    table.insert(reply, read[id])
    table.insert(reply, parts[1][i] or '{}')
    for part = 2, 4 do table.insert(reply, parts[part][i] or '') end
  end
end
return reply
