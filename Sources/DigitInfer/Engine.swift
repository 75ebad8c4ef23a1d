/// Which kernel family runs the layers. The C API always uses `.optimized`;
/// tests run both and compare.
public enum Kernels: Sendable {
  case reference
  case optimized
}

/// Runs the network on one 28x28 image and returns a pointer to the int8
/// outputs of the last layer, which lie in `scratch`. The model must be
/// open and `scratch` at least `state.scratchSize` bytes (callers check).
///
/// The input is quantized with scale 1/255 and zero point -128, so pixel p
/// becomes p - 128 exactly. Then each layer reads one arena of the scratch
/// buffer and writes the other (flatten is a no-op view).
func infer(
  _ m: Model, _ pixels: UnsafePointer<UInt8>, _ scratch: UnsafeMutableRawPointer, _ kernels: Kernels
) -> UnsafePointer<Int8> {
  let s = m.state
  let input = scratch.assumingMemoryBound(to: Int8.self)
  for i in 0..<(FileLayout.inputSide * FileLayout.inputSide) {
    input[i] = Int8(bitPattern: pixels[i] ^ 0x80)
  }
  let workspace = scratch + Int(s.workspace)
  var last = UnsafePointer(input)
  var i = 0
  while i < Int(s.layerCount) {
    let d = m.layer(i)
    let x = UnsafePointer((scratch + Int(d.input)).assumingMemoryBound(to: Int8.self))
    var y = (scratch + Int(d.output)).assumingMemoryBound(to: Int8.self)
    switch (LayerKind(rawValue: d.kind), kernels) {
    case (.conv2d, .reference): Reference.conv2d(d, s.base, x, y)
    case (.conv2d, .optimized):
      // A following max-pool is fused into the convolution.
      if i + 1 < Int(s.layerCount), m.layer(i + 1).kind == LayerKind.maxpool2d.rawValue {
        i += 1
        y = (scratch + Int(m.layer(i).output)).assumingMemoryBound(to: Int8.self)
        Optimized.conv2d(d, s.base, x, y, workspace, pooled: true)
      } else {
        Optimized.conv2d(d, s.base, x, y, workspace)
      }
    case (.dense, .reference): Reference.dense(d, s.base, x, y)
    case (.dense, .optimized): Optimized.dense(d, s.base, x, y, workspace)
    case (.maxpool2d, .reference): Reference.maxpool2d(d, x, y)
    case (.maxpool2d, .optimized): Optimized.maxpool2d(d, x, y)
    case (.flatten, _), (nil, _): break  // open() admits no other kinds
    }
    last = UnsafePointer(y)
    i += 1
  }
  return last
}
