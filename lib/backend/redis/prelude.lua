-- The head every coord script is loaded with (see script.ts): refuses keys holding a type coord
-- does not keep there, and reads the server's clock. Each script then declares `expected`.
-- KEYS: the instance's keys (a creating step's, then its kind's index: see below); ARGV[1]: its
-- change channel, then the step's arguments (a script that runs several steps takes the step's
-- name first). The script's own text then runs as the function `step` (script.ts), whose reply
-- goes through `indexed`.

local channel = ARGV[1]

local function foreign(text) return redis.error_reply('FOREIGN ' .. text) end

local function wrong_type_of(key, found, kind)
  return key .. ' holds a ' .. found .. ' where coord keeps a ' .. kind
end

-- The first key whose type is not the one coord keeps there, as an error reply.
local function wrong_type(expected)
  for key, kind in pairs(expected) do
    local found = redis.call('TYPE', key)['ok']
    if found ~= 'none' and found ~= kind then return foreign(wrong_type_of(key, found, kind)) end
  end
end

-- redis.call for scripts that check a key's type where they touch it rather than up front:
-- Redis refuses a command on a key of another type (WRONGTYPE) before changing anything, so
-- this turns that refusal into the FOREIGN error `kinds` (key -> the type coord keeps there)
-- explains. Any other error stays an error of the script.
local function checked_call(kinds)
  return function(command, key, ...)
    local reply = redis.pcall(command, key, ...)
    if type(reply) == 'table' and reply.err then
      if string.sub(reply.err, 1, 9) == 'WRONGTYPE' and kinds[key] then
        error({ err = 'FOREIGN ' ..
          wrong_type_of(key, redis.call('TYPE', key)['ok'], kinds[key]) })
      end
      error(reply)
    end
    return reply
  end
end

-- A step that may create its instance is given, after the instance's keys, the index of its
-- kind's names (index.lua: names, then tidied) where both are on one node, not on a Cluster:
-- another program's key there is refused before the step writes. Told apart by the index's own
-- tag, which no instance's key has (a namespace holds no brace, a name's are escaped, and no kind
-- is named index). After the step's own arguments it is then given the name to index ('' when
-- this process indexed it lately) and how often the index is tidied: see `indexed`.
local function is_index(key) return string.find(key, ':{index:', 1, true) ~= nil end
-- The last of the step's own arguments: a script that takes a list of them counts to here.
local last_arg = #ARGV
local name_index
if #KEYS > 2 and is_index(KEYS[#KEYS]) and not is_index(KEYS[1]) then
  local refused = wrong_type({ [KEYS[#KEYS - 1]] = 'zset', [KEYS[#KEYS]] = 'string' })
  if refused then return refused end
  name_index = { names = KEYS[#KEYS - 1], tidied = KEYS[#KEYS], name = ARGV[last_arg - 1],
    tidy_every_ms = ARGV[last_arg] }
  last_arg = last_arg - 2
end

local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000

-- Adds `name` to the index (index.lua), or marks it as touched now. 1 when the index is due for
-- tidying (none was tidied for `tidy_every_ms`): this writer then does it, the others do not;
-- then the score it set when the name was not indexed before (ZADD's reply 1), else nil. The
-- score keeps the clock's microseconds, as a string (Lua would round a number to 14 digits): two
-- writers' touches of a new name in one millisecond set two scores, and one's `unadd` (index.lua)
-- does not take out the name the other's step stored under.
local function index_name(names, tidied, name, tidy_every_ms)
  local score = string.format('%.3f', now)
  local added = redis.call('ZADD', names, score, name) == 1 and score or nil
  if redis.call('SET', tidied, '1', 'NX', 'PX', tidy_every_ms) then return 1, added end
  return 0, added
end

-- What the script replies: the step's `reply`, and when the step was to index its name and
-- succeeded, { whether the index is due for tidying (index_name), reply }. Indexed here, in the
-- step's own call, at the end of whichever way the step ended: a step refused (an error reply)
-- leaves the index as it was, as every key, and one that stored what it did cannot leave its
-- name out (a touch of its own after it could fail, or never come, with the data stored).
local function indexed(reply)
  local into = name_index
  if not into or into.name == '' or (type(reply) == 'table' and reply.err) then return reply end
  return { (index_name(into.names, into.tidied, into.name, into.tidy_every_ms)), reply }
end
