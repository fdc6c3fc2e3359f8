/// Where a value sits inside a payload, kept as a linked list so that going one level deeper
/// copies no array; turned into `[any CodingKey]` or text only when asked.
indirect enum CodingPath {
    /// The payload's top-level value.
    case root
    /// The value for `key` inside the object at the parent path.
    case key(any CodingKey, CodingPath)
    /// The element at `index` inside the array at the parent path.
    case index(Int, CodingPath)

    /// The path as `Encoder.codingPath` and `Decoder.codingPath` give it.
    var keys: [any CodingKey] {
        var keys: [any CodingKey] = []
        var node = self
        while true {
            switch node {
            case .root: return keys.reversed()
            case .key(let key, let parent):
                keys.append(key)
                node = parent
            case .index(let index, let parent):
                keys.append(IndexCodingKey(index))
                node = parent
            }
        }
    }

    /// The path as error messages print it: `lines[2].sku`, or `the top level`.
    var text: String {
        var text = ""
        for key in keys {
            if let index = key.intValue, key.stringValue == "Index \(index)" {
                text += "[\(index)]"
            } else {
                text += (text.isEmpty ? "" : ".") + key.stringValue
            }
        }
        return text.isEmpty ? "the top level" : text
    }

    /// Renders a foreign coding path (from an `EncodingError` or a `DecodingError`) like ``text``.
    static func text(of keys: [any CodingKey]) -> String {
        var path = CodingPath.root
        for key in keys {
            path = .key(key, path)
        }
        return path.text
    }
}

/// The coding key of an array element: `intValue` is its index.
struct IndexCodingKey: CodingKey {
    /// `Index 2` for the element at index 2, as Foundation's coders name it.
    let stringValue: String
    /// The element's index.
    let intValue: Int?

    /// The key of the element at `index`.
    init(_ index: Int) {
        stringValue = "Index \(index)"
        intValue = index
    }

    init?(stringValue: String) {
        return nil
    }

    init?(intValue: Int) {
        self.init(intValue)
    }
}

/// The key under which `superEncoder()` and `superDecoder()` store a superclass: `super`.
struct SuperCodingKey: CodingKey {
    var stringValue: String { "super" }
    var intValue: Int? { nil }

    /// The `super` key.
    init() {}

    init?(stringValue: String) {
        guard stringValue == "super" else { return nil }
    }

    init?(intValue: Int) {
        return nil
    }
}
