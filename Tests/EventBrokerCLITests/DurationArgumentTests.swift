import ArgumentParser
import Testing

@testable import EventBrokerCLI

/// The duration parser every command's duration options share.
@Suite struct DurationArgumentTests {
    @Test(arguments: [
        ("500ms", Duration.milliseconds(500)), ("2s", .seconds(2)), ("1m", .seconds(60)), ("1h", .seconds(3600)),
        ("0s", .zero), ("0007ms", .milliseconds(7)), ("90m", .seconds(5400)),
    ])
    func parsesAWholeNumberAndAUnit(text: String, duration: Duration) throws {
        #expect(try DurationArgument.parse(text) == duration)
    }

    @Test(arguments: ["", "5", "ms", "1.5s", "-1s", "+1s", "1 s", " 1s", "1s ", "1S", "1d", "1sec", "1ms1", "½s", "١s"])
    func refusesOtherForms(text: String) {
        do {
            _ = try DurationArgument.parse(text)
            Issue.record("\(text) was accepted")
        } catch {
            #expect(error is ValidationError)
            #expect("\(error)" == "expected \(DurationArgument.forms)")
        }
    }

    @Test(arguments: ["99999999999999999999s", "9223372036854775807s", "2562047788015216h"])
    func refusesDurationsTooLongToRepresent(text: String) {
        do {
            _ = try DurationArgument.parse(text)
            Issue.record("\(text) was accepted")
        } catch {
            #expect("\(error)" == "\(text) is too long a duration")
        }
    }

    @Test func theLongestAcceptedDurationIsExact() throws {
        #expect(try DurationArgument.parse("9223372036854775807ms") == .milliseconds(Int64.max))
    }
}
