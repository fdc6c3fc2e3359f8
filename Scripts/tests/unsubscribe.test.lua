-- Tests of Scripts/unsubscribe.lua: removes a service from a topic's subscribers and raises the
-- topic version when that changed the subscribers; the version is never deleted, and the service
-- stays in the registry of services.
--
-- KEYS: topic subscribers, topic version
-- ARGV: service name

local subscribers, version = '{reb}:v1:t:orders:subscribers', '{reb}:v1:t:orders:version'
local services = '{reb}:v1:services'
local keys = { subscribers, version }

local function subscribed(...)
  for _, service in ipairs({ ... }) do call('SADD', subscribers, service) end
  call('SET', version, select('#', ...))
end

test('removing a subscriber raises the version', function()
  subscribed('billing', 'shipping')
  assert_equal(run('unsubscribe', keys, { 'billing' }), { 1, 3 })
  assert_equal(call('SMEMBERS', subscribers), { 'shipping' })
  assert_equal(call('GET', version), '3')
end)

test('removing the last subscriber deletes the set and keeps the version', function()
  subscribed('billing')
  assert_equal(run('unsubscribe', keys, { 'billing' }), { 1, 2 })
  assert_equal(call('EXISTS', subscribers), 0)
  assert_equal(call('GET', version), '2')
end)

test('a service that was not subscribed changes nothing and gets the current version', function()
  subscribed('billing', 'shipping')
  assert_equal(run('unsubscribe', keys, { 'audit' }), { 0, 2 })
  assert_equal(sorted(call('SMEMBERS', subscribers)), { 'billing', 'shipping' })
end)

test('a topic never subscribed answers version 0 and creates nothing', function()
  assert_equal(run('unsubscribe', keys, { 'billing' }), { 0, 0 })
  assert_equal(call('KEYS', '*'), {})
end)

test('subscribing again after unsubscribing gets a new version, never an old one', function()
  local subscribe_keys = { subscribers, version, services }
  assert_equal(run('subscribe', subscribe_keys, { 'billing' }), { 1, 1 })
  assert_equal(run('unsubscribe', keys, { 'billing' }), { 1, 2 })
  assert_equal(run('subscribe', subscribe_keys, { 'billing' }), { 1, 3 })
end)

test('the service stays in the registry of services, so the checker still sweeps its queue', function()
  run('subscribe', { subscribers, version, services }, { 'billing' })
  run('unsubscribe', keys, { 'billing' })
  assert_equal(call('SMEMBERS', services), { 'billing' })
end)

test('events already queued for the service stay queued', function()
  local queue, events = '{reb}:v1:s:billing:published', '{reb}:v1:s:billing:events'
  subscribed('billing')
  call('LPUSH', queue, 'e1')
  call('HSET', events, 'e1', 'envelope of e1')
  run('unsubscribe', keys, { 'billing' })
  assert_equal(call('LRANGE', queue, 0, -1), { 'e1' })
  assert_equal(call('HGET', events, 'e1'), 'envelope of e1')
end)

test('unsubscribe publishes nothing', function()
  subscribed('billing')
  run('unsubscribe', keys, { 'billing' })
  assert_equal(published(), {})
end)

test('a foreign value in the subscribers key fails before anything is written', function()
  call('SET', subscribers, 'foreign')
  call('SET', version, '5')
  assert_error(run('unsubscribe', keys, { 'billing' }), 'BROKER_WRONGTYPE')
  assert_equal(call('GET', version), '5')
end)

test('a foreign value in the version key fails before the subscriber is removed', function()
  call('SADD', subscribers, 'billing')
  call('RPUSH', version, '5')
  assert_error(run('unsubscribe', keys, { 'billing' }), 'BROKER_WRONGTYPE')
  assert_equal(call('SMEMBERS', subscribers), { 'billing' })
  assert_equal(call('LRANGE', version, 0, -1), { '5' })
end)

test('a version that is not a number fails before the subscriber is removed', function()
  call('SADD', subscribers, 'billing')
  call('SET', version, 'foreign')
  assert_error(run('unsubscribe', keys, { 'billing' }), 'BROKER_WRONGTYPE')
  assert_equal(call('SMEMBERS', subscribers), { 'billing' })
end)
