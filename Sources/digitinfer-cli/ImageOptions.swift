import ArgumentParser

/// What classify and read share: the images, --json and --ink, and the loop
/// that answers each image in argument order and reports the ones that fail.
struct ImageOptions: ParsableArguments {
  @Argument(help: ArgumentHelp("Image files, directories of images, or - for standard input.", valueName: "image"))
  var images: [String] = []

  @Flag(help: "Print JSON Lines (one object per image) instead of text.")
  var json = false

  @Option(help: Ink.help)
  var ink: Ink = .auto

  func validate() throws {
    if images.isEmpty { throw ValidationError("no image given: pass image files, directories, or - for standard input") }
    if images.filter({ $0 == "-" }).count > 1 { throw ValidationError("- (standard input) may be given only once") }
  }

  /// Calls `answer` for each image (directories expanded), which prints the
  /// answer and returns nil, or returns the image's error. Each error goes
  /// to standard error and, with --json, to standard output as
  /// {"file", "error"}; one bad image never stops the others, and the
  /// command then exits with ExitStatus.someFailed.
  func forEach(_ answer: (InputItem) -> PipelineError?) throws {
    var failures = 0
    for item in InputExpansion.expand(images.map(FileName.init(argument:))) {
      guard let error = answer(item) else { continue }
      failures += 1
      if json { Stdout.line(JSON.object(item.name.jsonFields("file") + [("error", JSON.string(error.description))])) }
      Stderr.error("\(item.name.display): \(error.description)")
    }
    if failures > 0 { throw ExitCode(ExitStatus.someFailed) }
  }
}
