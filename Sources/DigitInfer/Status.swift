import CDigitInfer

/// The runtime's failure modes, one per `dgi_status` code. Internal code
/// returns these (typed, no existential errors, so it builds as Embedded
/// Swift); the C layer converts them at the boundary.
public enum Status: UInt32, Sendable {
  case ok = 0
  case argument = 1
  case truncated = 2
  case magic = 3
  case version = 4
  case checksum = 5
  case malformed = 6
  case unsupported = 7
  case scratch = 8
  case image = 9
  case notOpen = 10
  case noInk = 11
  case tooMany = 12
  case notADigit = 13

  var c: dgi_status { dgi_status(rawValue: rawValue) }

  /// A static, NUL-terminated sentence for each code.
  static func message(_ raw: UInt32) -> StaticString {
    switch Status(rawValue: raw) {
    case .ok: "success"
    case .argument: "invalid argument: a required pointer is NULL or a size is wrong"
    case .truncated: "model truncated: the buffer is shorter than the file claims"
    case .magic: "not a .dgi model: bad magic bytes"
    case .version: "unsupported .dgi format major version"
    case .checksum: "model corrupt: CRC-32 mismatch"
    case .malformed: "model malformed: inconsistent offsets, shapes or ranges"
    case .unsupported: "model uses a feature this runtime does not support"
    case .scratch: "scratch buffer missing or too small (see dgi_model_scratch_size)"
    case .image: "invalid image arguments: size, stride or flags"
    case .notOpen: "model not open: dgi_model_open did not succeed on this record"
    case .noInk: "no digit found: nothing in the image stands out from the paper"
    case .tooMany: "more digits found than max_digits allows (count says how many)"
    case .notADigit: "no digit found: the model read none of the ink as a digit"
    case nil: "unknown status code"
    }
  }
}
