#!/usr/bin/env python3
"""Writes the image-bomb findings of tools/fuzz/findings/image/ (small files
that make ImageDecoder.decode exceed the fuzz target's ~256 MB / ~1 s budget):
python3 tools/fuzz/findings/make_bombs.py [DIR]. Deterministic; the larger
ones are generated rather than committed."""
import os
import struct
import sys
import zlib

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "image")


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width, height, depth, colour, row_bytes):
    """A valid PNG of all-zero rows (filter 0), compressed as far as zlib goes."""
    z = zlib.compressobj(9)
    row = bytes(1 + row_bytes)
    idat = b"".join(z.compress(row) for _ in range(height)) + z.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def main():
    os.makedirs(OUT, exist_ok=True)
    files = {
        # 64,000,000 pixels (exactly maxPixels) of 16-bit RGBA: one 512 MB allocation.
        "png-8000x8000-rgba16.png": png(8000, 8000, 16, 6, 8000 * 8),
        # The same pixel count at 1 bit per pixel: a 7.8 KB file, seconds of work.
        "png-8000x8000-gray1.png": png(8000, 8000, 1, 0, 1000),
    }
    for name, data in files.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
        print(f"{name}: {len(data)} bytes")


if __name__ == "__main__":
    main()
