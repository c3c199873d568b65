-- A primitive's state hash holds only the fields coord writes there, each with a value coord
-- writes there. Checked before any write, so a step on a hash another program added to or
-- wrote over refuses it and leaves it as it was, rather than computing with the stranger's
-- value (a NaN count, a pause that is neither on nor off) or writing coord's fields beside it.

-- Beyond 2^53 a number no longer counts by one.
local MAX_WHOLE = 9007199254740991

-- A field's check (see `foreign_fields`): whole numbers from `min`, in digits as coord writes them.
local function whole_from(min)
  return function(value)
    local n = string.match(value, '^%d+$') and tonumber(value)
    return n ~= nil and n >= min and n <= MAX_WHOLE
  end
end

-- A field's check: a number ≥ 0 in digits, with a fraction or without, as coord writes a time.
local function time_ms(value)
  local n = string.match(value, '^%d+%.?%d*$') and tonumber(value)
  return n ~= nil and n <= MAX_WHOLE
end

-- The words every refusal of a value in a hash says it in: the hash, the field, and the value
-- quoted, cut at 60 characters (`coord:{lock:x}:state has indicator "zzz"`).
local function foreign_value(key, field, value)
  return key .. ' has ' .. field .. ' "' .. string.sub(value, 1, 60) .. '"'
end

-- The FOREIGN error naming the first field of hash `key` (`flat`: its HGETALL) that is not in
-- `fields`, or whose value its check refuses. `fields`: field -> true (any value) or a check
-- `function(value, held)`, `held` being the hash as field -> value.
local function foreign_fields(key, flat, fields)
  local held = {}
  for i = 1, #flat, 2 do held[flat[i]] = flat[i + 1] end
  for i = 1, #flat, 2 do
    local field, value = flat[i], flat[i + 1]
    local check = fields[field]
    if not check then return foreign(key .. ' has a field "' .. field .. '"') end
    if check ~= true and not check(value, held) then
      return foreign(foreign_value(key, field, value))
    end
  end
end

-- `foreign_fields` of hash `key` as it is stored.
local function foreign_field(key, fields)
  return foreign_fields(key, redis.call('HGETALL', key), fields)
end
