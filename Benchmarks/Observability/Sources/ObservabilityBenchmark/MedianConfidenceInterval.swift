import Foundation

/// A confidence interval for the median of independent samples that holds whatever their
/// distribution: the range between two of the samples themselves, the k-th smallest and the k-th
/// largest. How many samples fall below the true median is binomial with p = ½, which gives the
/// probability that the range contains it.
struct MedianConfidenceInterval: Codable, Equatable {
    /// The lower bound: the k-th smallest sample.
    let lower: Double
    /// The upper bound: the k-th largest sample.
    let upper: Double
    /// The probability that a range made this way contains the true median: at least the
    /// confidence asked for, more when the next narrower range would fall short of it.
    let confidence: Double

    /// The narrowest such interval of `samples` with at least `wanted` confidence, or nil when
    /// even the widest (the smallest to the largest sample, confidence 1 − 2 · 2⁻ⁿ) falls short:
    /// 95% takes at least six samples.
    init?(of samples: [Double], confidence wanted: Double = 0.95) {
        let sorted = samples.sorted()
        let count = sorted.count
        var chosen: (excluded: Int, confidence: Double)?
        var belowOrAt = 0.0
        for excluded in 0..<count {
            // P(B ≤ excluded) for B ~ Binomial(count, ½): the chance that so few samples fall below
            // the median that the `excluded + 1`-th smallest is above it (and the same on the other side).
            belowOrAt += Self.binomialHalf(count, excluded)
            let confidence = 1 - 2 * belowOrAt
            guard confidence >= wanted else { break }
            chosen = (excluded, confidence)
        }
        guard let chosen else { return nil }
        lower = sorted[chosen.excluded]
        upper = sorted[count - 1 - chosen.excluded]
        confidence = chosen.confidence
    }

    /// P(B = k) for B ~ Binomial(n, ½), through logarithms so that no term underflows early.
    private static func binomialHalf(_ n: Int, _ k: Int) -> Double {
        exp(lgamma(Double(n + 1)) - lgamma(Double(k + 1)) - lgamma(Double(n - k + 1)) - Double(n) * log(2))
    }
}
