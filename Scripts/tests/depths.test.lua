-- Tests of Scripts/depths.lua: counts a service's events queued, in flight, waiting for a retry
-- and dead-lettered. Changes nothing.
--
-- KEYS: published, inflight, retries, dead
-- ARGV: none
-- Reply: {queued, inFlight, delayed, deadLetters}

local function service(name)
  local prefix = '{reb}:v1:s:' .. name .. ':'
  return {
    published = prefix .. 'published', events = prefix .. 'events', inflight = prefix .. 'inflight',
    leases = prefix .. 'leases', deliveries = prefix .. 'deliveries', wake = prefix .. 'wake',
    retries = prefix .. 'retries', dead = prefix .. 'dead', dead_letters = prefix .. 'dead-letters',
    channel = prefix .. 'notify',
  }
end
local billing, shipping = service('billing'), service('shipping')

local function depths(s)
  return run('depths', { s.published, s.inflight, s.retries, s.dead }, {})
end

-- `id` queued for `s`, as publish.lua leaves it.
local function queued(s, id)
  call('HSET', s.events, id, 'envelope of ' .. id)
  call('LPUSH', s.published, id)
  call('RPUSH', s.wake, '1')
end

local function pick(s, owner)
  return run('pick', { s.published, s.events, s.inflight, s.leases, s.deliveries, s.wake }, { owner, 30000, 1 })
end

local function nack(s, id, token, delay, max)
  return run('nack',
    { s.inflight, s.leases, s.deliveries, s.published, s.wake, s.retries, s.events, s.dead, s.dead_letters },
    { id, token, delay, max, 100, 'handler failed', s.channel, 'orders' })
end

test('an empty service: four zeros', function()
  assert_equal(depths(billing), { 0, 0, 0, 0 })
end)

test('counts queued events', function()
  queued(billing, 'e1')
  queued(billing, 'e2')
  queued(billing, 'e3')
  assert_equal(depths(billing), { 3, 0, 0, 0 })
end)

test('counts each place as the scripts leave it: queued, in flight, delayed, dead', function()
  for i = 1, 6 do queued(billing, 'e' .. i) end
  local first = pick(billing, 'billing-1')
  local second = pick(billing, 'billing-1')
  local third = pick(billing, 'billing-1')
  assert_equal(nack(billing, second[3], second[6], '60000', 10), 'delayed')
  assert_equal(nack(billing, third[3], third[6], '0', 1), 'dead')
  assert_equal(first[3], 'e1', 'the first stays in flight')
  assert_equal(depths(billing), { 3, 1, 1, 1 })
  mask_score(billing.leases, 'e1')
  mask_score(billing.retries, 'e2')
  mask_score(billing.dead, 'e3')
end)

test('an event requeued after a failure counts as queued again', function()
  queued(billing, 'e1')
  local picked = pick(billing, 'billing-1')
  assert_equal(depths(billing), { 0, 1, 0, 0 })
  assert_equal(nack(billing, 'e1', picked[6], '0', 10), 'requeued')
  assert_equal(depths(billing), { 1, 0, 0, 0 })
end)

test('another service\'s events are not counted', function()
  queued(shipping, 'e1')
  queued(shipping, 'e2')
  queued(billing, 'e3')
  assert_equal(depths(billing), { 1, 0, 0, 0 })
  assert_equal(depths(shipping), { 2, 0, 0, 0 })
end)

test('reading changes nothing and publishes nothing', function()
  queued(billing, 'e1')
  queued(billing, 'e2')
  pick(billing, 'billing-1')
  local before = call('KEYS', '*')
  depths(billing)
  assert_equal(sorted(call('KEYS', '*')), sorted(before))
  assert_equal(call('LRANGE', billing.published, 0, -1), { 'e2' })
  assert_equal(call('HGETALL', billing.inflight), { 'e1', 'billing-1:1' })
  assert_equal(published(), {})
  mask_score(billing.leases, 'e1')
end)

test('WRONGTYPE: a key of another type fails the read', function()
  call('SET', billing.published, 'not a list')
  assert_error(depths(billing), 'WRONGTYPE')
end)
