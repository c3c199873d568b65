-- The head every coord script is loaded with (see script.ts): refuses keys holding a type coord
-- does not keep there, and reads the server's clock. Each script then declares `expected`.
-- KEYS: the instance's keys; ARGV[1]: its change channel, ARGV[2]: the step.

local channel, op = ARGV[1], ARGV[2]

local function foreign(text) return redis.error_reply('FOREIGN ' .. text) end

-- The first key whose type is not the one coord keeps there, as an error reply.
local function wrong_type(expected)
  for key, kind in pairs(expected) do
    local found = redis.call('TYPE', key)['ok']
    if found ~= 'none' and found ~= kind then
      return foreign(key .. ' holds a ' .. found .. ', coord keeps a ' .. kind .. ' there')
    end
  end
end

local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
