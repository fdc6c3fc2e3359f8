import ArgumentParser
import RedisEventBroker

/// The options that say where the services' Redis is and which key prefix they use.
struct RedisOptions: ParsableArguments {
    /// The Redis to use, when given on the command line.
    @Option(
        help:
            "The Redis (redis://, unix:// or redis-cluster://host:port,... URL); default: REDIS_URL, else redis://127.0.0.1:6379."
    )
    var redisURL: String?

    /// The first part of every key of the services (their BrokerConfiguration.keyPrefix).
    @Option(help: "The key prefix the services use: their BrokerConfiguration.keyPrefix.")
    var prefix = "reb"

    /// How the services spread their keys over a Redis Cluster's slots (their BrokerConfiguration.slotPlacement).
    @Option(
        help:
            "The services' slot placement: per-prefix (the default) or per-service (their BrokerConfiguration.slotPlacement); the checker sweeps both."
    )
    var slotPlacement: SlotPlacement = .perPrefix

    /// The URL to connect to: --redis-url, else REDIS_URL, else redis://127.0.0.1:6379, decided
    /// by `BrokerConfiguration` itself, so that the commands follow the library's rules.
    var url: String { BrokerConfiguration(redisURL: redisURL).redisURL }
}

/// `--slot-placement per-prefix` or `per-service`.
extension SlotPlacement: ExpressibleByArgument {}
