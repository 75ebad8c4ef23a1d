import CZlib
import DigitInferSupport
import Foundation

/// Why a model cannot be written.
public struct FormatError: Error, CustomStringConvertible, Sendable {
  public var description: String
  public init(_ description: String) { self.description = description }
}

/// Serialises a `QuantizedModel` into the .dgi format (docs/FORMAT.md).
/// This is an independent implementation of the spec: it shares no code
/// with the runtime's reader, so round-trip tests check one against the
/// other.
extension QuantizedModel {
  public static let magic: [UInt8] = Array("DGIF".utf8)
  public static let formatMajor: UInt16 = 1
  /// The lowest minor version that describes a model of `classes` classes:
  /// 1.2 added the 11th class, "not a digit" (docs/FORMAT.md, section 4.2),
  /// so an 11-class model is written as 1.2 and every other as 1.1, which
  /// older 1.x readers open.
  public static func formatMinor(classes: Int) -> UInt16 { classes > 10 ? 2 : 1 }
  static let headerSize = 64
  static let layerRecordSize = 32

  /// The header's scratch size: the two activation arenas, A + B
  /// (docs/FORMAT.md, section 12). It is the format's lower bound, what a
  /// plain interpreter needs; a runtime whose kernels need more working
  /// memory asks for more (dgi_model_scratch_size). The input (784 bytes)
  /// is in arena A, each layer but flatten writes its output to the other
  /// arena, and each arena is the largest tensor it holds, 16-aligned.
  public var scratchSize: Int {
    var arena = [Self.inputShape.count, 0]
    var current = 0
    for layer in layers where layer.kind != .flatten {
      current ^= 1
      arena[current] = max(arena[current], layer.output.count)
    }
    return align(arena[0], 16) + align(arena[1], 16)
  }

  /// round(s * log2(e) * 2^24) for the last layer's output scale s: the
  /// fixed-point step the runtime's softmax uses.
  public var softmaxBeta: UInt32 {
    let s = Double(layers.last?.outputScale ?? 0)
    return UInt32(clamping: Int64((s * 1.4426950408889634 * 16_777_216).rounded()))
  }

  /// Checks what the runtime will check, with messages for people.
  public func validate() throws(FormatError) {
    guard !layers.isEmpty else { throw FormatError("a model needs at least one layer") }
    guard layers.count <= 16 else { throw FormatError("\(layers.count) layers; the runtime runs at most 16") }
    var shape = Self.inputShape
    var zeroPoint = Self.inputZeroPoint
    for (i, l) in layers.enumerated() {
      let at = "layer \(i) (\(l.kind))"
      guard l.input == shape else { throw FormatError("\(at): input \(l.input) but the previous output is \(shape)") }
      guard l.inputZeroPoint == zeroPoint else { throw FormatError("\(at): input zero point \(l.inputZeroPoint), expected \(zeroPoint)") }
      let out = l.output
      guard out.height > 0, out.width > 0, out.channels > 0, out.channels <= 65535 else {
        throw FormatError("\(at): output shape \(out) is empty or too large")
      }
      switch l.kind {
      case .conv2d, .dense:
        if l.kind == .dense, l.input.height != 1 || l.input.width != 1 {
          throw FormatError("\(at): dense input must be flattened, got \(l.input)")
        }
        if l.kind == .conv2d, l.samePadding, l.kernelHeight % 2 == 0 || l.kernelWidth % 2 == 0 {
          throw FormatError("\(at): same padding needs odd kernel sizes")
        }
        let n = l.outputChannels
        guard l.weights.count == n * l.fanIn else { throw FormatError("\(at): \(l.weights.count) weights, expected \(n * l.fanIn)") }
        guard l.bias.count == n, l.multipliers.count == n, l.shifts.count == n else {
          throw FormatError("\(at): bias, multipliers and shifts need \(n) entries each")
        }
        guard !l.weights.contains(-128) else { throw FormatError("\(at): weights must lie in -127...127") }
        guard l.multipliers.allSatisfy({ $0 >= 0 }), l.shifts.allSatisfy({ $0 <= 31 }) else {
          throw FormatError("\(at): multipliers must be >= 0 and shifts <= 31")
        }
        let worst = Int64(l.fanIn) * 255 * 127
        guard l.bias.allSatisfy({ Int64($0).magnitude <= UInt64(Int64(Int32.max) - worst) }) else {
          throw FormatError("\(at): a bias is so large that the int32 accumulator could overflow")
        }
      case .maxpool2d, .flatten:
        guard l.outputZeroPoint == l.inputZeroPoint else { throw FormatError("\(at): must keep the zero point") }
        guard l.weights.isEmpty, l.bias.isEmpty else { throw FormatError("\(at): has no parameters") }
      }
      shape = out
      zeroPoint = l.outputZeroPoint
    }
    guard shape.height == 1, shape.width == 1, (1...11).contains(shape.channels) else {
      throw FormatError("the last layer must output 1 to 11 classes (11: the digits and \"not a digit\"), got \(shape)")
    }
    guard (1...0x7FFF_FFFF).contains(softmaxBeta) else {
      throw FormatError("the last layer's output scale \(layers.last!.outputScale) is out of range")
    }
    guard !name.utf8.contains(0), !metadataText.utf8.contains(0) else {
      throw FormatError("name and metadata must not contain NUL")
    }
  }

  var metadataText: String { metadata.map { "\($0.key)=\($0.value)\n" }.joined() }

  /// The file's bytes.
  public func encoded() throws(FormatError) -> [UInt8] {
    try validate()
    var out = [UInt8](repeating: 0, count: Self.headerSize)
    let tableOffset = out.count
    out += [UInt8](repeating: 0, count: layers.count * Self.layerRecordSize)
    let nameOffset = out.count
    out += Array(name.utf8) + [0]
    let metadataOffset = out.count
    let metadataBytes = Array(metadataText.utf8)
    out += metadataBytes + [0]

    for (i, l) in layers.enumerated() {
      var params = 0
      if l.hasParameters {
        pad(&out)
        params = out.count
        out += l.weights.map { UInt8(bitPattern: $0) }
        pad(&out)
        for b in l.bias { put32(&out, UInt32(bitPattern: b)) }
        pad(&out)
        for m in l.multipliers { put32(&out, UInt32(bitPattern: m)) }
        pad(&out)
        out += l.shifts
      }
      let r = tableOffset + i * Self.layerRecordSize
      let o = l.output
      var flags: UInt8 = l.relu ? 1 : 0
      if l.samePadding { flags |= 2 }
      out[r] = l.kind.rawValue
      out[r + 1] = flags
      out[r + 2] = UInt8(bitPattern: l.inputZeroPoint)
      out[r + 3] = UInt8(bitPattern: l.outputZeroPoint)
      for (k, v) in [l.input.height, l.input.width, l.input.channels, o.height, o.width, o.channels].enumerated() {
        set16(&out, r + 4 + 2 * k, UInt16(v))
      }
      let (kh, kw, stride) =
        switch l.kind {
        case .conv2d: (l.kernelHeight, l.kernelWidth, 1)
        case .maxpool2d: (2, 2, 2)
        case .dense, .flatten: (1, 1, 1)
        }
      out[r + 16] = UInt8(kh)
      out[r + 17] = UInt8(kw)
      out[r + 18] = UInt8(stride)
      out[r + 19] = UInt8(stride)
      set32(&out, r + 20, UInt32(params))
      set32(&out, r + 24, l.outputScale.bitPattern)
    }
    guard out.count <= Int(UInt32.max) else { throw FormatError("model larger than 4 GiB") }

    out.replaceSubrange(0..<4, with: Self.magic)
    set16(&out, 4, Self.formatMajor)
    set16(&out, 6, Self.formatMinor(classes: classCount))
    set32(&out, 8, UInt32(Self.headerSize))
    set32(&out, 12, UInt32(out.count))
    set32(&out, 24 - 4, 0)  // flags
    set16(&out, 24, UInt16(layers.count))
    set16(&out, 26, UInt16(Self.inputShape.height))
    set16(&out, 28, UInt16(Self.inputShape.width))
    set16(&out, 30, UInt16(Self.inputShape.channels))
    set16(&out, 32, UInt16(classCount))
    out[34] = UInt8(bitPattern: Self.inputZeroPoint)
    set32(&out, 36, softmaxBeta)
    set32(&out, 40, UInt32(scratchSize))
    set32(&out, 44, UInt32(tableOffset))
    set32(&out, 48, UInt32(nameOffset))
    set32(&out, 52, UInt32(name.utf8.count))
    set32(&out, 56, UInt32(metadataOffset))
    set32(&out, 60, UInt32(metadataBytes.count))
    set32(&out, 16, Self.checksum(out))
    return out
  }

  /// zlib's CRC-32 of every byte except the CRC field (bytes 16..<20).
  public static func checksum(_ file: [UInt8]) -> UInt32 {
    file.withUnsafeBufferPointer { b -> UInt32 in
      var c = crc32(0, b.baseAddress, 16)
      c = crc32(c, b.baseAddress! + 20, UInt32(b.count - 20))
      return UInt32(c)
    }
  }

  /// Writes the model atomically: a temporary file beside the target,
  /// flushed, then renamed over it, so a failure never leaves half a file.
  public func write(to path: String) throws {
    let bytes = try encoded()
    try AtomicFile.write(Data(bytes), to: path)
  }
}

/// Rounds up to a multiple of `a` (a power of two).
func align(_ n: Int, _ a: Int) -> Int { (n + a - 1) & ~(a - 1) }
private func pad(_ b: inout [UInt8]) { b += [UInt8](repeating: 0, count: align(b.count, 16) - b.count) }
private func put32(_ b: inout [UInt8], _ v: UInt32) { b += withUnsafeBytes(of: v.littleEndian, Array.init) }
private func set16(_ b: inout [UInt8], _ at: Int, _ v: UInt16) {
  b[at] = UInt8(v & 0xFF)
  b[at + 1] = UInt8(v >> 8)
}
private func set32(_ b: inout [UInt8], _ at: Int, _ v: UInt32) {
  for k in 0..<4 { b[at + k] = UInt8((v >> (8 * UInt32(k))) & 0xFF) }
}
