import EventBrokerTestSupport
import Foundation

/// `Tests/ScriptEmbedderTests/Fixtures/Scripts`: a real-looking script and one full of hard-to-embed text.
let fixtureScripts = packageRoot.appending(path: "Tests/ScriptEmbedderTests/Fixtures/Scripts")

/// A complete, valid header for a script `name` that uses no keys and no arguments, `version` as written:
/// the shebang is line 1, `-- name:` line 2, `-- version:` line 3, and the code starts on line 12.
func header(name: String, version: String = "1") -> String {
    """
    #!lua
    -- name: \(name)
    -- version: \(version)
    -- summary: A script for the tests.
    -- keys:
    --   none
    -- argv:
    --   none
    -- returns:
    --   1


    """
}
