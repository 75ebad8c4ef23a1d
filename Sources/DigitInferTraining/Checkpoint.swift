import DigitInferFormat
import DigitInferReport
import DigitInferSupport
import Foundation

/// A float checkpoint: everything needed to resume training or to export
/// again with other quantization settings. Layout: "DGCK", a u32 header
/// length, a JSON header, then the float arrays it lists, little-endian.
public enum Checkpoint {
  struct Header: Codable {
    var version = 1
    var architecture: String
    var options: TrainingOptions
    var history: [EpochRecord]
    var optimizerStep: Int
    var bestLoss: Double?
    /// Lengths of the arrays that follow: network state, best state,
    /// optimizer first and second moments.
    var groups: [[Int]]
  }

  public static func save(_ trainer: Trainer, to path: String) throws {
    let state = trainer.network.state
    let best = trainer.bestState ?? state
    let groups = [state, best, trainer.optimizer.first, trainer.optimizer.second]
    let header = Header(
      architecture: trainer.architecture.spec, options: trainer.options, history: trainer.history,
      optimizerStep: trainer.optimizer.step, bestLoss: trainer.bestLoss, groups: groups.map { $0.map(\.count) })
    var data = Data("DGCK".utf8)
    let json = try JSONEncoder().encode(header)
    withUnsafeBytes(of: UInt32(json.count).littleEndian) { data.append(contentsOf: $0) }
    data.append(json)
    for group in groups { for array in group { array.withUnsafeBytes { data.append(contentsOf: $0) } } }
    try AtomicFile.write(data, to: path)
  }

  /// A trainer in the state the checkpoint recorded. `options`, when given,
  /// replace the recorded ones (e.g. more epochs); the architecture stays.
  public static func load(from path: String, options: TrainingOptions? = nil) throws -> Trainer {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw FormatError("cannot read checkpoint \(path)")
    }
    let bytes = [UInt8](data)
    guard bytes.count >= 8, Array(bytes[0..<4]) == Array("DGCK".utf8) else {
      throw FormatError("\(path) is not a DigitInfer checkpoint")
    }
    let length = Int(UInt32(bytes[4]) | UInt32(bytes[5]) << 8 | UInt32(bytes[6]) << 16 | UInt32(bytes[7]) << 24)
    guard 8 + length <= bytes.count, let header = try? JSONDecoder().decode(Header.self, from: Data(bytes[8..<(8 + length)])),
      header.version == 1
    else { throw FormatError("checkpoint \(path) has a damaged or unknown header") }
    let architecture = try Architecture(header.architecture)
    var offset = 8 + length
    var groups: [[[Float]]] = []
    for lengths in header.groups {
      var group: [[Float]] = []
      for n in lengths {
        guard n >= 0, offset + 4 * n <= bytes.count else { throw FormatError("checkpoint \(path) is truncated") }
        group.append(bytes[offset..<(offset + 4 * n)].withUnsafeBytes { Array($0.bindMemory(to: Float.self)) })
        offset += 4 * n
      }
      groups.append(group)
    }
    guard groups.count == 4, offset == bytes.count else { throw FormatError("checkpoint \(path) is malformed") }
    var opts = options ?? header.options
    opts.seed = header.options.seed
    let trainer = Trainer(architecture: architecture, options: opts)
    guard trainer.network.state.map(\.count) == groups[0].map(\.count) else {
      throw FormatError("checkpoint \(path) does not match architecture \(architecture)")
    }
    trainer.network.state = groups[0]
    trainer.restore(history: header.history, best: header.bestLoss.map { ($0, groups[1]) })
    trainer.optimizer.first = groups[2]
    trainer.optimizer.second = groups[3]
    trainer.optimizer.step = header.optimizerStep
    return trainer
  }
}
