-- The scripts together, as the broker runs them: subscribe, publish, pick, nack, pick, ack.

local topic = '{reb}:v1:t:orders:'
local topic_keys = { topic .. 'subscribers', topic .. 'version' }

local function service(name)
  local prefix = '{reb}:v1:s:' .. name .. ':'
  return {
    published = prefix .. 'published', events = prefix .. 'events', inflight = prefix .. 'inflight',
    leases = prefix .. 'leases', deliveries = prefix .. 'deliveries', wake = prefix .. 'wake',
    channel = prefix .. 'notify',
  }
end
local billing, shipping = service('billing'), service('shipping')

local function pick(s, owner)
  return run('pick', { s.published, s.events, s.inflight, s.leases, s.deliveries, s.wake },
    { owner, 30000, '0', 16 })
end

local function publish(assumed, id)
  return run('publish',
    { topic_keys[1], topic_keys[2], billing.published, billing.events, billing.wake,
      shipping.published, shipping.events, shipping.wake },
    { assumed, id, 'envelope of ' .. id, 'orders', billing.channel, shipping.channel })
end

test('an event reaches both services, survives a failed handler, and leaves nothing behind', function()
  run('subscribe', topic_keys, { 'billing' })
  assert_equal(run('subscribe', topic_keys, { 'shipping' }), { 1, 2 })
  assert_equal(publish('2', 'e1'), { 'ok', 2 })

  local first = pick(billing, 'billing-1')
  assert_equal({ first[2], first[4], first[5] }, { 'e1', 1, 'billing-1:1' })
  assert_equal(run('nack', { billing.inflight, billing.leases, billing.published, billing.wake },
    { 'e1', 'billing-1:1', billing.channel, 'orders' }), 1)

  local second = pick(billing, 'billing-2')
  assert_equal({ second[2], second[4], second[5] }, { 'e1', 2, 'billing-2:2' })
  assert_equal(run('ack', { billing.inflight, billing.leases, billing.events, billing.deliveries },
    { 'e1', 'billing-1:1' }), 0, 'the first instance lost its lease')
  assert_equal(run('ack', { billing.inflight, billing.leases, billing.events, billing.deliveries },
    { 'e1', 'billing-2:2' }), 1)

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
    { stale[2], 'e1', 'envelope of e1', 'orders', billing.channel })
  assert_equal(reply, { 'ok', 1 })
end)
