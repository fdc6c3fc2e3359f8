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

-- Read the version first: a foreign value there fails the script before anything is written.
local version = tonumber(redis.call('GET', KEYS[2]) or '0')
redis.call('SADD', KEYS[3], ARGV[1])
if redis.call('SADD', KEYS[1], ARGV[1]) == 1 then
  return { 1, redis.call('INCR', KEYS[2]) }
end
return { 0, version }
