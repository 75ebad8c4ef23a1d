#if canImport(Glibc)
  // Only this file imports the C library directly: as @preconcurrency, so
  // that naming its global `stdout` is allowed in the Swift 6 language mode.
  @preconcurrency import Glibc
#elseif canImport(Darwin)
  @preconcurrency import Darwin
#endif

/// Makes each printed line reach a log file or pipe at once (stdout is
/// otherwise block-buffered when it is not a terminal), so that a training
/// log can be followed as it is written. Called once, before any output.
func lineBufferStandardOutput() {
  setvbuf(stdout, nil, _IOLBF, 0)
}
