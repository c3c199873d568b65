-- putflow: adds a flow's jobs, unless its first node's id is taken (0) or another node's is (its
-- id: a job put with that id would be written over). ARGV[2]: the nodes, a json list of { id,
-- parent, released, priority, group, spec (a json string) }.
--- @include "includes/new_job.lua"

guard(PUTS)
check_puts()
local ok, nodes = pcall(cjson.decode, ARGV[2])
if not ok then return redis.error_reply('malformed flow') end
if call('HEXISTS', jobs, nodes[1].id) == 1 then return 0 end
for i = 2, #nodes do
  if call('HEXISTS', jobs, nodes[i].id) == 1 then return { nodes[i].id } end
end
for _, node in ipairs(nodes) do
  local job = { id = node.id, state = node.released and 'pending' or 'waiting', attempts = 0,
    failures = 0, stalls = 0, readyAt = now_ms, createdAt = now_ms, parent = node.parent,
    priority = node.priority }
  if node.group then
    node.group.done = 0
    job.group = node.group
  end
  save(job)
  call('HSET', specs, node.id, node.spec or '{}')
  if node.released then
    enqueue(job)
  else
    call('HINCRBY', totals, 'waiting', 1)
    call('ZADD', waiting, now_ms, node.id)
  end
end
changed()
return 1
