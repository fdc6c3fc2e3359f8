-- Tests of Scripts/ack.lua: removes events for good after their handlers succeeded, each if the
-- caller still holds its delivery; a late ack changes nothing.
--
-- KEYS: inflight, leases, events, deliveries
-- ARGV: event id, owner token, event id, owner token, ...

local prefix = '{reb}:v1:s:billing:'
local inflight, leases, events, deliveries =
  prefix .. 'inflight', prefix .. 'leases', prefix .. 'events', prefix .. 'deliveries'
local keys = { inflight, leases, events, deliveries }

-- An event handed to `token`, as pick.lua leaves it.
local function in_flight(id, token, count)
  call('HSET', events, id, 'envelope of ' .. id)
  call('HSET', inflight, id, token)
  call('ZADD', leases, 1700000000000, id)
  call('HSET', deliveries, id, count or 1)
end

test('the holder\'s ack removes everything about the event', function()
  in_flight('e1', 'instance-a:1')
  assert_equal(run('ack', keys, { 'e1', 'instance-a:1' }), { 1 })
  assert_equal(call('KEYS', '*'), {}, 'the emptied hashes and lease set vanish')
end)

test('an ack leaves the other events alone', function()
  in_flight('e1', 'instance-a:1')
  in_flight('e2', 'instance-b:3', 3)
  assert_equal(run('ack', keys, { 'e1', 'instance-a:1' }), { 1 })
  assert_equal(call('HGETALL', inflight), { 'e2', 'instance-b:3' })
  assert_equal(call('ZRANGE', leases, 0, -1), { 'e2' })
  assert_equal(call('HKEYS', events), { 'e2' })
  assert_equal(call('HGETALL', deliveries), { 'e2', '3' })
end)

test('a late ack after the event was handed to another instance changes nothing', function()
  in_flight('e1', 'instance-b:2', 2)
  assert_equal(run('ack', keys, { 'e1', 'instance-a:1' }), { 0 })
  assert_equal(call('HGET', inflight, 'e1'), 'instance-b:2')
  assert_equal(call('ZCARD', leases), 1)
  assert_equal(call('HGET', events, 'e1'), 'envelope of e1')
  assert_equal(call('HGET', deliveries, 'e1'), '2')
end)

test('the same owner\'s token of an earlier delivery is refused', function()
  in_flight('e1', 'instance-a:2', 2)
  assert_equal(run('ack', keys, { 'e1', 'instance-a:1' }), { 0 })
  assert_equal(call('HGET', inflight, 'e1'), 'instance-a:2')
end)

test('an ack for an event back in the queue changes nothing', function()
  call('HSET', events, 'e1', 'envelope of e1')
  call('HSET', deliveries, 'e1', 1)
  assert_equal(run('ack', keys, { 'e1', 'instance-a:1' }), { 0 })
  assert_equal(call('HGET', events, 'e1'), 'envelope of e1')
  assert_equal(call('HGET', deliveries, 'e1'), '1')
end)

test('an ack for an unknown event answers 0 and creates nothing', function()
  assert_equal(run('ack', keys, { 'e1', 'instance-a:1' }), { 0 })
  assert_equal(call('KEYS', '*'), {})
end)

test('a second ack of the same delivery answers 0', function()
  in_flight('e1', 'instance-a:1')
  assert_equal(run('ack', keys, { 'e1', 'instance-a:1' }), { 1 })
  assert_equal(run('ack', keys, { 'e1', 'instance-a:1' }), { 0 })
end)

test('ack publishes nothing', function()
  in_flight('e1', 'instance-a:1')
  run('ack', keys, { 'e1', 'instance-a:1' })
  assert_equal(published(), {})
end)

test('a foreign value in the inflight key fails before anything is removed', function()
  call('SET', inflight, 'foreign')
  call('HSET', events, 'e1', 'envelope of e1')
  assert_error(run('ack', keys, { 'e1', 'instance-a:1' }), 'WRONGTYPE')
  assert_equal(call('GET', inflight), 'foreign')
  assert_equal(call('HGET', events, 'e1'), 'envelope of e1')
end)

test('one call acknowledges several events, each on its own token', function()
  in_flight('e1', 'instance-a:1')
  in_flight('e2', 'instance-b:2', 2)
  in_flight('e3', 'instance-a:1')
  in_flight('e4', 'instance-a:1')
  assert_equal(run('ack', keys, { 'e1', 'instance-a:1', 'e2', 'instance-a:1', 'e3', 'instance-a:1', 'e9', 'instance-a:1' }),
    { 1, 0, 1, 0 })
  assert_equal(call('HGETALL', inflight), { 'e2', 'instance-b:2', 'e4', 'instance-a:1' }, 'e2 is held by another')
  assert_equal(call('ZRANGE', leases, 0, -1), { 'e2', 'e4' })
  assert_equal(call('HKEYS', events), { 'e2', 'e4' })
  assert_equal(call('HKEYS', deliveries), { 'e2', 'e4' })
end)

test('a call where no delivery is held changes nothing', function()
  in_flight('e1', 'instance-b:2', 2)
  assert_equal(run('ack', keys, { 'e1', 'instance-a:1', 'e2', 'instance-a:1' }), { 0, 0 })
  assert_equal(call('HGET', inflight, 'e1'), 'instance-b:2')
  assert_equal(call('HGET', deliveries, 'e1'), '2')
end)

test('BROKER_ARGUMENTS: no pair, half a pair or more than 1000 pairs change nothing', function()
  in_flight('e1', 'instance-a:1')
  local message = 'BROKER_ARGUMENTS ack needs from 1 to 1000 pairs of an event id and a token'
  assert_error(run('ack', keys, {}), message, 'no pair')
  assert_error(run('ack', keys, { 'e1' }), message, 'an id alone')
  assert_error(run('ack', keys, { 'e1', 'instance-a:1', 'e2' }), message, 'a pair and a half')
  local many = {}
  for i = 1, 1001 do
    many[#many + 1] = 'e1'
    many[#many + 1] = 'instance-a:1'
  end
  assert_error(run('ack', keys, many), message, '1001 pairs')
  assert_equal(call('HGET', inflight, 'e1'), 'instance-a:1')
  assert_equal(call('HGET', events, 'e1'), 'envelope of e1')
end)
