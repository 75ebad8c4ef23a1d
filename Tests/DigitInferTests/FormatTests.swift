import CDigitInfer
import DigitInferFormat
import Foundation
import Testing

@testable import DigitInfer

/// Writes `value` little-endian at `offset` and recomputes the CRC, so the
/// change reaches the structural checks behind the checksum.
func patched(_ file: [UInt8], _ offset: Int, _ value: UInt64, bytes: Int) -> [UInt8] {
  var f = file
  for k in 0..<bytes where offset + k < f.count { f[offset + k] = UInt8((value >> (8 * UInt64(k))) & 0xFF) }
  let crc = QuantizedModel.checksum(f)
  for k in 0..<4 { f[16 + k] = UInt8((crc >> (8 * UInt32(k))) & 0xFF) }
  return f
}

/// What dgi_model_open says of `file`, through `Model`, whose error is the status.
func openStatus(_ file: [UInt8]) -> dgi_status {
  do {
    _ = try Model(file)
    return DGI_OK
  } catch {
    return error.status
  }
}

@Suite struct FormatTests {
  let reference = try! SyntheticModel.make(SyntheticModel.referenceArchitecture, seed: 1, name: "ref")

  @Test func writtenModelOpensAndDescribesItself() throws {
    var model = reference
    model.metadata = [("accuracy", "0.99"), ("architecture", "c16k5,p2,c32k5,p2,d64,d10")]
    let file = try model.encoded()
    let m = try Model(file)
    var info = dgi_model_info()
    #expect(dgi_model_get_info(m.record, &info) == DGI_OK)
    #expect(info.format_major == 1 && info.format_minor == 1)
    #expect(Int(info.file_size) == file.count)
    #expect(info.layer_count == 7)
    #expect(info.class_count == 10)
    #expect(info.macs == 1_083_008)  // 24*24*16*25 + 8*8*32*400 + 512*64 + 64*10
    #expect(info.parameter_count == 46_730)  // 416 + 12832 + 32832 + 650
    #expect(Int(info.parameter_count) == model.parameterCount && Int(info.macs) == model.macs)
    // At least what the file asks for; more if a kernel set of this build needs it.
    #expect(info.scratch_size == m.scratchSize && m.scratchSize >= model.scratchSize)
    #expect(String(cString: info.name) == "ref")
    #expect(String(cString: info.metadata) == "accuracy=0.99\narchitecture=c16k5,p2,c32k5,p2,d64,d10\n")
    #expect(info.checksum == QuantizedModel.checksum(file))

    let kinds: [dgi_layer_kind] = [
      DGI_LAYER_CONV2D, DGI_LAYER_MAXPOOL2D, DGI_LAYER_CONV2D, DGI_LAYER_MAXPOOL2D, DGI_LAYER_FLATTEN,
      DGI_LAYER_DENSE, DGI_LAYER_DENSE,
    ]
    var layer = dgi_layer_info()
    for (i, kind) in kinds.enumerated() {
      #expect(dgi_model_get_layer(m.record, UInt32(i), &layer) == DGI_OK)
      #expect(layer.kind == kind)
      #expect(Int(layer.macs) == model.layers[i].macs)
      #expect(Int(layer.parameter_count) == model.layers[i].parameterCount)
      #expect(layer.output_channels == UInt32(model.layers[i].output.channels))
    }
    #expect(dgi_model_get_layer(m.record, 2, &layer) == DGI_OK)
    #expect(layer.input_height == 12 && layer.output_height == 8 && layer.kernel_width == 5)
    #expect(layer.flags == DGI_LAYER_RELU)
    #expect(dgi_model_get_layer(m.record, 7, &layer) == DGI_ERROR_ARGUMENT)
  }

  /// The scratch size a 1.1 writer stores is the two arenas, A + B
  /// (docs/FORMAT.md, section 12). Reference architecture: the input (784)
  /// is in arena A and layers alternate, flatten staying put: arena B holds
  /// conv1's 24*24*16 = 9216, conv2's 8*8*32 = 2048 and dense1's 64; arena
  /// A holds the input, pool1's 12*12*16 = 2304, pool2's 4*4*32 = 512 (the
  /// flatten aliases it) and the 10 logits: A = 2304, B = 9216, 11520 in
  /// all, stored at offset 40. Golden tiny: arena B holds conv1's 28*28*4 =
  /// 3136, conv2's 12*12*6 = 864 and dense1's 16; arena A the input (784),
  /// pool1's 14*14*4 = 784, pool2's 6*6*6 = 216 and the 10 logits:
  /// 784 + 3136 = 3920. Odd sizes round up to 16: dense 784 -> 10 alone
  /// puts 10 in arena B (16), and the input gives A = 784: 800.
  @Test func scratchSizeMatchesTheSpec() throws {
    #expect(reference.scratchSize == 11_520)
    let file = try reference.encoded()
    #expect(file[40..<44] == [0x00, 0x2D, 0x00, 0x00])  // 11520 = 0x2D00, little-endian
    let tiny = try SyntheticModel.make(
      [.conv(4, kernel: 3, samePadding: true), .maxpool, .conv(6, kernel: 3), .maxpool, .flatten, .dense(16),
       .dense(10, relu: false)], seed: 2024, name: "tiny")
    #expect(tiny.scratchSize == 3_920)
    let one = try SyntheticModel.make([.flatten, .dense(10, relu: false)], seed: 3, name: "one")
    #expect(one.scratchSize == 800)
  }

  /// The stored scratch size is a lower bound (rule E2): a 1.0 file, which
  /// stored the old workspace term on top (reference: 2304 + 9216 + 7824 =
  /// 19344), still opens and computes the same logits; a runtime asks for at
  /// least the stored value, and for more if its kernels need it.
  @Test func scratchSizeIsALowerBound() throws {
    let file = try reference.encoded()
    let current = try Model(file)
    #expect(current.scratchSize >= 11_520)
    let old = try Model(patched(patched(file, 6, 0, bytes: 2), 40, 19_344, bytes: 4))  // a 1.0 file
    #expect(old.scratchSize >= 19_344)
    var info = dgi_model_info()
    #expect(dgi_model_get_info(old.record, &info) == DGI_OK && info.format_minor == 0)
    for image in testImages(count: 4, seed: 7) {
      #expect(old.logits(image) == current.logits(image))
    }
    // Far more than any kernel set needs: exactly what the file asks for.
    let generous = try Model(patched(file, 40, 1 << 22, bytes: 4))
    #expect(generous.scratchSize == 1 << 22)
    #expect(generous.logits(testImages(count: 1, seed: 7)[0]) == current.logits(testImages(count: 1, seed: 7)[0]))
  }

  /// The models shipped in models/ are 1.1 files, or 1.2 with the "not a
  /// digit" class (mnist-int8.dgi; section 4.2): format_minor 1 or 2 and the
  /// scratch size A + B of section 12, recomputed here from the layer
  /// shapes (the input in arena A, every layer but flatten writing the
  /// other arena), so a device sizes no more than the arenas for them.
  @Test func shippedModelsHaveTheirMinorVersionAndStoreTheArenas() throws {
    let directory = testsDirectory.appending(path: "../../models")
    let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".dgi") }
    #expect(names.count >= 3)
    for name in names {
      let bytes = [UInt8](try Data(contentsOf: directory.appending(path: name)))
      let m = try Model(bytes)
      var info = dgi_model_info()
      #expect(dgi_model_get_info(m.record, &info) == DGI_OK && info.format_minor == (info.class_count == 11 ? 2 : 1), "\(name)")
      #expect(name != "mnist-int8.dgi" || info.class_count == 11)
      var arena = [784, 0], current = 0
      for i in 0..<info.layer_count {
        var layer = dgi_layer_info()
        #expect(dgi_model_get_layer(m.record, i, &layer) == DGI_OK)
        if layer.kind == DGI_LAYER_FLATTEN { continue }
        current ^= 1
        arena[current] = max(arena[current], Int(layer.output_height * layer.output_width * layer.output_channels))
      }
      let arenas = (arena[0] + 15) / 16 * 16 + (arena[1] + 15) / 16 * 16
      let stored = Int(bytes[40]) | Int(bytes[41]) << 8 | Int(bytes[42]) << 16 | Int(bytes[43]) << 24
      #expect(stored == arenas, "\(name)")
      #expect(m.scratchSize >= stored, "\(name)")
    }
  }

  /// The format's own bytes (header, layer table, name, metadata, alignment
  /// padding) over the parameters (weights, biases, multipliers, shifts).
  @Test func formatOverheadIsUnderOneKilobyte() throws {
    let file = try reference.encoded()
    let payload = reference.layers.reduce(0) { $0 + $1.weights.count + 9 * $1.bias.count }
    let overhead = file.count - payload
    #expect(overhead < 1024, "overhead \(overhead) bytes")
  }

  @Test func writerRejectsWhatTheRuntimeWould() throws {
    var bad = reference
    bad.layers[0].weights[3] = -128
    #expect(throws: FormatError.self) { try bad.encoded() }
    bad = reference
    bad.layers[5].bias.removeLast()
    #expect(throws: FormatError.self) { try bad.encoded() }
    bad = reference
    bad.layers[2].inputZeroPoint = 7
    #expect(throws: FormatError.self) { try bad.encoded() }
    bad = reference
    bad.layers.removeLast()
    #expect(throws: FormatError.self) { try bad.encoded() }  // 64 outputs are not 1...10 classes
    bad = reference
    bad.name = "a\0b"
    #expect(throws: FormatError.self) { try bad.encoded() }
  }

  @Test func atomicWriteReplacesOrLeavesNothing() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dgi-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("m.dgi").path
    try Data("old".utf8).write(to: URL(fileURLWithPath: path))
    try reference.write(to: path)
    #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(try reference.encoded()))
    var bad = reference
    bad.layers[0].weights[0] = -128
    #expect(throws: (any Error).self) { try bad.write(to: path) }
    #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(try reference.encoded()))
    #expect(throws: (any Error).self) { try reference.write(to: dir.path + "/missing/m.dgi") }
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["m.dgi"])
  }

  @Test func trailingBytesAreIgnored() throws {
    let file = try reference.encoded()
    let m = try Model(file + [1, 2, 3, 4, 5])
    let image = testImages(count: 1, seed: 1)[0]
    #expect(try m.logits(image) == Model(file).logits(image))
  }

  /// Each structural rule, broken on purpose behind a valid CRC.
  @Test func structuralErrorsHaveSpecificCodes() throws {
    let file = try reference.encoded()
    let table = 64
    let layer2 = table + 2 * 32
    let params0 = Int(file[table + 20]) | Int(file[table + 21]) << 8
    var wrongMagic = file
    wrongMagic[0] = UInt8(ascii: "X")
    #expect(openStatus(wrongMagic) == DGI_ERROR_MAGIC)
    #expect(openStatus(patched(file, 4, 2, bytes: 2)) == DGI_ERROR_VERSION)
    #expect(openStatus(patched(file, 6, 9, bytes: 2)) == DGI_OK)  // newer minor: still readable
    #expect(openStatus(patched(file, 6, 0, bytes: 2)) == DGI_OK)  // E2 does not depend on the minor
    #expect(openStatus(patched(file, 20, 1, bytes: 4)) == DGI_ERROR_UNSUPPORTED)  // unknown flag
    #expect(openStatus(patched(file, 24, 17, bytes: 2)) == DGI_ERROR_UNSUPPORTED)  // > 16 layers
    #expect(openStatus(patched(file, 24, 0, bytes: 2)) == DGI_ERROR_MALFORMED)
    #expect(openStatus(patched(file, 26, 32, bytes: 2)) == DGI_ERROR_UNSUPPORTED)  // 32x28 input
    #expect(openStatus(patched(file, 32, 12, bytes: 2)) == DGI_ERROR_UNSUPPORTED)  // 12 classes
    #expect(openStatus(patched(file, 32, 11, bytes: 2)) == DGI_ERROR_MALFORMED)  // 11 is allowed, but not the 10 outputs (E1)
    // The scratch field is a lower bound (E2): at least the two arenas,
    // 2304 + 9216 = 11520 bytes, which is what the writer stores; at most
    // 2^31 - 1 (E3).
    #expect(file[40..<44] == [0x00, 0x2D, 0x00, 0x00])
    #expect(openStatus(patched(file, 40, 0, bytes: 4)) == DGI_ERROR_MALFORMED)
    #expect(openStatus(patched(file, 40, 11_519, bytes: 4)) == DGI_ERROR_MALFORMED)
    #expect(openStatus(patched(file, 40, 11_520 - 16, bytes: 4)) == DGI_ERROR_MALFORMED)
    #expect(openStatus(patched(file, 40, 11_521, bytes: 4)) == DGI_OK)
    #expect(openStatus(patched(file, 40, 19_344, bytes: 4)) == DGI_OK)  // what a 1.0 writer stored
    #expect(openStatus(patched(file, 40, 0x7FFF_FFFF, bytes: 4)) == DGI_OK)
    #expect(openStatus(patched(file, 40, 0x8000_0000, bytes: 4)) == DGI_ERROR_UNSUPPORTED)
    #expect(openStatus(patched(file, 40, 0xFFFF_FFFF, bytes: 4)) == DGI_ERROR_UNSUPPORTED)
    #expect(openStatus(patched(file, 44, 0xFFFF_FFF0, bytes: 4)) == DGI_ERROR_MALFORMED)  // table offset
    #expect(openStatus(patched(file, 52, 0xFFFF_FFFF, bytes: 4)) == DGI_ERROR_MALFORMED)  // name length
    #expect(openStatus(patched(file, table, 9, bytes: 1)) == DGI_ERROR_UNSUPPORTED)  // unknown kind
    #expect(openStatus(patched(file, table + 1, 0x80, bytes: 1)) == DGI_ERROR_UNSUPPORTED)  // unknown flag
    #expect(openStatus(patched(file, table + 18, 2, bytes: 1)) == DGI_ERROR_UNSUPPORTED)  // conv stride 2
    #expect(openStatus(patched(file, layer2 + 14, 31, bytes: 2)) == DGI_ERROR_MALFORMED)  // channel chain
    #expect(openStatus(patched(file, layer2 + 20, 0xFFFF_FF00, bytes: 4)) == DGI_ERROR_MALFORMED)
    #expect(openStatus(patched(file, layer2 + 28, 1, bytes: 4)) == DGI_ERROR_MALFORMED)  // reserved
    #expect(openStatus(patched(file, params0 + 5, 0x80, bytes: 1)) == DGI_ERROR_MALFORMED)  // weight -128
    let shifts0 = params0 + 400 + 16 * 4 + 16 * 4  // weights 400, then bias and multipliers of 16 channels
    #expect(openStatus(patched(file, shifts0, 32, bytes: 1)) == DGI_ERROR_MALFORMED)  // shift > 31
    #expect(openStatus(patched(file, shifts0 - 64, 0x8000_0000, bytes: 4)) == DGI_ERROR_MALFORMED)  // multiplier < 0
    #expect(openStatus(patched(file, shifts0 - 128, 0x7FFF_FFFF, bytes: 4)) == DGI_ERROR_MALFORMED)  // bias overflow
  }
}
