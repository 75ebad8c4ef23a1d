// Fuzz target (c): bytes -> ImageDecoder.decode -> dgi_preprocess, the path
// digitinfer-cli takes for every input file (Classify.swift, Pipeline.swift),
// through the same public entry point, so that PNG, JPEG (with EXIF
// orientation) and PBM/PGM/PPM are all reached by format sniffing.
// The decoders' cost limits are enforced by libFuzzer (-rss_limit_mb=256,
// -timeout=1 in tools/fuzz.sh); here the decoded image's own invariants.
import DigitInfer
import DigitInferImage

private var scratch = [UInt8](repeating: 0, count: 0)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzImage(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  let bytes = [UInt8](UnsafeBufferPointer(start: data, count: size))
  let image: GrayImage
  do {
    image = try ImageDecoder.decode(bytes)
  } catch {
    return 0  // a refusal with a message is the expected outcome for most inputs
  }
  precondition(image.width > 0 && image.height > 0, "decoded an empty image \(image.width)x\(image.height)")
  precondition(image.width * image.height <= ImageDecoder.maxPixels, "decoded past maxPixels")
  precondition(image.pixels.count == image.width * image.height, "pixels do not match the size")

  // As Pipeline.preprocess does: any size the runtime accepts.
  let side = Int(DGI_PREPROCESS_MAX_SIDE)
  guard image.width <= side, image.height <= side else { return 0 }
  let need = dgi_preprocess_scratch_size(UInt32(image.width), UInt32(image.height))
  if scratch.count < need { scratch = [UInt8](repeating: 0, count: need) }
  var input = [UInt8](repeating: 0, count: Int(DGI_INPUT_SIZE))
  var info = dgi_preprocess_info()
  let status = image.pixels.withUnsafeBufferPointer { pixels in
    scratch.withUnsafeMutableBytes { s in
      dgi_preprocess(
        pixels.baseAddress, UInt32(image.width), UInt32(image.height), image.width, UInt32(DGI_INK_AUTO),
        s.baseAddress, s.count, &input, &info)
    }
  }
  precondition(status == DGI_OK || status == DGI_ERROR_NO_INK, "dgi_preprocess on a decoded image: \(status)")
  return 0
}
