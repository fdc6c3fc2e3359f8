-- Tests of Scripts/nack.lua: puts an event whose handler failed back at the front of its queue,
-- if the caller still holds its delivery, and wakes one instance.
--
-- KEYS: inflight, leases, published, wake
-- ARGV: event id, owner token, notification channel, topic

local prefix = '{reb}:v1:s:billing:'
local inflight, leases, published_key, wake, events, deliveries =
  prefix .. 'inflight', prefix .. 'leases', prefix .. 'published', prefix .. 'wake', prefix .. 'events',
  prefix .. 'deliveries'
local channel = prefix .. 'notify'
local keys = { inflight, leases, published_key, wake }

-- An event handed to `token`, as pick.lua leaves it.
local function in_flight(id, token, count)
  call('HSET', events, id, 'envelope of ' .. id)
  call('HSET', inflight, id, token)
  call('ZADD', leases, 1700000000000, id)
  call('HSET', deliveries, id, count or 1)
end

local function nack(id, token)
  return run('nack', keys, { id, token, channel, 'orders' })
end

test('the holder\'s nack puts the event at the front of the queue', function()
  call('LPUSH', published_key, 'e2', 'e3')
  in_flight('e1', 'instance-a:1')
  assert_equal(nack('e1', 'instance-a:1'), 1)
  assert_equal(call('LRANGE', published_key, 0, -1), { 'e3', 'e2', 'e1' }, 'e1 at the right end, next to go')
  assert_equal(call('EXISTS', inflight, leases), 0, 'no longer in flight')
end)

test('a nack pushes one wake marker and notifies the service with the topic', function()
  call('LPUSH', wake, '1')
  in_flight('e1', 'instance-a:1')
  nack('e1', 'instance-a:1')
  assert_equal(call('LRANGE', wake, 0, -1), { '1', '1' })
  assert_equal(published(), { { channel, 'orders' } })
end)

test('the envelope and the delivery count stay for the next delivery', function()
  in_flight('e1', 'instance-a:1', 2)
  nack('e1', 'instance-a:1')
  assert_equal(call('HGET', events, 'e1'), 'envelope of e1')
  assert_equal(call('HGET', deliveries, 'e1'), '2')
end)

test('the next pick hands the event out again with the next delivery count', function()
  in_flight('e1', 'instance-a:1')
  nack('e1', 'instance-a:1')
  local reply = run('pick', { published_key, events, inflight, leases, deliveries, wake },
    { 'instance-b', 30000, '0', 16 })
  assert_equal({ reply[1], reply[2], reply[4], reply[5] }, { 0, 'e1', 2, 'instance-b:2' })
  assert_equal(call('EXISTS', wake), 0, 'the nack\'s marker was taken by the pick')
  mask_score(leases, 'e1')
end)

test('a late nack after the event was handed to another instance changes nothing', function()
  in_flight('e1', 'instance-b:2', 2)
  assert_equal(nack('e1', 'instance-a:1'), 0)
  assert_equal(call('HGET', inflight, 'e1'), 'instance-b:2')
  assert_equal(call('ZCARD', leases), 1)
  assert_equal(call('EXISTS', published_key, wake), 0)
  assert_equal(published(), {})
end)

test('a nack for an event not in flight changes nothing', function()
  call('LPUSH', published_key, 'e1')
  assert_equal(nack('e1', 'instance-a:1'), 0)
  assert_equal(call('LRANGE', published_key, 0, -1), { 'e1' }, 'not queued twice')
  assert_equal(call('EXISTS', wake), 0)
  assert_equal(published(), {})
end)

test('a foreign value in the inflight key fails before anything is written', function()
  call('SET', inflight, 'foreign')
  assert_error(nack('e1', 'instance-a:1'), 'WRONGTYPE')
  assert_equal(call('EXISTS', published_key, wake), 0)
  assert_equal(published(), {})
end)
