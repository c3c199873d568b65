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
if not ok or #nodes ~= last_arg - 2 then return redis.error_reply('malformed flow') end
local ids = {}
for i, node in ipairs(nodes) do ids[i] = node.id end
read_ahead(ids)
if exists(ids[1]) then return 0 end
for i = 2, #ids do
  if exists(ids[i]) then return { ids[i] } end
end
-- Whether a group's parts are ID.0, ID.1, …: then its record counts them (job.lua).
local function numbered(id, children)
  if #children == 0 then return false end
  for i, child in ipairs(children) do
    if child ~= id .. '.' .. (i - 1) then return false end
  end
  return true
end
local counted = false
for i, node in ipairs(nodes) do
  local job = { id = node.id, state = node.released and 'pending' or 'waiting', attempts = 0,
    failures = 0, stalls = 0, readyAt = now_ms, createdAt = now_ms, parent = node.parent,
    priority = node.priority }
  if node.group then
    node.group.done = 0
    job.group = node.group
    if numbered(node.id, node.group.children) then
      node.group.parts = #node.group.children
      node.group.children = nil
      counted = true
    end
  end
  add(job, ARGV[2 + i])
end
-- A coord before counted groups would read such a record as another program's, in the middle of
-- a part's end: the queue's version tells it to refuse the queue before it writes (keys.lua).
if counted and setting('version') ~= RECORDS_VERSION then
  call('HSET', config, 'version', RECORDS_VERSION)
end
write_puts()
changed()
return 1
