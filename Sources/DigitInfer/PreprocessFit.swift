// The synthesis half of dgi_preprocess: area-averaged scaling into the
// 20x20 box, stroke normalisation, and centring by mass in 28x28.

/// A rectangle of the original image, half-open.
struct Region {
  var x0: Int, x1: Int, y0: Int, y1: Int
}

@inline(__always) func floorDiv(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : -((-a + b - 1) / b) }
@inline(__always) func ceilDiv(_ a: Int, _ b: Int) -> Int { -floorDiv(-a, b) }

/// The model input's side and pixel count (the header's DGI_INPUT_WIDTH and
/// DGI_INPUT_SIZE, through FileLayout).
private let side = FileLayout.inputSide, area = FileLayout.inputSize

/// Scales `region` so that its longer side is 20 pixels, keeping the aspect
/// ratio, and writes it to the middle of the 28x28 `canvas`.
///
/// Area averaging, exactly: coordinates are in 1/20 pixel so that every
/// output pixel covers L units (L = the region's longer side) and every
/// source pixel 20; each source pixel contributes its overlap, an integer.
/// Separable: a row is first reduced horizontally into `accumulators[400...]`,
/// then spread over the output rows it overlaps.
@_optimize(size)
func fitToBox(
  _ region: Region, _ canvas: UnsafeMutablePointer<UInt32>, _ accumulators: UnsafeMutablePointer<UInt64>,
  ink: (Int, Int) -> UInt64
) {
  let box = 20
  let bw = region.x1 - region.x0, bh = region.y1 - region.y0
  let l = max(bw, bh)
  let ow = max(1, (bw * box + l / 2) / l), oh = max(1, (bh * box + l / 2) / l)
  // The output covers ow*L units; centre it on the region's bw*20.
  let sx = region.x0 * box + (bw * box - ow * l) / 2
  let sy = region.y0 * box + (bh * box - oh * l) / 2
  let acc = accumulators, row = accumulators + box * box
  clear(acc, box * box)
  for y in max(region.y0, floorDiv(sy, box))..<min(region.y1, ceilDiv(sy + oh * l, box)) {
    for i in 0..<ow {
      let a = sx + i * l, b = a + l
      var s: UInt64 = 0
      for x in max(region.x0, floorDiv(a, box))..<min(region.x1, ceilDiv(b, box)) {
        s += UInt64(min(b, box * x + box) - max(a, box * x)) * ink(x, y)
      }
      row[i] = s
    }
    for j in 0..<oh {
      let a = sy + j * l
      let w = min(a + l, box * y + box) - max(a, box * y)
      if w <= 0 { continue }
      for i in 0..<ow { acc[j * box + i] += UInt64(w) * row[i] }
    }
  }
  clear(canvas, area)
  let cover = UInt64(l) * UInt64(l)  // units of one output pixel
  let ox = (side - ow) / 2, oy = (side - oh) / 2
  for j in 0..<oh {
    for i in 0..<ow { canvas[(oy + j) * side + ox + i] = UInt32((acc[j * box + i] + cover / 2) / cover) }
  }
}

/// Makes strokes look like MNIST's pen. The brightest pixel becomes 255
/// (MNIST's always is) and edges are softened; then strokes thinner than
/// `Preprocess.targetThickness16` get a partial 3x3 dilation and strokes
/// broader than `Preprocess.maximumThickness16` a partial erosion: a full
/// step changes the width by about two pixels, a partial one (weight a/256)
/// proportionally less.
///
/// Thickness is estimated as 2 * mass / total variation: a stroke of width w
/// and length n has mass w*n and crosses from paper to ink and back along
/// its length, a variation of about 2n.
@_optimize(size)
func normalizeStrokes(_ canvas: UnsafeMutablePointer<UInt32>, spare: UnsafeMutablePointer<UInt32>) {
  if !stretchToFullInk(canvas) { return }
  // MNIST's edges are soft (its digits were anti-aliased); scans and
  // binary sets have hard ones. One [1 2 1] x [1 2 1] / 16 pass.
  for y in 0..<side {
    for x in 0..<side {
      var s: UInt32 = 0
      for ny in max(0, y - 1)...min(side - 1, y + 1) {
        for nx in max(0, x - 1)...min(side - 1, x + 1) {
          s += (ny == y ? 2 : 1) * (nx == x ? 2 : 1) * canvas[ny * side + nx]
        }
      }
      spare[y * side + x] = (s + 8) / 16
    }
  }
  for i in 0..<area { canvas[i] = spare[i] }
  _ = stretchToFullInk(canvas)

  var mass = 0, variation = 0
  for y in 0..<side {
    for x in 0..<side {
      let v = Int(canvas[y * side + x])
      mass += v
      if x + 1 < side { variation += abs(Int(canvas[y * side + x + 1]) - v) }
      if y + 1 < side { variation += abs(Int(canvas[(y + 1) * side + x]) - v) }
    }
  }
  if variation == 0 { return }
  let thickness16 = 32 * mass / variation
  if thickness16 > Preprocess.maximumThickness16 {
    morph(canvas, spare, weight: (thickness16 - Preprocess.maximumThickness16) * 256 / 32, dilate: false)
  } else if thickness16 < Preprocess.targetThickness16 {
    morph(canvas, spare, weight: (Preprocess.targetThickness16 - thickness16) * 256 / 32, dilate: true)
  }
}

/// Scales the canvas so that its brightest pixel is 255, as MNIST's always
/// is. Returns false for an empty canvas.
func stretchToFullInk(_ canvas: UnsafeMutablePointer<UInt32>) -> Bool {
  var peak: UInt32 = 0
  for i in 0..<area { peak = max(peak, canvas[i]) }
  if peak == 0 { return false }
  if peak < 255 { for i in 0..<area { canvas[i] = (canvas[i] * 255 + peak / 2) / peak } }
  return true
}

/// A partial 3x3 grey-level dilation (or erosion): each pixel moves towards
/// its neighbourhood's maximum (or minimum) by weight/256, at most a full step.
func morph(_ canvas: UnsafeMutablePointer<UInt32>, _ spare: UnsafeMutablePointer<UInt32>, weight: Int, dilate: Bool) {
  let w = UInt32(min(256, weight))
  for y in 0..<side {
    for x in 0..<side {
      var m: UInt32 = dilate ? 0 : 255
      for ny in max(0, y - 1)...min(side - 1, y + 1) {
        for nx in max(0, x - 1)...min(side - 1, x + 1) {
          m = dilate ? max(m, canvas[ny * side + nx]) : min(m, canvas[ny * side + nx])
        }
      }
      let v = canvas[y * side + x]
      spare[y * side + x] = dilate ? max(v, (m * w + 128) >> 8) : v - (((v - m) * w + 128) >> 8)
    }
  }
  for i in 0..<area { canvas[i] = spare[i] }
}

/// Writes `canvas` to `out` translated by whole pixels so that its centre of
/// mass lands on (14, 14), where MNIST's is (measured on its training set:
/// mean 14.01, 14.00 in pixel-index coordinates).
func centre(_ canvas: UnsafePointer<UInt32>, _ out: UnsafeMutablePointer<UInt8>) {
  var s = 0, sx = 0, sy = 0
  for y in 0..<side {
    for x in 0..<side {
      let v = Int(canvas[y * side + x])
      s += v
      sx += v * x
      sy += v * y
    }
  }
  // round(14 - sx/s) = floor((28s - 2sx + s) / 2s)
  let dx = s == 0 ? 0 : floorDiv((side + 1) * s - 2 * sx, 2 * s)
  let dy = s == 0 ? 0 : floorDiv((side + 1) * s - 2 * sy, 2 * s)
  for y in 0..<side {
    for x in 0..<side {
      let fx = x - dx, fy = y - dy
      out[y * side + x] = fx >= 0 && fx < side && fy >= 0 && fy < side ? UInt8(min(255, canvas[fy * side + fx])) : 0
    }
  }
}
