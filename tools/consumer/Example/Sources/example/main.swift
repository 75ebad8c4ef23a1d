// Opens a model and classifies a drawn 7 through the C API that
// `import DigitInfer` re-exports, and says which kernels ran.
import DigitInfer
import Foundation

guard CommandLine.arguments.count == 2, let data = FileManager.default.contents(atPath: CommandLine.arguments[1]) else {
  print("usage: example MODEL.dgi")
  exit(2)
}
let bytes = [UInt8](data)
var model = dgi_model()
let status = dgi_model_open(&model, bytes, bytes.count)
guard status == DGI_OK else {
  print("open: \(String(cString: dgi_status_message(status)))")
  exit(1)
}
print("kernels \(String(cString: dgi_kernels_name(dgi_model_kernels(&model))))")
// A 7: a bar across the top and a stroke down to the bottom left.
var pixels = [UInt8](repeating: 0, count: 784)
for x in 7...20 { for y in 6...8 { pixels[y * 28 + x] = 255 } }
for y in 9...22 {
  let x = 20 - (y - 9) * 7 / 13
  for dx in -1...1 { pixels[y * 28 + x + dx] = 255 }
}
var scratch = [UInt8](repeating: 0, count: dgi_model_scratch_size(&model))
var result = dgi_result()
guard dgi_classify(&model, pixels, &scratch, scratch.count, &result) == DGI_OK else { exit(1) }
print("digit \(result.digit)")
