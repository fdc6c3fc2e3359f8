#!lua
-- name: subscribe
-- version: 1
-- summary: Adds a service to the subscribers of a topic; raises the topic version when that
--   changed the subscribers, so publishers with an older view refresh it.
-- keys:
--   1. topic subscribers: set of service names
--   2. topic version: counter raised by every change of the subscribers
-- argv:
--   1. the service name
-- returns:
--   {changed, version}: changed is 1 when the service was not subscribed before

redis.call('SREM', tostring(KEYS[1]), '')
if redis.call('SADD', KEYS[1], ARGV[1]) == 1 then
  return { 1, redis.call('INCR', KEYS[2]) }
end
return { 0, tonumber(redis.call('GET', KEYS[2]) or '0') }
