-- putflow: adds a flow's jobs, unless its first node's id is taken (0) or another node's is (its
-- id: a job put with that id would be written over). ARGV[2]: the nodes, a json list of { id,
-- parent, released, priority, group }; ARGV[2 + i]: node i's spec, json. A spec comes as an
-- argument of its own, stored as it comes: inside the list it was escaped a second time, and
-- decoded with the list, for nothing.
--- @include "includes/new_job.lua"

guard(PUTS)
check_puts()
hold_back()
local ok, nodes = pcall(cjson.decode, ARGV[2])
if not ok or #nodes ~= #ARGV - 2 then return redis.error_reply('malformed flow') end
local ids = {}
for i, node in ipairs(nodes) do ids[i] = node.id end
read_ahead(ids)
if exists(ids[1]) then return 0 end
for i = 2, #ids do
  if exists(ids[i]) then return { ids[i] } end
end
for i, node in ipairs(nodes) do
  local job = { id = node.id, state = node.released and 'pending' or 'waiting', attempts = 0,
    failures = 0, stalls = 0, readyAt = now_ms, createdAt = now_ms, parent = node.parent,
    priority = node.priority }
  if node.group then
    node.group.done = 0
    job.group = node.group
  end
  add(job, ARGV[2 + i])
end
write_puts()
changed()
return 1
