-- Tests of Scripts/renew.lua: extends the leases of the deliveries an instance still holds, in
-- one call for all of its running handlers, and names the deliveries it no longer holds.
--
-- KEYS: inflight, leases
-- ARGV: per delivery: event id, owner token, new lease in ms
-- Reply: {id...} of the deliveries the caller no longer holds
-- New deadlines come from the server clock: tests bound them with TIME and mask them.

local prefix = '{reb}:v1:s:billing:'
local inflight, leases, published_key, wake = prefix .. 'inflight', prefix .. 'leases', prefix .. 'published',
  prefix .. 'wake'
local keys = { inflight, leases }

-- The server clock in milliseconds, as the script computes it.
local function now()
  local time = call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end

-- A delivery held by `token` whose lease ends at `deadline`.
local function in_flight(id, token, deadline)
  call('HSET', inflight, id, token)
  call('ZADD', leases, deadline, id)
end

local function deadline_of(id)
  return tonumber(call('ZSCORE', leases, id))
end

test('extends a held lease to TIME + the new lease and answers no lost ids', function()
  in_flight('e1', 'instance-a:1', now() + 1000)
  local before = now()
  assert_equal(run('renew', keys, { 'e1', 'instance-a:1', 30000 }), {})
  local after = now()
  assert_between(deadline_of('e1'), before + 30000, after + 30000, 'deadline = TIME + lease')
  assert_equal(call('HGET', inflight, 'e1'), 'instance-a:1', 'the token stays')
  mask_score(leases, 'e1')
end)

test('each delivery gets its own lease length', function()
  in_flight('e1', 'instance-a:1', 1)
  in_flight('e2', 'instance-a:3', 1)
  local before = now()
  assert_equal(run('renew', keys, { 'e1', 'instance-a:1', 10000, 'e2', 'instance-a:3', 90000 }), {})
  local after = now()
  assert_between(deadline_of('e1'), before + 10000, after + 10000)
  assert_between(deadline_of('e2'), before + 90000, after + 90000)
  mask_score(leases, 'e1')
  mask_score(leases, 'e2')
end)

test('an expired lease the sweep has not put back yet is still held: it is extended', function()
  in_flight('e1', 'instance-a:1', 0)
  local before = now()
  assert_equal(run('renew', keys, { 'e1', 'instance-a:1', 30000 }), {})
  assert_between(deadline_of('e1'), before + 30000, now() + 30000)
  mask_score(leases, 'e1')
end)

test('a lease can be shortened: the deadline is TIME + lease whatever it was', function()
  in_flight('e1', 'instance-a:1', now() + 3600000)
  local before = now()
  run('renew', keys, { 'e1', 'instance-a:1', 1000 })
  assert_between(deadline_of('e1'), before + 1000, now() + 1000)
  mask_score(leases, 'e1')
end)

test('a lease in fractional ms is rounded down', function()
  in_flight('e1', 'instance-a:1', 1)
  local before = now()
  run('renew', keys, { 'e1', 'instance-a:1', '1500.9' })
  local deadline = deadline_of('e1')
  assert_between(deadline, before + 1500, now() + 1500)
  assert_equal(deadline, math.floor(deadline), 'a whole number of ms')
  mask_score(leases, 'e1')
end)

test('a delivery that passed to another instance is answered lost and its lease is not extended', function()
  in_flight('e1', 'instance-b:2', 5)
  assert_equal(run('renew', keys, { 'e1', 'instance-a:1', 30000 }), { 'e1' })
  assert_equal(call('ZSCORE', leases, 'e1'), '5')
  assert_equal(call('HGET', inflight, 'e1'), 'instance-b:2')
end)

test('the same owner\'s token of an earlier delivery is answered lost', function()
  in_flight('e1', 'instance-a:2', 5)
  assert_equal(run('renew', keys, { 'e1', 'instance-a:1', 30000 }), { 'e1' })
  assert_equal(call('ZSCORE', leases, 'e1'), '5')
end)

test('a delivery the sweep put back is answered lost and gets no lease again', function()
  call('LPUSH', published_key, 'e1')
  assert_equal(run('renew', keys, { 'e1', 'instance-a:1', 30000 }), { 'e1' })
  assert_equal(call('EXISTS', inflight, leases), 0)
  assert_equal(call('LRANGE', published_key, 0, -1), { 'e1' })
end)

test('held and lost deliveries in one call: the held are extended, the lost named in order', function()
  in_flight('e1', 'instance-a:1', 1)
  in_flight('e2', 'instance-b:1', 2)
  in_flight('e3', 'instance-a:4', 3)
  local reply = run('renew', keys, {
    'e4', 'instance-a:1', 30000, 'e1', 'instance-a:1', 30000, 'e2', 'instance-a:1', 30000, 'e3', 'instance-a:4', 30000,
  })
  assert_equal(reply, { 'e4', 'e2' })
  assert_equal(call('ZSCORE', leases, 'e2'), '2')
  assert_true(deadline_of('e1') > 3 and deadline_of('e3') > 3, 'e1 and e3 extended')
  assert_equal(call('ZCARD', leases), 3, 'no lease for the unknown e4')
  mask_score(leases, 'e1')
  mask_score(leases, 'e3')
end)

test('nothing to renew answers an empty list and writes nothing', function()
  assert_equal(run('renew', keys, {}), {})
  assert_equal(call('KEYS', '*'), {})
end)

test('renew publishes nothing and touches no queue', function()
  in_flight('e1', 'instance-a:1', 1)
  run('renew', keys, { 'e1', 'instance-a:1', 30000 })
  assert_equal(published(), {})
  assert_equal(call('EXISTS', published_key, wake), 0)
  mask_score(leases, 'e1')
end)

-- Every argument error answers BROKER_ARGUMENTS before any lease is extended.
local function assert_refused(argv, message, what)
  call('FLUSHALL')
  in_flight('e1', 'instance-a:1', 5)
  assert_error(run('renew', keys, argv), message, what)
  assert_equal(call('ZSCORE', leases, 'e1'), '5', what)
end

test('BROKER_ARGUMENTS: arguments that are not triples extend nothing', function()
  local message = 'BROKER_ARGUMENTS renew needs an id, a token and a lease per delivery'
  assert_refused({ 'e1', 'instance-a:1' }, message, 'no lease')
  assert_refused({ 'e1', 'instance-a:1', 30000, 'e2' }, message, 'four arguments')
end)

test('BROKER_ARGUMENTS: a lease below 1 ms or not a number extends nothing, not even the good ones', function()
  local message = 'BROKER_ARGUMENTS renew needs leases of at least 1 ms'
  assert_refused({ 'e1', 'instance-a:1', 0 }, message, 'lease 0')
  assert_refused({ 'e1', 'instance-a:1', '0.5' }, message, 'lease 0.5')
  assert_refused({ 'e1', 'instance-a:1', 'long' }, message, 'lease long')
  assert_refused({ 'e1', 'instance-a:1', 30000, 'e2', 'instance-a:1', -1 }, message, 'a bad second lease')
end)
