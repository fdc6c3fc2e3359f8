#!lua
-- name: subscribe
-- version: 2
-- summary: Adds a service to the subscribers of a topic and to the registry of services (which
--   the standalone checker sweeps); raises the topic version when the subscribers changed, so
--   publishers with an older view refresh it.
-- keys:
--   1. topic subscribers: set of service names
--   2. topic version: counter raised by every change of the subscribers
--   3. services: set of the names of every service that ever subscribed
-- argv:
--   1. the service name
-- returns:
--   {changed, version}: changed is 1 when the service was not subscribed before
--   error "BROKER_WRONGTYPE ...": a key holds a foreign value; nothing was written

-- Check every key before the first write: a script that fails half-way keeps its writes.
local names = { KEYS[1], KEYS[2], KEYS[3] }
local found = {
  redis.call('TYPE', KEYS[1])['ok'], redis.call('TYPE', KEYS[2])['ok'], redis.call('TYPE', KEYS[3])['ok'],
}
local expected = { 'set', 'string', 'set' }
for i = 1, 3 do
  if found[i] ~= 'none' and found[i] ~= expected[i] then
    return redis.error_reply('BROKER_WRONGTYPE ' .. names[i] .. ' holds a ' .. found[i] ..
      ', the broker expects a ' .. expected[i] .. '; nothing was written')
  end
end
local version = tonumber(redis.call('GET', KEYS[2]) or '0')
if not version then
  return redis.error_reply('BROKER_WRONGTYPE ' .. KEYS[2] .. ' is not a number; nothing was written')
end
redis.call('SADD', KEYS[3], ARGV[1])
if redis.call('SADD', KEYS[1], ARGV[1]) == 1 then
  return { 1, redis.call('INCR', KEYS[2]) }
end
return { 0, version }
