import DigitInfer
import DigitInferData
import DigitInferFormat
import DigitInferSupport

/// Training digits sent down the path users' digits take: resampled to
/// another size (the digit 12 to 60 pixels, as Semeion's 16x16 and a phone photo's
/// digit differ), sometimes binarised (Semeion and optdigits are 1-bit),
/// then through the runtime's own `dgi_preprocess`. An 11-class model sees
/// every drawn negative after `dgi_preprocess`; without these it learns
/// "looks preprocessed" as "not a digit" and rejects other sources' digits
/// by the hundred (docs/NOT-A-DIGIT.md).
///
/// Some also get what MNIST's American writers rarely do and other sets
/// (Semeion's Italian writers among them) often do: a 1 with a long flag, a
/// 7 with a bar through its stem, a 4 in one stroke, a 9 with a hooked tail
/// (`Conventions`), and a digit stretched to fill its box, as sets
/// normalised that way store it. Without them the model has only "not a
/// digit" or another digit for such writing, and rejects or misreads it.
/// Deterministic: image `i` depends only on the seed, `i` and the source
/// digits.
public enum PreprocessedDigits {
  /// `count` images, labelled with their source digit, drawn from `digits`.
  public static func generate(from digits: DigitSet, count: Int, seed: UInt64, name: String) -> DigitSet {
    var pixels = [UInt8](repeating: 0, count: count * 784)
    var labels = [UInt8](repeating: 0, count: count)
    pixels.withUnsafeMutableBufferPointer { out in
      labels.withUnsafeMutableBufferPointer { labelsOut in
        let (out, labelsOut) = (out, labelsOut)
        Parallel.forEach(count) { range, _ in
          for i in range {
            var rng = SplitMix64(seed: seed ^ (UInt64(i) &* 0x9E37_79B9_7F4A_7C15) ^ 0x7072_6570_726F_6300)
            let source = Int(rng.next() % UInt64(digits.count))
            let digit = Array(digits.pixels[(source * 784)..<(source * 784 + 784)])
            // Preprocessing finds ink in every MNIST digit; the original
            // stands in should a resampling lose it all.
            let image = render(digit, label: digits.labels[source], &rng) ?? digit
            for p in 0..<784 { out[i * 784 + p] = image[p] }
            labelsOut[i] = digits.labels[source]
          }
        }
      }
    }
    return try! DigitSet(name: name, rows: 28, columns: 28, pixels: pixels, labels: labels, classes: digits.classes)
  }

  /// One digit (maybe written another way, maybe stretched to its box)
  /// resampled into a square with a margin, maybe binarised, preprocessed;
  /// nil if preprocessing finds no ink.
  static func render(_ digit: [UInt8], label: UInt8, _ rng: inout SplitMix64) -> [UInt8]? {
    var digit = Conventions.written(digit, label: label, &rng)
    if Negatives.unit(&rng) < 0.2 { digit = stretchedToBox(digit) }
    // MNIST's 20x20 box becomes `inner` pixels; the frame around it keeps
    // MNIST's proportion, shifted a little.
    let inner = Int(Negatives.uniform(&rng, 12, 60).rounded())
    let side = max(12, inner * 28 / 20)
    let scale = Double(side) / 28
    let shiftX = Negatives.uniform(&rng, -0.1, 0.1) * Double(side), shiftY = Negatives.uniform(&rng, -0.1, 0.1) * Double(side)
    let binarise = Negatives.unit(&rng) < 0.4
    let threshold = Negatives.uniform(&rng, 70, 180)
    var square = [UInt8](repeating: 0, count: side * side)
    for y in 0..<side {
      for x in 0..<side {
        // Bilinear sample of the source at this pixel's centre.
        let sx = (Double(x) + 0.5 - shiftX) / scale - 0.5, sy = (Double(y) + 0.5 - shiftY) / scale - 0.5
        let v = bilinear(digit, sx, sy)
        square[y * side + x] = binarise ? (v >= threshold ? 255 : 0) : UInt8(min(255, max(0, v.rounded())))
      }
    }
    return Negatives.fitted(square, side: side, allowNarrow: true)
  }

  /// The digit's ink box (pixels of 32 or more) stretched, each axis on its
  /// own, to MNIST's 20x20 box in the middle of 28x28: how sets that fill
  /// the frame (Semeion) store every digit. Unchanged when there is no ink
  /// or the digit is under half as wide as tall: such sets are binary, and
  /// a plain 1 stretched twentyfold is a slab, not a digit anyone writes.
  static func stretchedToBox(_ digit: [UInt8]) -> [UInt8] {
    guard let box = InkBox(digit, threshold: 32), box.width * 2 >= box.height else { return digit }
    let boxWidth = Double(box.width), boxHeight = Double(box.height)
    var out = [UInt8](repeating: 0, count: 784)
    for y in 4..<24 {
      for x in 4..<24 {
        let sx = Double(box.left) + (Double(x - 4) + 0.5) * boxWidth / 20 - 0.5
        let sy = Double(box.top) + (Double(y - 4) + 0.5) * boxHeight / 20 - 0.5
        out[y * 28 + x] = UInt8(min(255, max(0, bilinear(digit, sx, sy).rounded())))
      }
    }
    return out
  }

  /// The 28x28 image at a point, between pixel centres; 0 outside.
  static func bilinear(_ image: [UInt8], _ sx: Double, _ sy: Double) -> Double {
    let x0 = Int(sx.rounded(.down)), y0 = Int(sy.rounded(.down))
    let fx = sx - Double(x0), fy = sy - Double(y0)
    func at(_ px: Int, _ py: Int) -> Double {
      px < 0 || py < 0 || px >= 28 || py >= 28 ? 0 : Double(image[py * 28 + px])
    }
    let top = at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx
    let bottom = at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx
    return top * (1 - fy) + bottom * fy
  }
}
