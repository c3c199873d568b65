-- announce: a worker is alive for ttl ms, or gone (ttl 0). ARGV[2..3]: worker, ttl ms.
--- @include "includes/keys.lua"

refuse_all()
-- A newer coord's queue is refused, as by every step that writes: its workers' list too.
check_settings()
local worker, ttl_ms = ARGV[2], tonumber(ARGV[3])
if ttl_ms > 0 then
  call('ZADD', workers, now_ms + ttl_ms, worker)
else
  call('ZREM', workers, worker)
end
call('ZREMRANGEBYSCORE', workers, '-inf', '(' .. now_ms)
return 1
