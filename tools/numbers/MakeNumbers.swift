import ArgumentParser
import DigitInferData
import DigitInferImage
import DigitInferSupport
import Foundation

/// Draws images of handwritten whole numbers from MNIST test digits, for
/// measuring `digitinfer-cli read`: digits never seen in training, spaced
/// as people write (with group gaps and touching pairs), of varying size,
/// on a slanted baseline, on white, grey or dark ground, blurred and noisy.
@main
struct MakeNumbers: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "make-numbers",
    abstract: "Draw number images from MNIST test digits, with a manifest of what each holds.",
    discussion: """
      Writes <out>/00000.png ... and <out>/manifest.tsv: one line per image with the file, the number (a string: leading zeros kept), its length, how many neighbouring pairs of digits touch (their ink meets), the nominal digit height in pixels (\(NumberImage.digitHeights.map(String.init).joined(separator: ", "))), the background (\(Background.allCases.map(\.rawValue).joined(separator: ", "))), the group gaps, blur and noise, the image size, each digit's ink box and the MNIST test images used.

      --digits validation draws from the held-out validation part of the MNIST training set instead (the split export-model validates on, MNIST.split), for tuning the reader without looking at the test set; the manifest's indices are then into that part.

      Deterministic: the same seed gives the same images (image i does not depend on --count).

      Example:
        swift run -c release make-numbers --out /tmp/numbers --count 2000 --seed 1
        tools/numbers/measure.sh   (generate, read, and tabulate the accuracy)
      """)

  @Option(help: ArgumentHelp("The MNIST directory (default: $DIGITINFER_DATA, then ../shared/data).", valueName: "dir"))
  var data: String?

  @Option(help: ArgumentHelp("The directory to write into (created if missing).", valueName: "dir"))
  var out: String

  enum Digits: String, ExpressibleByArgument, CaseIterable {
    case test, validation
  }

  @Option(help: "Which MNIST digits to draw: test (never trained on: for measuring) or validation (held out of training: for tuning).")
  var digits: Digits = .test

  @Option(help: "How many images.")
  var count = 2000

  @Option(help: "The random seed.")
  var seed: UInt64 = 1

  @Option(help: "The fewest digits in a number.")
  var minLength = 1

  @Option(help: "The most digits in a number.")
  var maxLength = 8

  func validate() throws {
    guard count >= 0 else { throw ValidationError("--count must not be negative") }
    guard 1 <= minLength, minLength <= maxLength, maxLength <= 32 else {
      throw ValidationError("lengths must satisfy 1 <= --min-length <= --max-length <= 32")
    }
  }

  func run() throws {
    let set: DigitSet
    do {
      let directory = try MNIST.directory(flag: data)
      switch digits {
      case .test: set = try MNIST.test(in: directory)
      case .validation: set = try MNIST.split(MNIST.train(in: directory)).validation
      }
    } catch {
      throw ValidationError(error.description)
    }
    do {
      try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
    } catch {
      throw ValidationError("cannot create \(out): \(error.localizedDescription)")
    }
    var manifest = [NumberImage.manifestHeader]
    for index in 0..<count {
      let number = NumberImage(index: index, seed: seed, from: set, lengths: minLength...maxLength)
      let file = String(format: "%05d.png", index)
      try Data(PNGEncoder.encode(number.image)).write(to: URL(fileURLWithPath: (out as NSString).appendingPathComponent(file)))
      manifest.append(number.manifestRow(file: file))
    }
    try AtomicFile.write(Data((manifest.joined(separator: "\n") + "\n").utf8), to: (out as NSString).appendingPathComponent("manifest.tsv"))
    print("\(count) images and manifest.tsv in \(out)")
  }
}
