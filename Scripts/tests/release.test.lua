-- Tests of Scripts/release.lua: gives back the deliveries a shutting-down instance still holds:
-- each goes back to the front of the queue at once, without counting as a delivery, with one
-- wake marker.
--
-- KEYS: inflight, leases, deliveries, published, wake
-- ARGV: per delivery: event id, owner token
-- Reply: the number of deliveries given back

local prefix = '{reb}:v1:s:billing:'
local inflight, leases, deliveries, published_key, wake, events =
  prefix .. 'inflight', prefix .. 'leases', prefix .. 'deliveries', prefix .. 'published', prefix .. 'wake',
  prefix .. 'events'
local keys = { inflight, leases, deliveries, published_key, wake }

-- An event handed to `token`, as pick.lua leaves it.
local function in_flight(id, token, count)
  call('HSET', events, id, 'envelope of ' .. id)
  call('HSET', inflight, id, token)
  call('ZADD', leases, 1700000000000, id)
  call('HSET', deliveries, id, count or 1)
end

test('gives a held delivery back to the front of the queue with a wake marker', function()
  call('LPUSH', published_key, 'e2')
  call('LPUSH', wake, '1')
  in_flight('e1', 'instance-a:1')
  assert_equal(run('release', keys, { 'e1', 'instance-a:1' }), 1)
  assert_equal(call('LRANGE', published_key, 0, -1), { 'e2', 'e1' }, 'e1 at the right end, next to go')
  assert_equal(call('LLEN', wake), 2)
  assert_equal(call('EXISTS', inflight, leases), 0, 'no longer in flight')
  assert_equal(call('HGET', events, 'e1'), 'envelope of e1')
end)

test('the delivery given back does not count: its count goes back down', function()
  in_flight('e1', 'instance-a:3', 3)
  run('release', keys, { 'e1', 'instance-a:3' })
  assert_equal(call('HGET', deliveries, 'e1'), '2')
end)

test('the next pick hands the event out with the count it had before the released delivery', function()
  in_flight('e1', 'instance-a:1', 1)
  run('release', keys, { 'e1', 'instance-a:1' })
  assert_equal(call('HGET', deliveries, 'e1'), '0')
  local reply = run('pick', { published_key, events, inflight, leases, deliveries, wake }, { 'instance-b', 30000, 1 })
  assert_equal({ reply[3], reply[5], reply[6] }, { 'e1', 1, 'instance-b:1' })
  mask_score(leases, 'e1')
end)

test('several deliveries go back in one call; the last one named is picked first', function()
  in_flight('e1', 'instance-a:1')
  in_flight('e2', 'instance-a:2', 2)
  in_flight('e3', 'instance-a:1')
  assert_equal(run('release', keys, { 'e1', 'instance-a:1', 'e2', 'instance-a:2', 'e3', 'instance-a:1' }), 3)
  assert_equal(call('LRANGE', published_key, 0, -1), { 'e1', 'e2', 'e3' }, 'e3 at the right end')
  assert_equal(call('LLEN', wake), 3)
  assert_equal(call('HGETALL', deliveries), { 'e1', '0', 'e2', '1', 'e3', '0' })
end)

test('a delivery the caller no longer holds is left alone and not counted', function()
  in_flight('e1', 'instance-b:2', 2)
  assert_equal(run('release', keys, { 'e1', 'instance-a:1' }), 0)
  assert_equal(call('HGET', inflight, 'e1'), 'instance-b:2')
  assert_equal(call('ZCARD', leases), 1)
  assert_equal(call('HGET', deliveries, 'e1'), '2')
  assert_equal(call('EXISTS', published_key, wake), 0)
end)

test('a delivery the sweep already put back is not queued twice', function()
  call('LPUSH', published_key, 'e1')
  call('HSET', deliveries, 'e1', 1)
  assert_equal(run('release', keys, { 'e1', 'instance-a:1' }), 0)
  assert_equal(call('LRANGE', published_key, 0, -1), { 'e1' })
  assert_equal(call('HGET', deliveries, 'e1'), '1')
end)

test('held and lost deliveries in one call: only the held go back', function()
  in_flight('e1', 'instance-a:1')
  in_flight('e2', 'instance-b:1')
  assert_equal(run('release', keys, { 'e1', 'instance-a:1', 'e2', 'instance-a:1' }), 1)
  assert_equal(call('LRANGE', published_key, 0, -1), { 'e1' })
  assert_equal(call('HGETALL', inflight), { 'e2', 'instance-b:1' })
end)

test('a delivery named twice goes back once', function()
  in_flight('e1', 'instance-a:2', 2)
  assert_equal(run('release', keys, { 'e1', 'instance-a:2', 'e1', 'instance-a:2' }), 1)
  assert_equal(call('LRANGE', published_key, 0, -1), { 'e1' })
  assert_equal(call('HGET', deliveries, 'e1'), '1')
end)

test('nothing to give back answers 0 and writes nothing', function()
  assert_equal(run('release', keys, {}), 0)
  assert_equal(call('KEYS', '*'), {})
end)

test('release publishes no notification', function()
  in_flight('e1', 'instance-a:1')
  run('release', keys, { 'e1', 'instance-a:1' })
  assert_equal(published(), {})
end)

test('BROKER_ARGUMENTS: an id without a token gives nothing back', function()
  in_flight('e1', 'instance-a:1')
  assert_error(run('release', keys, { 'e1', 'instance-a:1', 'e2' }),
    'BROKER_ARGUMENTS release needs an id and a token per delivery')
  assert_equal(call('HGET', inflight, 'e1'), 'instance-a:1')
  assert_equal(call('HGET', deliveries, 'e1'), '1')
  assert_equal(call('EXISTS', published_key, wake), 0)
end)
