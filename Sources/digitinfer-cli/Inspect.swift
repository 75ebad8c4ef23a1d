import ArgumentParser
import DigitInfer
import Foundation

/// What a .dgi file holds, as the runtime sees it after validating it.
struct Inspect: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Describe a .dgi model: version, name, metadata, layers, cost, checksum.",
    discussion: """
      Opens the model with dgi_model_open(), which verifies the CRC-32 and every offset, shape and range, then prints what dgi_model_get_info() and dgi_model_get_layer() report: format version, name, metadata, each layer with its input and output shapes (height x width x channels), parameters and multiply-accumulates, and the scratch memory inference needs; then the kernel set the model runs on this CPU (dgi_model_kernels: the fastest this CPU supports, unless --kernels or $DIGITINFER_KERNELS names another) and the sets this CPU supports (dgi_kernels_supported). A file that fails validation is reported in one line with the runtime's reason, and the exit status is 2.

      Without MODEL, describes the model classify would use (see digitinfer-cli --help), which may be the built-in copy.

      --json prints one object with: \(LoadedModel.jsonHelp), format, name, file_bytes, checksum, checksum_ok, classes, not_a_digit (whether the model has the "not a digit" class: its 11th, class 10), parameters, macs, scratch_bytes, kernels (the set the model runs, e.g. "avx512vnni"), kernels_supported (every set this CPU runs, e.g. ["reference", "sse2", "avx512vnni"]), metadata, layers.

      Examples:
        digitinfer-cli inspect models/mnist-int8.dgi
        digitinfer-cli inspect
        digitinfer-cli inspect --json models/reference-int8.dgi
        DIGITINFER_KERNELS=reference digitinfer-cli inspect
      """)

  @Argument(help: ArgumentHelp("The .dgi file (default: the model classify uses).", valueName: "model"))
  var model: String?

  @OptionGroup var kernelOptions: KernelOptions

  @Flag(help: "Print one JSON object instead of text.")
  var json = false

  /// What the outputs mean: "the digits 0-9", "the digits 0-9 and \"not a
  /// digit\"" (class 10 of an 11-class model), "the digits 0-1"...
  static func classNames(_ count: Int) -> String {
    let digits = min(count, Model.notADigitClass)
    let range = digits == 1 ? "the digit 0" : "the digits 0-\(digits - 1)"
    return count > Model.notADigitClass ? range + " and \"not a digit\"" : range
  }

  func run() throws {
    try reportingFailures {
      let loaded = try ModelOptions.load(model.map(FileName.init(argument:)))
      try kernelOptions.apply(to: loaded)
      let supported = Kernels.supportedNames
      let info = loaded.info
      let layers = (0..<info.layer_count).compactMap { loaded.layer($0) }
      let name = String(cString: info.name)
      let metadata = String(cString: info.metadata).split(separator: "\n", omittingEmptySubsequences: true).map { line in
        let parts = line.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
      }
      let crc = String(format: "0x%08X", info.checksum)

      if json {
        Stdout.line(JSON.object(loaded.jsonFields + [
          ("format", JSON.string("\(info.format_major).\(info.format_minor)")),
          ("name", JSON.string(name)),
          ("file_bytes", String(info.file_size)), ("checksum", JSON.string(crc)), ("checksum_ok", "true"),
          ("classes", String(info.class_count)), ("not_a_digit", String(loaded.model.info.hasNotADigit)),
          ("parameters", String(info.parameter_count)),
          ("macs", String(info.macs)), ("scratch_bytes", String(info.scratch_size)),
          ("kernels", JSON.string(loaded.kernelsName)), ("kernels_supported", JSON.array(supported.map(JSON.string))),
          ("metadata", JSON.object(metadata.map { ($0.0, JSON.string($0.1)) })),
          ("layers", JSON.array(layers.map { layer in
            JSON.object([
              ("kind", JSON.string(layer.kindName)), ("input", JSON.array(layer.inputShape.map(String.init))),
              ("output", JSON.array(layer.outputShape.map(String.init))),
              ("kernel", JSON.array([String(layer.kernel_height), String(layer.kernel_width)])),
              ("relu", String(layer.flags & DGI_LAYER_RELU != 0)),
              ("same_padding", String(layer.flags & DGI_LAYER_SAME_PADDING != 0)),
              ("parameters", String(layer.parameter_count)), ("macs", String(layer.macs)),
            ])
          })),
        ]))
        return
      }

      Stdout.line("model        \(loaded.sourceDescription)")
      Stdout.line("format       .dgi \(info.format_major).\(info.format_minor), \(Int(info.file_size).formatted()) bytes")
      Stdout.line("name         \(name.isEmpty ? "(none)" : name)")
      Stdout.line("checksum     ok (CRC-32 \(crc), verified by dgi_model_open)")
      Stdout.line("classes      \(info.class_count) (\(Self.classNames(Int(info.class_count))))")
      Stdout.line("parameters   \(Int(info.parameter_count).formatted())")
      Stdout.line("MACs         \(Int(info.macs).formatted()) per image")
      Stdout.line("scratch      \(info.scratch_size.formatted()) bytes per concurrent inference")
      Stdout.line("kernels      \(loaded.kernelsName) (\(kernelOptions.origin(of: loaded)); this CPU supports \(supported.joined(separator: ", ")))")
      if !metadata.isEmpty {
        Stdout.line("metadata")
        let width = metadata.map(\.0.count).max() ?? 0
        for (key, value) in metadata { Stdout.line("  \(key.padding(toLength: width, withPad: " ", startingAt: 0))  \(value)") }
      }
      Stdout.line("layers (shapes are height x width x channels)")
      var rows = [["#", "layer", "input", "output", "kernel", "activation", "parameters", "MACs"]]
      for (index, layer) in layers.enumerated() {
        let kernel = layer.kind == DGI_LAYER_CONV2D || layer.kind == DGI_LAYER_MAXPOOL2D
          ? "\(layer.kernel_height)x\(layer.kernel_width)\(layer.flags & DGI_LAYER_SAME_PADDING != 0 ? " same" : "")" : "-"
        rows.append([
          String(index), layer.kindName, layer.inputShape.map(String.init).joined(separator: "x"),
          layer.outputShape.map(String.init).joined(separator: "x"), kernel,
          layer.flags & DGI_LAYER_RELU != 0 ? "relu" : "-",
          Int(layer.parameter_count).formatted(), Int(layer.macs).formatted(),
        ])
      }
      let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max()! }
      for row in rows {
        let cells = row.enumerated().map { column, cell in
          let pad = String(repeating: " ", count: widths[column] - cell.count)
          // Numbers right-aligned, words left-aligned.
          return column >= 6 || column == 0 ? pad + cell : cell + pad
        }
        Stdout.line("  " + cells.joined(separator: "  "))
      }
    }
  }
}

extension dgi_layer_info {
  var kindName: String {
    switch kind {
    case DGI_LAYER_CONV2D: "conv2d"
    case DGI_LAYER_MAXPOOL2D: "maxpool2d"
    case DGI_LAYER_DENSE: "dense"
    case DGI_LAYER_FLATTEN: "flatten"
    default: "kind \(kind.rawValue)"
    }
  }

  var inputShape: [UInt32] { [input_height, input_width, input_channels] }
  var outputShape: [UInt32] { [output_height, output_width, output_channels] }
}
