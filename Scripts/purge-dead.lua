#!lua flags=allow-oom
-- name: purge-dead
-- version: 1
-- summary: Deletes dead letters for good: the given ids, or every dead letter of the service
--   when no id is given. Allowed when Redis is out of memory: it only frees memory.
-- keys:
--   1. dead: sorted set of dead-lettered event id by the time it was dead-lettered (µs)
--   2. dead letters: hash of "<id>:envelope", "<id>:error" and "<id>:deliveries" per dead letter
-- argv:
--   1+i. the id of a dead letter to delete; none deletes them all
-- returns:
--   the number of dead letters deleted

if #ARGV == 0 then
  local purged = redis.call('ZCARD', KEYS[1])
  redis.call('DEL', KEYS[1], KEYS[2])
  return purged
end
local purged = 0
for i = 1, #ARGV do
  local id = ARGV[i]
  if redis.call('ZREM', KEYS[1], id) == 1 then
    redis.call('HDEL', KEYS[2], id .. ':envelope', id .. ':error', id .. ':deliveries')
    purged = purged + 1
  end
end
return purged
