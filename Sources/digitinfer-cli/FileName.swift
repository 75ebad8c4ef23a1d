import ArgumentParser
import DigitInferImage
import Foundation

/// A file name as the system has it: bytes, not necessarily UTF-8 (a Linux
/// name is any bytes but NUL and, within a component, `/`). Files are
/// opened, listed and compared by these bytes; `display` and `jsonFields`
/// are the one place that turns a name into text for output.
struct FileName: Equatable {
  let bytes: [UInt8]

  init(bytes: some Sequence<UInt8>) { self.bytes = Array(bytes) }
  /// A name that is text already (the default model's path).
  init(_ text: String) { bytes = Array(text.utf8) }
  /// A name from the C world (argv, getenv), byte for byte.
  init(cString: UnsafePointer<CChar>) {
    bytes = UnsafeBufferPointer(start: cString, count: strlen(cString)).map { UInt8(bitPattern: $0) }
  }
  /// A name from the command line as ArgumentParser passed it on: its exact
  /// bytes, with the ones Swift could not decode restored (see CommandLineBytes).
  init(argument: String) { bytes = CommandLineBytes.decode(argument) }

  static let standardInput = FileName("-")

  /// The name as text, if its bytes are valid UTF-8.
  var utf8: String? {
    UTF8Scan.isValid(bytes) ? String(decoding: bytes, as: UTF8.self) : nil
  }

  /// The name on one line, as every text output shows it: valid UTF-8 as it
  /// is, except `\` as `\\`, newline, carriage return and tab as `\n`, `\r`,
  /// `\t`, and each byte of any other control character (U+0000-U+001F,
  /// U+007F, U+0080-U+009F) or of invalid UTF-8 as `\xNN`. So a name can
  /// neither end its line early nor pass for another line, and no two
  /// names look alike.
  var display: String {
    var out = ""
    var i = 0
    while i < bytes.count {
      guard let length = UTF8Scan.scalarLength(bytes, at: i) else {
        out += "\\x" + Self.hex(bytes[i])
        i += 1
        continue
      }
      let scalar = String(decoding: bytes[i..<i + length], as: UTF8.self)
      switch scalar {
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      default:
        let value = scalar.unicodeScalars.first!.value
        if value < 0x20 || (0x7F...0x9F).contains(value) {
          out += bytes[i..<i + length].map { "\\x" + Self.hex($0) }.joined()
        } else {
          out += scalar
        }
      }
      i += length
    }
    return out
  }

  /// Two lowercase hexadecimal digits.
  static func hex(_ byte: UInt8) -> String {
    (byte < 0x10 ? "0" : "") + String(byte, radix: 16)
  }

  /// The name as `key` of a JSON object: the exact name when it is valid
  /// UTF-8 (JSON escapes what it must); otherwise `display`, plus
  /// `<key>_bytes` with the exact bytes in hexadecimal, since JSON strings
  /// cannot hold bytes that are not UTF-8.
  func jsonFields(_ key: String) -> [(String, String)] {
    if let utf8 { return [(key, JSON.string(utf8))] }
    return [(key, JSON.string(display)), (key + "_bytes", JSON.string(bytes.map(Self.hex).joined()))]
  }

  /// `self/name`, with one `/` between them however many `self` ends with.
  func appending(_ name: [UInt8]) -> FileName {
    var path = bytes
    while path.count > 1 && path.last == Self.slash { path.removeLast() }
    if path.last != Self.slash { path.append(Self.slash) }
    return FileName(bytes: path + name)
  }

  /// The last component split at its last `.` ("dir/b.png" -> "b", "png");
  /// a leading dot starts no extension (".png" has none).
  var stemAndExtension: (stem: ArraySlice<UInt8>, extension: ArraySlice<UInt8>?) {
    let last = bytes.split(separator: Self.slash).last ?? []
    guard let dot = last.lastIndex(of: UInt8(ascii: ".")), dot > last.startIndex else { return (last, nil) }
    return (last[..<dot], last[(dot + 1)...])
  }

  static let slash = UInt8(ascii: "/")

  /// Runs `body` with the name as a NUL-terminated C string.
  func withCString<R>(_ body: (UnsafePointer<CChar>) -> R) -> R {
    (bytes + [0]).withUnsafeBufferPointer { buffer in
      buffer.withMemoryRebound(to: CChar.self) { body($0.baseAddress!) }
    }
  }

  /// Whether the name is a directory or a link to one (false if it cannot be stat'ed).
  var isDirectory: Bool {
    var status = stat()
    return withCString { stat($0, &status) } == 0 && status.st_mode & S_IFMT == S_IFDIR
  }

  /// The names in the directory (raw bytes, every one readdir(3) returns
  /// but `.` and `..`), in no particular order.
  func directoryEntries() throws(PipelineError) -> [[UInt8]] {
    guard let directory = withCString({ opendir($0) }) else {
      throw PipelineError("cannot list the directory: \(FileReading.openFailure(errno))")
    }
    defer { closedir(directory) }
    var names: [[UInt8]] = []
    while true {
      errno = 0
      guard let entry = readdir(directory) else {
        if errno != 0 { throw PipelineError("cannot list the directory: \(String(cString: strerror(errno)))") }
        return names
      }
      // Read in place up to its NUL: `entry.pointee.d_name` would copy all
      // 256 bytes of the field, past the end of a short record (valgrind saw
      // uninitialised bytes of readdir's buffer).
      let start = UnsafeRawPointer(entry) + MemoryLayout<dirent>.offset(of: \dirent.d_name)!
      let name = Array(UnsafeRawBufferPointer(start: start, count: strlen(start.assumingMemoryBound(to: CChar.self))))
      if name != [UInt8(ascii: ".")] && name != [UInt8(ascii: "."), UInt8(ascii: ".")] { names.append(name) }
    }
  }

  /// For an argument that goes to an API taking String paths (FileManager,
  /// AtomicFile, the IDX reader), which cannot name a file whose name is
  /// not UTF-8: a usage error for such an argument instead of a wrong file.
  static func requireUTF8(_ argument: String?, _ what: String) throws(ValidationError) {
    guard let argument else { return }
    let name = FileName(argument: argument)
    if name.utf8 == nil { throw ValidationError("\(what) \(name.display): only UTF-8 names are supported here") }
  }
}

/// Where UTF-8 is valid in a byte string (RFC 3629: no overlong forms, no
/// surrogates, nothing above U+10FFFF), for names that may hold any bytes.
enum UTF8Scan {
  /// The length of the valid UTF-8 character starting at `i`, or nil.
  static func scalarLength(_ bytes: [UInt8], at i: Int) -> Int? {
    let length: Int
    let second: ClosedRange<UInt8>
    switch bytes[i] {
    case 0x00...0x7F: return 1
    case 0xC2...0xDF: (length, second) = (2, 0x80...0xBF)
    case 0xE0: (length, second) = (3, 0xA0...0xBF)
    case 0xE1...0xEC, 0xEE...0xEF: (length, second) = (3, 0x80...0xBF)
    case 0xED: (length, second) = (3, 0x80...0x9F)
    case 0xF0: (length, second) = (4, 0x90...0xBF)
    case 0xF1...0xF3: (length, second) = (4, 0x80...0xBF)
    case 0xF4: (length, second) = (4, 0x80...0x8F)
    default: return nil
    }
    guard i + length <= bytes.count, second.contains(bytes[i + 1]),
      bytes[i + 2..<i + length].allSatisfy({ (0x80...0xBF).contains($0) })
    else { return nil }
    return length
  }

  static func isValid(_ bytes: [UInt8]) -> Bool {
    var i = 0
    while i < bytes.count {
      guard let length = scalarLength(bytes, at: i) else { return false }
      i += length
    }
    return true
  }
}

/// ArgumentParser takes Strings, and Swift builds them from argv with
/// U+FFFD in place of bytes that are not UTF-8, so a file named by such
/// bytes could not be opened. The parser is therefore given argv with each
/// such byte b as the private-use character U+F700+b (and each byte of any
/// U+F780-U+F7FF already there the same way, so that the mapping has an
/// inverse), and `decode` turns any value it returns back into the bytes.
enum CommandLineBytes {
  static let escapes: ClosedRange<UInt32> = 0xF780...0xF7FF

  /// argv without the program name, encoded for the parser.
  static var arguments: [String] {
    (1..<Int(CommandLine.argc)).map { encode(FileName(cString: CommandLine.unsafeArgv[$0]!).bytes) }
  }

  static func encode(_ bytes: [UInt8]) -> String {
    var scalars = String.UnicodeScalarView()
    var i = 0
    while i < bytes.count {
      let length = UTF8Scan.scalarLength(bytes, at: i)
      let scalar = length.map { String(decoding: bytes[i..<i + $0], as: UTF8.self).unicodeScalars.first! }
      if let scalar, !escapes.contains(scalar.value) {
        scalars.append(scalar)
      } else {
        for byte in bytes[i..<i + (length ?? 1)] { scalars.append(Unicode.Scalar(0xF700 + UInt32(byte))!) }
      }
      i += length ?? 1
    }
    return String(scalars)
  }

  /// `text` with each stand-in as `\xNN`, as FileName.display shows the byte.
  static func showingBytes(_ text: String) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
      if escapes.contains(scalar.value) {
        out += "\\x" + FileName.hex(UInt8(scalar.value - 0xF700))
      } else {
        out.unicodeScalars.append(scalar)
      }
    }
    return out
  }

  static func decode(_ text: String) -> [UInt8] {
    var bytes: [UInt8] = []
    for scalar in text.unicodeScalars {
      if escapes.contains(scalar.value) {
        bytes.append(UInt8(scalar.value - 0xF700))
      } else {
        bytes.append(contentsOf: String(scalar).utf8)
      }
    }
    return bytes
  }
}
