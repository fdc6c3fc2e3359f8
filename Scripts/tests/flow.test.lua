-- The scripts together, as the broker and the checker run them: subscribe, publish, pick, nack,
-- sweep, renew, release, ack, and the dead letters read, replayed and purged.

local topic = '{reb}:v1:t:orders:'
local topic_keys = { topic .. 'subscribers', topic .. 'version', '{reb}:v1:services' }

local function service(name)
  local prefix = '{reb}:v1:s:' .. name .. ':'
  return {
    published = prefix .. 'published', events = prefix .. 'events', inflight = prefix .. 'inflight',
    leases = prefix .. 'leases', deliveries = prefix .. 'deliveries', wake = prefix .. 'wake',
    retries = prefix .. 'retries', dead = prefix .. 'dead', dead_letters = prefix .. 'dead-letters',
    guard = prefix .. 'sweep-guard', channel = prefix .. 'notify',
  }
end
local billing, shipping = service('billing'), service('shipping')

local function pick(s, owner)
  return run('pick', { s.published, s.events, s.inflight, s.leases, s.deliveries, s.wake }, { owner, 30000, 1 })
end

local function nack(s, id, token, delay, max)
  return run('nack',
    { s.inflight, s.leases, s.deliveries, s.published, s.wake, s.retries, s.events, s.dead, s.dead_letters },
    { id, token, delay or '0', max or 3, 100, 'handler failed', s.channel, 'orders' })
end

local function ack(s, id, token)
  return run('ack', { s.inflight, s.leases, s.events, s.deliveries }, { id, token })[1]
end

-- A "0" sweep, as the checker's continuation runs it: no guard to get in the way of the test.
local function sweep(s, max)
  return run('sweep',
    { s.guard, s.published, s.wake, s.inflight, s.leases, s.deliveries, s.retries, s.events, s.dead, s.dead_letters },
    { '0', 16, max or 3, 100 })
end

local function publish(assumed, id)
  return run('publish',
    { topic_keys[1], topic_keys[2], billing.published, billing.events, billing.wake,
      shipping.published, shipping.events, shipping.wake },
    { assumed, 'orders', billing.channel .. '\n' .. shipping.channel, id, 'envelope of ' .. id })
end

local function subscribed()
  run('subscribe', topic_keys, { 'billing' })
  assert_equal(run('subscribe', topic_keys, { 'shipping' }), { 1, 2 })
end

test('an event reaches both services, survives a failed handler, and leaves nothing behind', function()
  subscribed()
  assert_equal(publish('2', 'e1'), { 'ok', 2 })

  local first = pick(billing, 'billing-1')
  assert_equal({ first[3], first[5], first[6] }, { 'e1', 1, 'billing-1:1' })
  assert_equal(nack(billing, 'e1', 'billing-1:1'), 'requeued')

  local second = pick(billing, 'billing-2')
  assert_equal({ second[3], second[5], second[6] }, { 'e1', 2, 'billing-2:2' })
  assert_equal(ack(billing, 'e1', 'billing-1:1'), 0, 'the first instance lost its lease')
  assert_equal(ack(billing, 'e1', 'billing-2:2'), 1)

  assert_equal(call('KEYS', '{reb}:v1:s:billing:*'), {}, 'billing holds nothing more')
  assert_equal(call('LRANGE', shipping.published, 0, -1), { 'e1' }, 'shipping still has its copy')
  assert_equal(published(), {
    { billing.channel, 'orders' }, { shipping.channel, 'orders' }, { billing.channel, 'orders' },
  })
end)

test('a publisher with an old view refreshes it from the stale reply and succeeds', function()
  run('subscribe', topic_keys, { 'billing' })
  local stale = publish('0', 'e1')
  assert_equal({ stale[1], stale[2], stale[3] }, { 'stale', '1', 'billing' })
  local reply = run('publish',
    { topic_keys[1], topic_keys[2], billing.published, billing.events, billing.wake },
    { stale[2], 'orders', billing.channel, 'e1', 'envelope of e1' })
  assert_equal(reply, { 'ok', 1 })
end)

test('the checker finds every subscribed service in the registry, unsubscribed ones too', function()
  subscribed()
  run('unsubscribe', { topic_keys[1], topic_keys[2] }, { 'shipping' })
  assert_equal(sorted(call('SMEMBERS', '{reb}:v1:services')), { 'billing', 'shipping' })
end)

test('a failing event is retried after its delay, dead-lettered, replayed and handled', function()
  subscribed()
  publish('2', 'e1')
  local first = pick(billing, 'billing-1')
  assert_equal(nack(billing, 'e1', first[6], 60000, 2), 'delayed')
  assert_equal(sweep(billing, 2), { 1, 0, 0, 0, 0 }, 'not due yet')

  call('ZADD', billing.retries, 0, 'e1')  -- the delay has passed
  assert_equal(sweep(billing, 2), { 1, 0, 1, 0, 0 })
  local second = pick(billing, 'billing-2')
  assert_equal({ second[3], second[5] }, { 'e1', 2 })
  assert_equal(nack(billing, 'e1', second[6], 60000, 2), 'dead', 'the second delivery was the last')

  local letters = run('dead-letters', { billing.dead, billing.dead_letters }, { 0, 10 })
  assert_equal({ letters[1], letters[2], letters[4], letters[5], letters[6] },
    { 1, 'e1', 'envelope of e1', 'handler failed', 2 })
  assert_equal(run('replay-dead', { billing.dead, billing.dead_letters, billing.events, billing.published, billing.wake },
    { 'e1' }), 1)

  local third = pick(billing, 'billing-3')
  assert_equal({ third[3], third[4], third[5] }, { 'e1', 'envelope of e1', 1 }, 'the count started again')
  assert_equal(ack(billing, 'e1', third[6]), 1)
  assert_equal(call('KEYS', '{reb}:v1:s:billing:*'), {}, 'billing holds nothing more')
end)

test('a dead instance\'s delivery goes to another after the sweep; renew and ack tell the first it lost it', function()
  subscribed()
  publish('2', 'e1')
  local first = pick(billing, 'billing-1')
  call('ZADD', billing.leases, 0, 'e1')  -- the lease expired: billing-1 stopped renewing it
  assert_equal(sweep(billing), { 1, 1, 0, 0, 0 })
  local second = pick(billing, 'billing-2')
  assert_equal({ second[3], second[5], second[6] }, { 'e1', 2, 'billing-2:2' })

  assert_equal(run('renew', { billing.inflight, billing.leases }, { 'e1', first[6], 30000 }), { 'e1' })
  assert_equal(run('renew', { billing.inflight, billing.leases }, { 'e1', second[6], 30000 }), {})
  assert_equal(ack(billing, 'e1', first[6]), 0)
  assert_equal(ack(billing, 'e1', second[6]), 1)
  assert_equal(call('KEYS', '{reb}:v1:s:billing:*'), {})
end)

test('a delivery whose lease ran out on its last try is dead-lettered by the sweep and purged', function()
  subscribed()
  publish('2', 'e1')
  pick(billing, 'billing-1')
  call('ZADD', billing.leases, 0, 'e1')
  assert_equal(sweep(billing, 1), { 1, 0, 0, 1, 0 })
  local letters = run('dead-letters', { billing.dead, billing.dead_letters }, { 0, 10 })
  assert_equal({ letters[1], letters[2], letters[5] }, { 1, 'e1', 'the lease of delivery 1 expired' })
  assert_equal(run('purge-dead', { billing.dead, billing.dead_letters }, {}), 1)
  assert_equal(call('KEYS', '{reb}:v1:s:billing:*'), {})
end)

test('a shutting-down instance releases its delivery; the next instance gets it as the same delivery', function()
  subscribed()
  publish('2', 'e1')
  local first = pick(billing, 'billing-1')
  assert_equal(run('release', { billing.inflight, billing.leases, billing.deliveries, billing.published, billing.wake },
    { 'e1', first[6] }), 1)
  local second = pick(billing, 'billing-2')
  assert_equal({ second[3], second[5], second[6] }, { 'e1', 1, 'billing-2:1' })
  assert_equal(ack(billing, 'e1', first[6]), 0)
  assert_equal(ack(billing, 'e1', second[6]), 1)
end)
