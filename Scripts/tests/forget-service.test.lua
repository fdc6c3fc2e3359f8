-- Tests of Scripts/forget-service.lua: deletes every key of a service that subscribes to none
-- of the given topics and removes it from the registry of services; refused, with nothing
-- written, while one of the topics still lists it.
--
-- KEYS: services, the service's ten keys, then the subscribers of each topic to check
-- ARGV: the service name
-- Reply: the number of the service's keys deleted

local services = '{reb}:v1:services'
local orders, invoices = '{reb}:v1:t:orders:subscribers', '{reb}:v1:t:invoices:subscribers'

local function service(name)
  local prefix = '{reb}:v1:s:' .. name .. ':'
  return {
    published = prefix .. 'published', events = prefix .. 'events', inflight = prefix .. 'inflight',
    leases = prefix .. 'leases', deliveries = prefix .. 'deliveries', wake = prefix .. 'wake',
    retries = prefix .. 'retries', dead = prefix .. 'dead', dead_letters = prefix .. 'dead-letters',
    sweep_guard = prefix .. 'sweep-guard',
  }
end
local tap, billing = service('tap-1'), service('billing')

-- The keys of `s`, then `topics`, as forget-service takes them.
local function keys(s, topics)
  local all = { services, s.published, s.events, s.inflight, s.leases, s.deliveries, s.wake, s.retries, s.dead,
    s.dead_letters, s.sweep_guard }
  for _, topic in ipairs(topics or {}) do all[#all + 1] = topic end
  return all
end

-- Every key of `s` holding something, as a service with queued, in-flight, delayed and dead
-- events leaves them.
local function busy(s)
  call('LPUSH', s.published, 'e1')
  call('HSET', s.events, 'e1', 'envelope of e1', 'e2', 'envelope of e2', 'e3', 'envelope of e3')
  call('RPUSH', s.wake, '1')
  call('HSET', s.inflight, 'e2', 'instance-a.1:1')
  call('ZADD', s.leases, 1000, 'e2')
  call('HSET', s.deliveries, 'e2', 1, 'e3', 2)
  call('ZADD', s.retries, 2000, 'e3')
  call('ZADD', s.dead, 3000, 'e4')
  call('HSET', s.dead_letters, 'e4:envelope', 'envelope of e4', 'e4:error', 'failed', 'e4:deliveries', 10)
  call('SET', s.sweep_guard, '1', 'PX', 60000)
end

test('every key of the service goes, and its name leaves the registry', function()
  busy(tap)
  call('SADD', services, 'tap-1', 'billing')
  assert_equal(run('forget-service', keys(tap, { orders }), { 'tap-1' }), 10)
  assert_equal(call('SMEMBERS', services), { 'billing' })
  assert_equal(call('KEYS', '{reb}:v1:s:tap-1:*'), {})
end)

test('other services keep their keys and the topics keep their subscribers', function()
  busy(tap)
  busy(billing)
  call('SADD', services, 'tap-1', 'billing')
  call('SADD', orders, 'billing')
  assert_equal(run('forget-service', keys(tap, { orders }), { 'tap-1' }), 10)
  assert_equal(#call('KEYS', '{reb}:v1:s:billing:*'), 10)
  assert_equal(call('SMEMBERS', orders), { 'billing' })
end)

test('the last service of the registry takes the registry with it', function()
  call('SADD', services, 'tap-1')
  call('LPUSH', tap.published, 'e1')
  assert_equal(run('forget-service', keys(tap), { 'tap-1' }), 1)
  assert_equal(call('KEYS', '*'), {})
end)

test('a service with no key at all deletes nothing and creates nothing', function()
  assert_equal(run('forget-service', keys(tap, { orders }), { 'tap-1' }), 0)
  assert_equal(call('KEYS', '*'), {})
end)

test('a topic that still lists the service refuses, and nothing is written', function()
  busy(tap)
  call('SADD', services, 'tap-1')
  call('SADD', invoices, 'tap-1')
  assert_error(run('forget-service', keys(tap, { orders, invoices }), { 'tap-1' }), 'BROKER_SUBSCRIBED')
  assert_equal(call('SMEMBERS', services), { 'tap-1' })
  assert_equal(#call('KEYS', '{reb}:v1:s:tap-1:*'), 10)
end)

test('a foreign value in the registry fails before anything is deleted', function()
  busy(tap)
  call('SET', services, 'foreign')
  assert_error(run('forget-service', keys(tap), { 'tap-1' }), 'BROKER_WRONGTYPE')
  assert_equal(#call('KEYS', '{reb}:v1:s:tap-1:*'), 10)
end)

test('a foreign value in a topic key fails before anything is deleted', function()
  busy(tap)
  call('SADD', services, 'tap-1')
  call('HSET', orders, 'tap-1', '1')
  assert_error(run('forget-service', keys(tap, { orders }), { 'tap-1' }), 'BROKER_WRONGTYPE')
  assert_equal(call('SMEMBERS', services), { 'tap-1' })
  assert_equal(#call('KEYS', '{reb}:v1:s:tap-1:*'), 10)
end)

test('too few keys or a missing service name are refused', function()
  busy(tap)
  local short = keys(tap)
  short[11] = nil
  assert_error(run('forget-service', short, { 'tap-1' }), 'BROKER_ARGUMENTS')
  assert_error(run('forget-service', keys(tap), {}), 'BROKER_ARGUMENTS')
  assert_equal(#call('KEYS', '{reb}:v1:s:tap-1:*'), 10)
end)

test('forget-service publishes nothing', function()
  busy(tap)
  run('forget-service', keys(tap), { 'tap-1' })
  assert_equal(published(), {})
end)
