-- A primitive's state hash holds only the fields coord writes there. Checked before any write,
-- so a step on a hash another program added to refuses it and leaves it as it was, rather than
-- writing coord's fields beside the stranger's.
-- The FOREIGN error naming the first field of hash `key` that is not in `fields` (a set).
local function foreign_field(key, fields)
  for _, field in ipairs(redis.call('HKEYS', key)) do
    if not fields[field] then return foreign(key .. ' has a field "' .. field .. '"') end
  end
end
