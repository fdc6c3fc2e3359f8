#!lua flags=allow-oom
-- name: ack
-- version: 1
-- summary: Removes an event for good after its handler succeeded, if the caller still holds
--   its delivery; a late ack after the lease passed to another instance changes nothing.
--   Allowed when Redis is out of memory: it only frees memory.
-- keys:
--   1. inflight: hash of event id to the owner token of its current delivery
--   2. leases: sorted set of event id by lease deadline
--   3. events: hash of event id to envelope
--   4. deliveries: hash of event id to delivery count
-- argv:
--   1. the event id
--   2. the owner token the pick returned
-- returns:
--   1 when the event was removed, 0 when the caller no longer holds its delivery

if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then
  return 0
end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('HDEL', KEYS[4], ARGV[1])
return 1
-- the ack is idempotent
