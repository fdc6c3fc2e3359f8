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

-- Read the version first: a foreign value there fails the script before anything is written.
local version = tonumber(redis.call('GET', KEYS[2]) or '0')
if redis.call('SREM', KEYS[1], ARGV[1]) == 1 then
  return { 1, redis.call('INCR', KEYS[2]) }
end
return { 0, version }
