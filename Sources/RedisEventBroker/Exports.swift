// The umbrella most users import: the broker core with JSON as the default codec.
@_exported import EventBrokerCodecJSON
@_exported import EventBrokerCore
