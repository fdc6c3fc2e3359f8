#!lua flags=allow-oom
-- name: renew
-- version: 1
-- summary: Extends the leases of the deliveries an instance still holds, so handlers that run
--   longer than one lease keep their events: one call per instance per interval covers all of
--   its running handlers. A delivery whose lease already passed to another is not extended.
--   Allowed when Redis is out of memory: it only rewrites scores.
-- keys:
--   1. inflight: hash of event id to the owner token of its current delivery
--   2. leases: sorted set of event id by lease deadline (ms, server clock)
-- argv:
--   1+3i. an event id
--   2+3i. the owner token its pick returned
--   3+3i. its new lease, in milliseconds from now
-- returns:
--   {id...}: the ids whose delivery the caller no longer holds; every other lease was extended
--   error "BROKER_ARGUMENTS ...": nothing was changed

if #ARGV % 3 ~= 0 then
  return redis.error_reply('BROKER_ARGUMENTS renew needs an id, a token and a lease per delivery')
end
for i = 3, #ARGV, 3 do
  local lease = tonumber(ARGV[i])
  if not lease or lease < 1 then
    return redis.error_reply('BROKER_ARGUMENTS renew needs leases of at least 1 ms')
  end
end

local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local lost = {}
for i = 1, #ARGV, 3 do
  if redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[i + 1] then
    redis.call('ZADD', KEYS[2], now + math.floor(tonumber(ARGV[i + 2])), ARGV[i])
  else
    lost[#lost + 1] = ARGV[i]
  end
end
return lost
