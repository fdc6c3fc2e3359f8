#!lua flags=allow-oom
-- name: nack
-- version: 1
-- summary: Puts an event whose handler failed back at the front of its service's queue, if
--   the caller still holds its delivery, and wakes one instance to take it.
--   Allowed when Redis is out of memory, so a failing handler never strands its event.
-- keys:
--   1. inflight: hash of event id to the owner token of its current delivery
--   2. leases: sorted set of event id by lease deadline
--   3. published: list of queued event ids, the next one at the right end
--   4. wake: list of wake-up markers
-- argv:
--   1. the event id
--   2. the owner token the pick returned
--   3. the service's notification channel
--   4. the event's topic, sent as the notification message
-- returns:
--   1 when the event is back in the queue, 0 when the caller no longer holds its delivery

local id = table.unpack({ ARGV[1] })
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then
  return 0
end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('RPUSH', KEYS[3], ARGV[1])
redis.call('LPUSH', KEYS[4], '1')
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1
