#!lua flags=allow-oom
-- name: release
-- version: 1
-- summary: Gives back the deliveries a shutting-down instance still holds once its grace period
--   is over: each event goes back to the front of the queue at once, without counting as a
--   delivery, and wakes one instance, so others take it now rather than when the lease expires.
--   Allowed when Redis is out of memory: it only moves data.
-- keys:
--   1. inflight: hash of event id to the owner token of its current delivery
--   2. leases: sorted set of event id by lease deadline
--   3. deliveries: hash of event id to the number of times it was handed out
--   4. published: list of queued event ids, the next one at the right end
--   5. wake: list of wake-up markers
-- argv:
--   1+2i. an event id
--   2+2i. the owner token its pick returned
-- returns:
--   the number of deliveries given back; those the caller no longer held are left alone
--   error "BROKER_ARGUMENTS ...": nothing was changed

if #ARGV % 2 ~= 0 then
  return redis.error_reply('BROKER_ARGUMENTS release needs an id and a token per delivery')
end
local released = 0
for i = 1, #ARGV, 2 do
  local id = ARGV[i]
  if redis.call('HGET', KEYS[1], id) == ARGV[i + 1] then
    redis.call('HDEL', KEYS[1], id)
    redis.call('ZREM', KEYS[2], id)
    redis.call('HINCRBY', KEYS[3], id, -1)
    redis.call('RPUSH', KEYS[4], id)
    redis.call('LPUSH', KEYS[5], '1')
    released = released + 1
  end
end
return released
