-- The queue's keys, the type coord keeps in each, and how a step touches them: every command
-- through `call`, the checks of the keys it writes, its one instant and its one message.
-- All keys share one hash tag.
-- KEYS: jobs (hash id -> state json: coord's own fields only), specs (hash id -> the job's
--       spec json, as given), results (hash id -> result json, as returned), pending (zset
--       id -> ready at ms), active (zset id -> lease end ms), totals (hash state -> count of
--       finished jobs, and of waiting ones), workers (zset worker -> announced until ms),
--       counter (string: last id), inputs (hash id -> a postprocess job's input: its group's
--       parts' results, a json array), waiting (zset id -> created at ms: flow parts not yet
--       released), done_completed / done_failed / done_cancelled (zset id -> finished at ms:
--       finished jobs that are no flow's part, what list pages through and retention removes,
--       oldest first), config (hash: keepCompleted, keepFailed: retention json; paused: 1),
--       removed (zset "STATE:ID" -> removed at ms: what retention removed, so show and wait can
--       say so), dedupe (hash key -> the id of the job put with it), dedupe_until (zset key
--       -> end of its window ms), progress (hash id -> the latest progress json its run reported),
--       ready (zset id -> run order: the pending jobs whose start has come, by priority, then
--       start, then id), promoted (string: the backend time up to which pending jobs whose
--       start has come are in ready), trimmed_completed / trimmed_failed / trimmed_cancelled
--       (zset id -> finished at ms: the finished jobs of done_* that the queue's retention
--       governs, i.e. put without --keep), expiring (zset id -> when its own --keep's duration
--       ends, ms), outlived (zset id -> the count of finished jobs at which its own --keep's
--       count ends; totals' field "finished" counts them), parked (zset, all scores 0:
--       "GROUP\0ORDER\0ID", the due jobs of a --group waiting for room under the queue's
--       groupLimit, read by prefix), groups (hash "active:GROUP" / "ready:GROUP" -> that group's
--       jobs running / in ready)
-- ARGV[1]: the queue's change channel, then the step's own arguments (see each step's file).
-- User data (specs, results) is stored as the strings given and never decoded here: cjson
-- would turn [] into {} and cut numbers to 14 digits.

local jobs, specs, results, pending, active, totals, workers, counter, inputs =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9]
local waiting, config, removed, dedupe, dedupe_until, progress = KEYS[10], KEYS[14], KEYS[15],
  KEYS[16], KEYS[17], KEYS[18]
local ready, promoted = KEYS[19], KEYS[20]
local TRIMMED = { completed = KEYS[21], failed = KEYS[22], cancelled = KEYS[23] }
local expiring, outlived = KEYS[24], KEYS[25]
local parked, groups = KEYS[26], KEYS[27]
local DONE = { completed = KEYS[11], failed = KEYS[12], cancelled = KEYS[13] }
-- The type coord keeps in each key.
local KINDS = { [jobs] = 'hash', [specs] = 'hash', [results] = 'hash', [pending] = 'zset',
  [active] = 'zset', [totals] = 'hash', [workers] = 'zset', [counter] = 'string',
  [inputs] = 'hash', [waiting] = 'zset', [DONE.completed] = 'zset', [DONE.failed] = 'zset',
  [DONE.cancelled] = 'zset', [config] = 'hash', [removed] = 'zset', [dedupe] = 'hash',
  [dedupe_until] = 'zset', [progress] = 'hash', [ready] = 'zset', [promoted] = 'string',
  [TRIMMED.completed] = 'zset', [TRIMMED.failed] = 'zset', [TRIMMED.cancelled] = 'zset',
  [expiring] = 'zset', [outlived] = 'zset', [parked] = 'zset', [groups] = 'hash' }
local call = checked_call(KINDS)

-- Foreign data is refused, never overwritten, and a refused step writes nothing. Every command
-- goes through `call`, which turns Redis' own refusal of a key of another type (before it
-- changes anything) into FOREIGN; so a key needs a TYPE check only where a step writes to it
-- after having written elsewhere. The steps each job takes check just those keys (`refuse`);
-- the rare steps check all 27 up front. SET, the one command that replaces a key of any type,
-- writes `promoted` only after a GET of it.
local verified = {}
local function refuse(keys)
  local expected = {}
  for _, key in ipairs(keys) do
    if not verified[key] then expected[key] = KINDS[key] end
    verified[key] = true
  end
  local refused = wrong_type(expected)
  if refused then error(refused) end
end

-- The rare steps' check of every key, up front.
local function refuse_all()
  local refused = wrong_type(KINDS)
  if refused then error(refused) end
end

-- The one instant the step happens at.
local now_ms = math.floor(now)

-- Workers and waiters listen on the channel: one message a step is enough for them to re-read.
local published = false
local function changed()
  if published then return end
  published = true
  call('PUBLISH', channel, 'changed')
end
