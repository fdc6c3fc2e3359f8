// The umbrella most users import: the broker core, the lease checker, JSON as the default codec
// and the binary codec, both readable by default.
@_exported import EventBrokerChecker
@_exported import EventBrokerCodecBinary
@_exported import EventBrokerCodecJSON
@_exported import EventBrokerCore
