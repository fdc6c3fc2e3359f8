-- Tests of Scripts/subscribe.lua: adds a service to a topic's subscribers and to the registry of
-- services the checker sweeps, and raises the topic version when the subscribers changed.
--
-- KEYS: topic subscribers, topic version, services
-- ARGV: service name

local subscribers, version = '{reb}:v1:t:orders:subscribers', '{reb}:v1:t:orders:version'
local services = '{reb}:v1:services'
local keys = { subscribers, version, services }

test('the first subscriber creates the set and raises the version to 1', function()
  assert_equal(run('subscribe', keys, { 'billing' }), { 1, 1 })
  assert_equal(call('SMEMBERS', subscribers), { 'billing' })
  assert_equal(call('GET', version), '1')
end)

test('a second service raises the version again', function()
  run('subscribe', keys, { 'billing' })
  assert_equal(run('subscribe', keys, { 'shipping' }), { 1, 2 })
  assert_equal(sorted(call('SMEMBERS', subscribers)), { 'billing', 'shipping' })
end)

test('subscribing again changes nothing and answers the current version', function()
  run('subscribe', keys, { 'billing' })
  run('subscribe', keys, { 'shipping' })
  assert_equal(run('subscribe', keys, { 'billing' }), { 0, 2 })
  assert_equal(call('GET', version), '2')
end)

test('a version left by earlier changes keeps counting', function()
  call('SET', version, '41')
  assert_equal(run('subscribe', keys, { 'billing' }), { 1, 42 })
end)

test('a subscriber already present with no version key answers version 0', function()
  call('SADD', subscribers, 'billing')
  assert_equal(run('subscribe', keys, { 'billing' }), { 0, 0 })
  assert_equal(call('EXISTS', version), 0)
end)

test('the service joins the registry of services', function()
  run('subscribe', keys, { 'billing' })
  assert_equal(call('SMEMBERS', services), { 'billing' })
end)

test('the registry holds every service once, whatever topics it subscribed to', function()
  local payments = { '{reb}:v1:t:payments:subscribers', '{reb}:v1:t:payments:version', services }
  run('subscribe', keys, { 'billing' })
  run('subscribe', keys, { 'shipping' })
  run('subscribe', payments, { 'billing' })
  run('subscribe', keys, { 'billing' })
  assert_equal(sorted(call('SMEMBERS', services)), { 'billing', 'shipping' })
end)

test('a service subscribed before the registry existed joins it when it subscribes again', function()
  call('SADD', subscribers, 'billing')
  call('SET', version, '1')
  assert_equal(run('subscribe', keys, { 'billing' }), { 0, 1 }, 'the subscribers did not change')
  assert_equal(call('SMEMBERS', services), { 'billing' })
end)

test('a foreign value in the version key fails before anything is written', function()
  call('RPUSH', version, '1')
  assert_error(run('subscribe', keys, { 'billing' }), 'BROKER_WRONGTYPE')
  assert_equal(call('EXISTS', subscribers, services), 0)
end)

test('a foreign value in the services key fails before anything is written', function()
  call('SET', services, 'not a set')
  assert_error(run('subscribe', keys, { 'billing' }), 'BROKER_WRONGTYPE')
  assert_equal(call('EXISTS', subscribers, version), 0)
  assert_equal(call('GET', services), 'not a set')
end)

test('a foreign value in the subscribers key fails before anything is written', function()
  call('SET', subscribers, 'not a set')
  assert_error(run('subscribe', keys, { 'billing' }), 'BROKER_WRONGTYPE')
  assert_equal(call('GET', subscribers), 'not a set')
  assert_equal(call('EXISTS', version, services), 0)
end)

test('a version that is not a number fails before anything is written', function()
  call('SET', version, 'foreign')
  assert_error(run('subscribe', keys, { 'billing' }), 'BROKER_WRONGTYPE')
  assert_equal(call('EXISTS', subscribers, services), 0)
  assert_equal(call('GET', version), 'foreign')
end)

test('publishes nothing', function()
  run('subscribe', keys, { 'billing' })
  assert_equal(published(), {})
end)
