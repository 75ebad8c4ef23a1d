import ArgumentParser
import DigitInfer
import Foundation

#if canImport(Glibc)
  import Glibc
  private let exitProcess = Glibc.exit
#elseif canImport(Darwin)
  import Darwin
  private let exitProcess = Darwin.exit
#endif

/// digitinfer-cli: classify handwritten digits in image files with
/// libdigitinfer, read whole numbers, evaluate a model on a labelled set, describe a model,
/// and measure speed.
@main
struct DigitInferCLI: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "digitinfer-cli",
    abstract: "Read handwritten digits in images with an int8 .dgi model.",
    discussion: """
      Every image goes through the same three steps as in the C library: decode (JPEG, PNG, PGM/PBM) to 8-bit grey, dgi_preprocess() to the model's 28x28 input, dgi_classify(). C, Python and device users calling those functions get the same answers.

      classify is the default subcommand: `digitinfer-cli IMAGE...` is `digitinfer-cli classify IMAGE...`.

      \(ModelOptions.defaultModelHelp)

      \(ExitStatus.help)

      Examples:
        digitinfer-cli photo.jpg
        digitinfer-cli --show drawing.png
        digitinfer-cli --json scans/ > answers.jsonl
        digitinfer-cli read number.jpg
        digitinfer-cli eval
        digitinfer-cli inspect models/mnist-int8.dgi
        digitinfer-cli bench
      """,
    version: DigitInferVersion.string,
    subcommands: [Classify.self, Read.self, Eval.self, Inspect.self, Bench.self],
    defaultSubcommand: Classify.self)

  /// ArgumentParser's main and exit(withError:), but with argv's bytes
  /// that are not UTF-8 kept (see CommandLineBytes), and shown as `\xNN`
  /// where its messages quote an argument.
  static func main() {
    // exit(3), not exit(withError:), and nothing of the run still alive
    // when it is called: an error or a message alive at the end is a leak
    // to valgrind (tools/test-sanitizers.sh runs the CLI under it).
    exitProcess(runAndReport())
  }

  /// Runs the command and prints what it has to say: the exit status.
  private static func runAndReport() -> Int32 {
    let (code, text) = outcome()
    if !text.isEmpty {
      // Help goes to standard output; errors to standard error.
      (code == .success ? FileHandle.standardOutput : FileHandle.standardError).write(Data((text + "\n").utf8))
    }
    return code.rawValue
  }

  /// Parses and runs the command: its exit code and what to print, with
  /// any error released by the time it returns.
  private static func outcome() -> (ExitCode, String) {
    do {
      var command = try parseAsRoot(CommandLineBytes.arguments)
      try command.run()
      return (.success, "")
    } catch {
      return (exitCode(for: error), CommandLineBytes.showingBytes(fullMessage(for: error)))
    }
  }
}

/// The project's one version string, DGI_VERSION of include/digitinfer.h,
/// as the linked library reports it: `digitinfer-cli --version`.
enum DigitInferVersion {
  static let string = dgi_version().map { String(cString: $0) } ?? "unknown"
}
