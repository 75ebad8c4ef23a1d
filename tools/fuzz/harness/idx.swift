// Fuzz target (d): the IDX reader of DigitInferData on fuzzed files, plain
// and gzip'd (the reader sniffs gzip by its magic, so both come from the
// same bytes). Compiled into the DigitInferData module by build.sh so that it
// calls the internal readers with a byte limit a fuzzer can afford; the
// public readImages/readLabels are these with IDX.maximumBytes.
// The input goes through a file because the reader takes a path, as the
// tools do; /dev/shm keeps that off the disk where there is one.
#if canImport(Glibc)
  import Glibc
#endif

/// 32 MiB: above every seed and what the reader may allocate here, below
/// libFuzzer's -rss_limit_mb, which is the cost assertion.
private let fuzzLimit = 32 << 20

private let path: String = {
  let dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"
  return "\(dir)/digitinfer-fuzz-idx-\(getpid())"
}()

/// FUZZ_VERBOSE=1 prints each refusal: for checking seeds and crash inputs.
private let verbose = getenv("FUZZ_VERBOSE") != nil

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIDX(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
  precondition(fd >= 0, "cannot create \(path)")
  var written = 0
  while written < size {
    let n = write(fd, data! + written, size - written)
    precondition(n > 0, "cannot write \(path)")
    written += n
  }
  close(fd)
  defer { unlink(path) }

  // The first byte after the magic picks images or labels for the same file
  // would be dull: try both; each rejects the other's magic cheaply.
  do {
    let images = try IDX.readImages(path, limit: fuzzLimit)
    precondition(images.rows > 0 && images.columns > 0, "empty image size accepted")
    precondition(images.pixels.count == images.count * images.rows * images.columns, "pixels do not match the header")
  } catch {
    if verbose { print("images: \(error)") }
  }
  do {
    let labels = try IDX.readLabels(path, limit: fuzzLimit)
    precondition(labels.count <= fuzzLimit, "more labels than the limit")
  } catch {
    if verbose { print("labels: \(error)") }
  }
  return 0
}
