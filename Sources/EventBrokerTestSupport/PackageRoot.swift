import Foundation

/// The root folder of this package, found from this file's path (`Sources/EventBrokerTestSupport/PackageRoot.swift`).
package let packageRoot = URL(filePath: #filePath)
    .deletingLastPathComponent()
    .deletingLastPathComponent()
    .deletingLastPathComponent()
