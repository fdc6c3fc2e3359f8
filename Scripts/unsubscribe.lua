#!lua
-- name: unsubscribe
-- version: 2
-- summary: Removes a service from the subscribers of a topic; raises the topic version when
--   that changed the subscribers. Events already queued for the service stay queued, and the
--   service stays in the registry of services, so the checker still sweeps its queue.
-- keys:
--   1. topic subscribers: set of service names
--   2. topic version: counter raised by every change of the subscribers; never deleted, so a
--      version a publisher cached can never come back with other subscribers
-- argv:
--   1. the service name
-- returns:
--   {changed, version}: changed is 1 when the service was subscribed before
--   error "BROKER_WRONGTYPE ...": a key holds a foreign value; nothing was written

-- Check both keys before the first write: a script that fails half-way keeps its writes.
local names = { KEYS[1], KEYS[2] }
local found = { redis.call('TYPE', KEYS[1])['ok'], redis.call('TYPE', KEYS[2])['ok'] }
local expected = { 'set', 'string' }
for i = 1, 2 do
  if found[i] ~= 'none' and found[i] ~= expected[i] then
    return redis.error_reply('BROKER_WRONGTYPE ' .. names[i] .. ' holds a ' .. found[i] ..
      ', the broker expects a ' .. expected[i] .. '; nothing was written')
  end
end
local version = tonumber(redis.call('GET', KEYS[2]) or '0')
if not version then
  return redis.error_reply('BROKER_WRONGTYPE ' .. KEYS[2] .. ' is not a number; nothing was written')
end
if redis.call('SREM', KEYS[1], ARGV[1]) == 1 then
  return { 1, redis.call('INCR', KEYS[2]) }
end
return { 0, version }
