import Logging

/// Delivers the service's pub/sub notifications to the handlers registered with
/// ``RedisEventBroker/onNotification(_:)``, one message at a time, in order.
final class NotificationListener: Sendable {
    /// The subscribed connection; it re-subscribes by itself after every reconnect.
    let connection: PubSubConnection
    private let dispatch: Task<Void, Never>

    init(
        endpoint: RedisEndpoint, channel: String, clientName: String, options: RedisConnectionOptions,
        logger: Logger, onReconnect: (@Sendable () -> Void)?,
        handlers: @escaping @Sendable () -> [@Sendable (String) async -> Void]
    ) {
        connection = PubSubConnection(
            endpoint: endpoint, channels: [channel], clientName: clientName, options: options, logger: logger,
            onReconnect: onReconnect)
        let messages = connection.messages
        dispatch = Task {
            for await message in messages {
                let topic = String(decoding: message.payload, as: UTF8.self)
                for handler in handlers() {
                    await handler(topic)
                }
            }
        }
    }

    /// Unsubscribes, closes the connection and waits for the running handler to return.
    func close() async {
        await connection.close()
        await dispatch.value
    }
}
