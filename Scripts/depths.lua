#!lua flags=no-writes
-- name: depths
-- version: 1
-- summary: Counts a service's events where they wait: queued, in flight under a lease, waiting
--   for a retry delay, and dead-lettered, in one consistent snapshot. Changes nothing.
-- keys:
--   1. published: list of queued event ids
--   2. inflight: hash of event id to the owner token of its current delivery
--   3. retries: sorted set of failed event id by when it may be delivered again
--   4. dead: sorted set of dead-lettered event id by when it was dead-lettered
-- argv:
--   none
-- returns:
--   {queued, inFlight, delayed, deadLetters}: LLEN published, HLEN inflight, ZCARD retries and
--   ZCARD dead (0 for a missing key)
--   error "WRONGTYPE ...": a key holds another type

return {
  redis.call('LLEN', KEYS[1]),
  redis.call('HLEN', KEYS[2]),
  redis.call('ZCARD', KEYS[3]),
  redis.call('ZCARD', KEYS[4]),
}
