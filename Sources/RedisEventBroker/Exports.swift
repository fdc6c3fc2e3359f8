// The umbrella most users import: the broker core, the lease checker, and JSON as the default codec.
@_exported import EventBrokerChecker
@_exported import EventBrokerCodecJSON
@_exported import EventBrokerCore
