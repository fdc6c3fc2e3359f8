import EventBrokerTestSupport
import Foundation
import RedisServerProcess
import Synchronization
import Testing

@testable import EventBrokerCore
@testable import RedisEventBroker

/// The cluster client and the broker on a real Redis Cluster of three masters and three
/// replicas on loopback, made for each test. One test at a time: six servers each are load enough.
@Suite(.serialized, .timeLimit(.minutes(3))) struct ClusterTests {
    @Test func theClientComputesTheSlotsTheClusterDoes() async throws {
        try await TestCluster.with { cluster in
            let layout = try KeyLayout(prefix: "reb")
            let keys = ["foo", "{user1000}.following", "foo{}{bar}", "", layout.service("billing").published, layout.services]
            for key in keys {
                let slot = try await cluster.command(on: cluster.nodes[0], "CLUSTER", "KEYSLOT", key).integer
                #expect(slot == Int64(HashSlot.of(key)), "\(key)")
            }
        }
    }

    @Test func commandsGoToTheMasterOfTheirKeysSlot() async throws {
        try await TestCluster.with { cluster in
            let client = RedisCluster(seeds: try RedisClusterSeeds(url: cluster.url))
            let keys = (0..<30).map { "key-\($0)" }
            for key in keys {
                #expect(try await client.send("SET", key, "value of \(key)", key: key) == .status("OK"))
            }
            // Each key is on the master the cluster says serves its slot, and only there.
            var mastersUsed: Set<Int> = []
            for key in keys {
                let master = try await client.master(forKey: key)
                guard case .tcp(_, let port) = master.address, let node = cluster.node(port: port) else {
                    Issue.record("no node at \(master)")
                    continue
                }
                mastersUsed.insert(port)
                #expect(try await cluster.command(on: node, "GET", key).string == "value of \(key)")
                #expect(try await cluster.command(on: node, "CLUSTER", "COUNTKEYSINSLOT", String(HashSlot.of(key))).integer == 1)
            }
            #expect(mastersUsed.count == 3, "30 keys spread over the three masters")
            await client.close()
        }
    }

    @Test func aMovedSlotIsFollowedAndRemembered() async throws {
        try await TestCluster.with { cluster in
            let client = RedisCluster(seeds: try RedisClusterSeeds(url: cluster.url))
            let key = "moving-key"
            #expect(try await client.send("EXISTS", key, key: key) == .integer(0))
            let (from, to) = try await twoMasters(cluster, fromMasterOf: key)
            // The empty slot is given to another master on every master: the client's map is now wrong.
            let slot = String(HashSlot.of(key))
            let newOwner = try await cluster.command(on: to, "CLUSTER", "MYID").string ?? ""
            for master in [from, to] + (try await otherMasters(cluster, besides: [from, to])) {
                try await cluster.command(on: master, "CLUSTER", "SETSLOT", slot, "NODE", newOwner)
            }
            #expect(try await client.send("SET", key, "moved", key: key) == .status("OK"))
            #expect(try await cluster.command(on: to, "GET", key).string == "moved")
            let master = try await client.master(forKey: key)
            #expect(master.address == .tcp(host: "127.0.0.1", port: try #require(to.port)), "the map was read again")
            await client.close()
        }
    }

    @Test func anAskRedirectionSendsTheOneCommandToTheImportingNode() async throws {
        try await TestCluster.with { cluster in
            let client = RedisCluster(seeds: try RedisClusterSeeds(url: cluster.url))
            let key = "migrating-key"
            #expect(try await client.send("EXISTS", key, key: key) == .integer(0))
            let (from, to) = try await twoMasters(cluster, fromMasterOf: key)
            let slot = String(HashSlot.of(key))
            let fromId = try await cluster.command(on: from, "CLUSTER", "MYID").string ?? ""
            let toId = try await cluster.command(on: to, "CLUSTER", "MYID").string ?? ""
            try await cluster.command(on: to, "CLUSTER", "SETSLOT", slot, "IMPORTING", fromId)
            try await cluster.command(on: from, "CLUSTER", "SETSLOT", slot, "MIGRATING", toId)
            // The key is not on the migrating node, which answers ASK: the client asks the importing one.
            #expect(try await client.send("SET", key, "asked", key: key) == .status("OK"))
            #expect(try await cluster.command(on: to, "CLUSTER", "COUNTKEYSINSLOT", slot).integer == 1)
            #expect(try await cluster.command(on: from, "CLUSTER", "COUNTKEYSINSLOT", slot).integer == 0)
            let master = try await client.master(forKey: key)
            #expect(master.address == .tcp(host: "127.0.0.1", port: try #require(from.port)), "an ASK changes no map")
            await client.close()
        }
    }

    /// Four services of one prefix: with the per-prefix placement all on one master, with the
    /// per-service one on all three (their names' slots fall on each master's range), and either
    /// way every event handled once by each.
    @Test(arguments: SlotPlacement.allCases)
    func brokersExchangeEventsThroughACluster(placement: SlotPlacement) async throws {
        try await TestCluster.with { cluster in
            let ledger = Ledger()
            let services = ["billing", "shipping", "audit", "mail"]
            var consumers: [Task<Void, any Error>] = []
            var keys: [String] = []
            for service in services {
                for _ in 0..<2 {
                    let instance = try await cluster.broker(service) { $0.slotPlacement = placement }
                    try await instance.subscribe("orders")
                    consumers.append(Task { try await instance.consume(concurrency: 4) { ledger.record(instance, $0) } })
                    keys.append(instance.serviceKeys.published)
                }
            }
            let masters = try await mastersOf(cluster)
            let used = Set(keys.compactMap { key in masters.first { $0.slots.contains(Int64(HashSlot.of(key))) }?.node.port })
            #expect(used.count == (placement == .perPrefix ? 1 : 3))
            let shop = try await cluster.broker("shop") { $0.slotPlacement = placement }
            var published: [String] = []
            for number in 1...200 {
                published.append(try await shop.publishEvent(Event(streamId: "order-\(number)", topic: "orders")))
            }
            try await eventually("every event reached every service") { ledger.all.count == 800 }
            for service in services {
                #expect(ledger.handled(by: service) == Dictionary(uniqueKeysWithValues: published.map { ($0, 1) }), "\(service)")
            }
            for consumer in consumers { consumer.cancel() }
        }
    }

    @Test func failedEventsAreRetriedOrDeadLetteredAndADeadInstancesEventComesBackOnACluster() async throws {
        try await TestCluster.with { cluster in
            let ledger = Ledger()
            let billing = try await cluster.broker("billing") { configuration in
                configuration.timeoutPolicy = StandardTimeoutPolicy(maxDeliveries: 3)
                configuration.companions = [LeaseChecker(interval: .milliseconds(100))]
            }
            try await billing.subscribe("orders")
            let shop = try await cluster.broker("shop")
            let flaky = try await shop.publishEvent(Event(streamId: "order-1", topic: "orders", message: "fails once"))
            let poison = try await shop.publishEvent(Event(streamId: "order-2", topic: "orders", message: "always fails"))
            let orphan = try await shop.publishEvent(Event(streamId: "order-3", topic: "orders", message: "its instance dies"))
            // An instance that dies holding order-3: the lease checker puts it back when its lease ends.
            let held = try await billing.scripts.pick(
                service: billing.serviceKeys, owner: "dead-instance", lease: .milliseconds(300), limit: 3)
            #expect(held.events.map(\.eventId).sorted() == [flaky, poison, orphan].sorted())
            let consuming = Task {
                try await billing.consume(concurrency: 2) { event in
                    let fails = event.message == "always fails" || (event.message == "fails once" && event.deliveryCount == 2)
                    ledger.record(billing, event, succeeded: !fails)
                    if fails { throw CancellationError() }
                }
            }
            try await eventually("the good events succeeded and the poison one is dead") {
                let succeeded = Set(ledger.all.filter(\.succeeded).map(\.eventId))
                let dead = try await billing.deadLetters.count()
                return succeeded == [flaky, orphan] && dead == 1
            }
            #expect(try await billing.deadLetters.list().page.map(\.eventId) == [poison])
            #expect(ledger.all.filter { $0.eventId == flaky }.map(\.deliveryCount) == [2, 3])
            #expect(ledger.all.filter { $0.eventId == orphan }.map(\.deliveryCount) == [2])
            consuming.cancel()
        }
    }

    @Test(arguments: SlotPlacement.allCases)
    func aFailoverOfTheBrokersMasterLosesNoEvent(placement: SlotPlacement) async throws {
        try await TestCluster.with { cluster in
            let ledger = Ledger()
            var consumers: [Task<Void, any Error>] = []
            var billingKey = ""
            for _ in 0..<2 {
                let instance = try await cluster.broker("billing") { $0.slotPlacement = placement }
                billingKey = instance.serviceKeys.published
                try await instance.subscribe("orders")
                consumers.append(Task { try await instance.consume(concurrency: 4) { ledger.record(instance, $0) } })
            }
            let shop = try await cluster.broker("shop") { $0.slotPlacement = placement }
            var published: [String] = []
            for number in 1...100 {
                published.append(try await shop.publishEvent(Event(streamId: "order-\(number)", topic: "orders")))
            }
            // The replica of the master holding billing's queue (with the per-prefix placement,
            // every key of the prefix) takes over (a manual failover: the replica catches up
            // first, then the roles switch).
            let key = billingKey
            let master = try #require(try await mastersOf(cluster).first { $0.slots.contains(Int64(HashSlot.of(key))) }?.node)
            let masterId = try await cluster.command(on: master, "CLUSTER", "MYID").string ?? ""
            let replica = try #require(try await replicaOf(masterId, in: cluster))
            try await cluster.command(on: replica, "CLUSTER", "FAILOVER")
            try await eventually("the replica is the master") {
                try await cluster.command(on: replica, "ROLE").array?.first?.string == "master"
            }
            for number in 101...200 {
                published.append(try await shop.publishEvent(Event(streamId: "order-\(number)", topic: "orders")))
            }
            try await eventually("every event was handled") { Set(ledger.all.map(\.eventId)).count == 200 }
            #expect(ledger.handled(by: "billing") == Dictionary(uniqueKeysWithValues: published.map { ($0, 1) }))
            try await eventually("both consumers wait for wake-ups on the new master") {
                let clients = try await cluster.command(on: replica, "INFO", "clients").string ?? ""
                return clients.contains("blocked_clients:2\r\n")
            }
            for consumer in consumers { consumer.cancel() }
        }
    }

    @Test func aPublishThatWaitsForAReplicaReturnsOnceOneHasIt() async throws {
        try await TestCluster.with { cluster in
            let billing = try await cluster.broker("billing")
            try await billing.subscribe("orders")
            let shop = try await cluster.broker("shop") { configuration in
                configuration.publishReplication = PublishReplication(replicas: 1, timeout: .seconds(5))
            }
            let id = try await shop.publishEvent(Event(streamId: "order-1", topic: "orders"))
            #expect(try await nextEvent(billing)?.id == id)
            // Each master has one replica, so WAIT for two always takes the whole timeout; the
            // timeout leaves the one replica time to answer on a busy machine.
            let greedy = try await cluster.broker("shop") { configuration in
                configuration.publishReplication = PublishReplication(replicas: 2, timeout: .seconds(2))
            }
            await #expect(throws: BrokerError.notReplicated(acknowledged: 1, required: 2)) {
                try await greedy.publishEvent(Event(streamId: "order-2", topic: "orders"))
            }
            #expect(try await nextEvent(billing)?.streamId == "order-2", "the master queued it all the same")
        }
    }

    @Test(arguments: [false, true])
    func aKilledMasterLosesNoEventWhosePublishWaitedForAReplica(waitsForReplica: Bool) async throws {
        try await TestCluster.with { cluster in
            let ledger = Ledger()
            var consumers: [Task<Void, any Error>] = []
            for _ in 0..<2 {
                let instance = try await cluster.broker("billing") { configuration in
                    configuration.processingTimeout = .seconds(2)
                    configuration.connectTimeout = .seconds(1)
                }
                try await instance.subscribe("orders")
                consumers.append(Task { try await instance.consume(concurrency: 4) { ledger.record(instance, $0) } })
            }
            let shop = try await cluster.broker("shop") { configuration in
                configuration.connectTimeout = .seconds(1)
                if waitsForReplica {
                    configuration.publishReplication = PublishReplication(replicas: 1, timeout: .seconds(1))
                }
            }
            let master = try #require(
                try await mastersOf(cluster).first { $0.slots.contains(Int64(HashSlot.of(shop.serviceKeys.published))) }?.node)
            // Four publishers; the master is killed once 500 publishes returned, and they stop a
            // second after its replica took over (or after 3,000 attempts).
            let replica = try #require(try await replicaOf(try await cluster.command(on: master, "CLUSTER", "MYID").string ?? "", in: cluster))
            let tally = PublishTally()
            let publishers = (0..<4).map { _ in
                Task {
                    while !tally.isStopped, tally.attempt() <= 3_000 {
                        if let id = try? await shop.publishEvent(Event(streamId: "order", topic: "orders")) {
                            tally.returned(id)
                        }
                    }
                }
            }
            try await eventually("500 publishes returned") { tally.ids.count >= 500 }
            master.crash()
            try await eventually("the replica took over") {
                try await cluster.command(on: replica, "ROLE").array?.first?.string == "master"
            }
            try await Task.sleep(for: .seconds(1))
            tally.stop()
            for publisher in publishers { await publisher.value }
            let returned = Set(tally.ids)
            try? await eventually("every returned publish was handled", timeout: .seconds(20)) {
                returned.isSubset(of: Set(ledger.all.map(\.eventId)))
            }
            let lost = returned.subtracting(ledger.all.map(\.eventId))
            let handledTwice = Dictionary(grouping: ledger.all, by: \.eventId).values.count { $0.count > 1 }
            print(
                "Killed master, publishes \(waitsForReplica ? "waiting for 1 replica" : "not waiting"): "
                    + "\(returned.count) of \(min(tally.attempts, 3_000)) returned, \(lost.count) of those lost, \(handledTwice) handled twice")
            if waitsForReplica {
                #expect(lost.isEmpty, "\(lost.count) events whose publish returned were lost")
            }
            for consumer in consumers { consumer.cancel() }
        }
    }

    /// The replica of the master whose id is `masterId`.
    private func replicaOf(_ masterId: String, in cluster: TestCluster) async throws -> RedisServerProcess? {
        for node in cluster.nodes {
            let role = try await cluster.command(on: node, "CLUSTER", "MYID").string ?? ""
            let nodes = try await cluster.command(on: node, "CLUSTER", "NODES").string ?? ""
            let me = nodes.split(separator: "\n").first { $0.hasPrefix(role) } ?? ""
            if me.contains("slave \(masterId)") { return node }
        }
        return nil
    }

    /// The master of `key`'s slot, and another master.
    private func twoMasters(_ cluster: TestCluster, fromMasterOf key: String) async throws -> (RedisServerProcess, RedisServerProcess) {
        let masters = try await mastersOf(cluster)
        let slot = Int64(HashSlot.of(key))
        let from = try #require(masters.first { $0.slots.contains(slot) }?.node)
        let to = try #require(masters.first { !$0.slots.contains(slot) }?.node)
        return (from, to)
    }

    private func otherMasters(_ cluster: TestCluster, besides nodes: [RedisServerProcess]) async throws -> [RedisServerProcess] {
        try await mastersOf(cluster).map(\.node).filter { master in !nodes.contains { $0 === master } }
    }

    /// The masters and their slot ranges, from CLUSTER SLOTS.
    private func mastersOf(_ cluster: TestCluster) async throws -> [(node: RedisServerProcess, slots: ClosedRange<Int64>)] {
        let ranges = try await cluster.command(on: cluster.nodes[0], "CLUSTER", "SLOTS").array ?? []
        return ranges.compactMap { range in
            guard let fields = range.array, let first = fields[0].integer, let last = fields[1].integer,
                let port = fields[2].array?[1].integer, let node = cluster.node(port: Int(port))
            else { return nil }
            return (node, first...last)
        }
    }
}

/// The publishes of several tasks: attempts numbered, the ids of those that returned.
private final class PublishTally: Sendable {
    private let state = Mutex((attempts: 0, ids: [String](), stopped: false))

    /// Whether the publishers should stop.
    var isStopped: Bool { state.withLock { $0.stopped } }

    /// The attempts so far.
    var attempts: Int { state.withLock { $0.attempts } }

    /// Tells the publishers to stop.
    func stop() {
        state.withLock { $0.stopped = true }
    }

    /// Numbers one more attempt, from 1.
    func attempt() -> Int {
        state.withLock { state in
            state.attempts += 1
            return state.attempts
        }
    }

    /// Records a publish that returned `id`.
    func returned(_ id: String) {
        state.withLock { $0.ids.append(id) }
    }

    /// The ids of the publishes that returned.
    var ids: [String] { state.withLock { $0.ids } }
}
