#!lua flags=allow-oom
-- name: forget-service
-- version: 1
-- summary: Deletes every key of a service that no longer subscribes to anything, events and dead
--   letters included, and removes it from the registry of services, so that nothing of it is
--   left (the taps of `event-broker tail`). Refused, with nothing written, while one of the
--   given topics still lists the service. Allowed when Redis is out of memory: it only frees memory.
-- keys:
--   1. services: set of the names of every service that ever subscribed
--   2. published: list of queued event ids
--   3. events: hash of event id to envelope
--   4. inflight: hash of event id to the owner token of its current delivery
--   5. leases: sorted set of event id by lease deadline
--   6. deliveries: hash of event id to times handed out
--   7. wake: list of wake-up markers
--   8. retries: sorted set of failed event id by when it may be delivered again
--   9. dead: sorted set of dead-lettered event id by when it was dead-lettered
--   10. dead letters: hash of "<id>:envelope", "<id>:error" and "<id>:deliveries" per dead letter
--   11. sweep guard: string held by the instance sweeping the service
--   then, for each topic the service subscribed to:
--   12+i. topic subscribers: set of service names, which must no longer hold the service
-- argv:
--   1. the service name
-- returns:
--   the number of the service's keys deleted (0 to 10)
--   error "BROKER_SUBSCRIBED ...": a topic still lists the service; nothing was written
--   error "BROKER_WRONGTYPE ...": a set key holds a foreign value; nothing was written
--   error "BROKER_ARGUMENTS ...": fewer than 11 keys, or no service name

if #KEYS < 11 or not ARGV[1] then
  return redis.error_reply('BROKER_ARGUMENTS forget-service needs 11 + n keys and the service name')
end

-- Check every set before the first write: a script that fails half-way keeps its writes.
local function foreign(index)
  local found = redis.call('TYPE', KEYS[index])['ok']
  if found ~= 'none' and found ~= 'set' then
    return redis.error_reply('BROKER_WRONGTYPE ' .. KEYS[index] .. ' holds a ' .. found ..
      ', the broker expects a set; nothing was written')
  end
  return nil
end
local refused = foreign(1)
for i = 12, #KEYS do
  refused = refused or foreign(i)
end
if refused then
  return refused
end
for i = 12, #KEYS do
  if redis.call('SISMEMBER', KEYS[i], ARGV[1]) == 1 then
    return redis.error_reply('BROKER_SUBSCRIBED ' .. KEYS[i] .. ' still lists ' .. ARGV[1] ..
      '; unsubscribe first; nothing was written')
  end
end

redis.call('SREM', KEYS[1], ARGV[1])
return redis.call('DEL', KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9], KEYS[10],
  KEYS[11])
