import DigitInferSupport
import Foundation
import Testing

@testable import DigitInferData

@Suite struct RoundTripTests {
  @Test(arguments: [false, true])
  func writeThenReadGivesTheSameSet(gzip: Bool) throws {
    try withTemporaryDirectory { dir in
      let set = sampleSet()
      let images = dir + "/images", labels = dir + "/labels"
      try IDX.write(images: set, imagesPath: images, labelsPath: labels, gzip: gzip)
      let back = try IDX.readSet(images: images, labels: labels, name: "back")
      #expect(back.name == "back")
      #expect(back.count == 7 && back.rows == 5 && back.columns == 3)
      #expect(back.pixels == set.pixels)
      #expect(back.labels == set.labels)
      let raw = readBytes(images)
      #expect(Array(raw.prefix(2)) == (gzip ? [0x1f, 0x8b] : [0, 0]))
      // No temporary files are left beside the outputs.
      #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["images", "labels"])
    }
  }

  @Test func plainFileHasTheStandardLayout() throws {
    try withTemporaryDirectory { dir in
      let set = sampleSet()
      try IDX.write(images: set, imagesPath: dir + "/i", labelsPath: dir + "/l", gzip: false)
      #expect(readBytes(dir + "/i") == idxHeader(magic: 0x803, [7, 5, 3]) + set.pixels)
      #expect(readBytes(dir + "/l") == idxHeader(magic: 0x801, [7]) + set.labels)
    }
  }

  @Test func compressionIsDetectedByContentNotName() throws {
    try withTemporaryDirectory { dir in
      let set = sampleSet(count: 12, rows: 28, columns: 28)
      // A gzip file without .gz and a plain file named .gz.
      try IDX.write(images: set, imagesPath: dir + "/images.idx", labelsPath: dir + "/labels.gz", gzip: true)
      try IDX.write(images: set, imagesPath: dir + "/x", labelsPath: dir + "/labels.gz", gzip: false)
      let back = try IDX.readSet(images: dir + "/images.idx", labels: dir + "/labels.gz", name: "mixed")
      #expect(back.pixels == set.pixels && back.labels == set.labels)
    }
  }

  @Test func emptySetRoundTrips() throws {
    try withTemporaryDirectory { dir in
      let empty = try DigitSet(name: "empty", rows: 28, columns: 28, pixels: [], labels: [])
      for gzip in [false, true] {
        try IDX.write(images: empty, imagesPath: dir + "/i", labelsPath: dir + "/l", gzip: gzip)
        let back = try IDX.readSet(images: dir + "/i", labels: dir + "/l", name: "e")
        #expect(back.count == 0 && back.rows == 28 && back.columns == 28)
      }
    }
  }

  @Test func concatenatedGzipMembersAreOneFile() throws {
    try withTemporaryDirectory { dir in
      let set = sampleSet()
      let content = idxHeader(magic: 0x803, [7, 5, 3]) + set.pixels
      let path = dir + "/two-members"
      writeBytes(
        try Gzip.compress(Array(content[..<20]), path: path) + Gzip.compress(Array(content[20...]), path: path),
        to: path)
      #expect(try IDX.readImages(path).pixels == set.pixels)
    }
  }

  @Test func overwritingReplacesTheFile() throws {
    try withTemporaryDirectory { dir in
      try IDX.write(images: sampleSet(count: 9), imagesPath: dir + "/i", labelsPath: dir + "/l", gzip: true)
      try IDX.write(images: sampleSet(count: 2), imagesPath: dir + "/i", labelsPath: dir + "/l", gzip: true)
      #expect(try IDX.readSet(images: dir + "/i", labels: dir + "/l", name: "s").count == 2)
    }
  }

  @Test func writingIntoAMissingDirectoryFailsNamingTheFile() {
    let path = "/nonexistent-digitinfer-dir/images"
    expectDataError(path, "cannot write") {
      try IDX.write(images: sampleSet(), imagesPath: path, labelsPath: path + "-labels", gzip: false)
    }
  }
}

@Suite struct DigitSetTests {
  @Test func imagesAndSlices() throws {
    let set = sampleSet(count: 10, rows: 2, columns: 3)
    #expect(Array(set.image(4)) == Array(set.pixels[24..<30]))
    let part = set.slice(3..<7)
    #expect(part.count == 4 && part.rows == 2 && part.columns == 3)
    #expect(part.name == "sample[3..<7]")
    #expect(Array(part.image(0)) == Array(set.image(3)))
    #expect(part.labels == Array(set.labels[3..<7]))
    #expect(set.slice(0..<0, name: "none").count == 0)
    #expect(set.labelCounts == [1, 1, 1, 1, 1, 1, 1, 1, 1, 1])
  }

  @Test func initValidates() {
    expectDataError("s", "do not make") {
      _ = try DigitSet(name: "s", rows: 2, columns: 2, pixels: [1, 2, 3], labels: [1])
    }
    expectDataError("s", "not a digit") {
      _ = try DigitSet(name: "s", rows: 1, columns: 1, pixels: [0, 0], labels: [3, 10])
    }
    expectDataError("s", "empty") {
      _ = try DigitSet(name: "s", rows: 0, columns: 5, pixels: [], labels: [])
    }
  }
}
