// The C entry points of dgi_read_number (include/digitinfer.h, "Reading
// numbers"): argument checks and conversion; the work is in ReadNumber.swift.

// 7 bytes of slack let the buffer be aligned to 8, as for dgi_preprocess.
@c @implementation
public func dgi_read_number_scratch_size(_ model: UnsafePointer<dgi_model>?, _ width: UInt32, _ height: UInt32) -> Int {
  guard let m = openedModel(model),
    let layout = ReadLayout(width: Int(width), height: Int(height), modelScratch: Int(m.state.scratchSize))
  else { return 0 }
  return layout.size + 7
}

@c @implementation @_optimize(size)
public func dgi_read_number(
  _ model: UnsafePointer<dgi_model>?, _ image: UnsafePointer<UInt8>?, _ width: UInt32, _ height: UInt32,
  _ stride: Int, _ flags: UInt32, _ scratch: UnsafeMutableRawPointer?, _ scratchSize: Int,
  _ digits: UnsafeMutablePointer<dgi_number_digit>?, _ maxDigits: Int, _ count: UnsafeMutablePointer<Int>?
) -> dgi_status {
  // A size_t above PTRDIFF_MAX arrives negative (see runChecked).
  // The order of the header: ARGUMENT, NOT_OPEN, IMAGE, SCRATCH.
  guard model != nil, let image, let count, scratchSize >= 0, maxDigits >= 0, digits != nil || maxDigits == 0
  else { return Status.argument.c }
  guard let m = openedModel(model) else { return refused(model) }
  guard let layout = ReadLayout(width: Int(width), height: Int(height), modelScratch: Int(m.state.scratchSize)),
    imageArgumentsValid(width: width, height: height, stride: stride, flags: flags)
  else { return Status.image.c }
  guard let unaligned = scratch, scratchSize >= layout.size + 7 else { return Status.scratch.c }
  let scratch = unaligned + ((8 - Int(bitPattern: unaligned) & 7) & 7)
  var found = 0
  let status = readNumber(
    image, width: Int(width), height: Int(height), stride: stride, flags: flags, layout, scratch, m
  ) { piece, pixels, split in
    if found < maxDigits, let digits { store(digits + found, piece, pixels, split: split) }
    found += 1
  }
  guard status == .ok else {
    if status == .noInk || status == .notADigit { count.pointee = 0 }
    return status.c
  }
  count.pointee = found
  return found > maxDigits ? Status.tooMany.c : Status.ok.c
}

/// One digit into the caller's array.
@inline(never) @_optimize(size)
func store(
  _ d: UnsafeMutablePointer<dgi_number_digit>, _ piece: UnsafePointer<ReadPiece>, _ pixels: UnsafePointer<UInt8>,
  split: Bool
) {
  d.pointee.result = piece.pointee.result
  let box = piece.pointee.box
  d.pointee.x = UInt32(box.x0)
  d.pointee.y = UInt32(box.y0)
  d.pointee.width = UInt32(box.x1 - box.x0)
  d.pointee.height = UInt32(box.y1 - box.y0)
  d.pointee.flags = split ? DGI_DIGIT_SPLIT : 0
  withUnsafeMutableBytes(of: &d.pointee.pixels) { out in
    for i in 0..<FileLayout.inputSize { out[i] = pixels[i] }
  }
}
