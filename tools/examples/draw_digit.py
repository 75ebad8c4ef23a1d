#!/usr/bin/env python3
"""Draws a handwritten-looking digit 7 as a 28x28 MNIST-style image.

MNIST digits are white ink (255) on black (0), scaled so that the longer
side fits the central 20x20 box of the 28x28 frame, with anti-aliased
strokes about 2.5-3 pixels thick. This script draws the strokes as thick
line segments inside that box, anti-aliases them by 8x8 supersampling and
writes a binary PGM (P5), or raw 784 bytes with --raw. Pure Python, no
dataset: the output is reproducible byte for byte.

Usage: draw_digit.py [--raw] OUTPUT      (tools/examples/seven.pgm is its output)
"""
import sys

SIZE = 28
SUBSAMPLES = 8          # per axis, for anti-aliasing
HALF_WIDTH = 1.35       # stroke half-width in pixels

# The strokes of a 7, in pixel coordinates (x right, y down) inside the
# central 20x20 box [4, 24): a slightly rising top bar, then a long
# diagonal that curves a little as it comes down.
SEVEN = [
    [(7.5, 7.0), (13.0, 6.4), (20.0, 5.8)],
    [(20.0, 5.8), (18.2, 11.0), (16.0, 16.5), (14.7, 20.5), (14.0, 22.5)],
]


def distance_to_segment(px, py, ax, ay, bx, by):
    """Euclidean distance from point p to the segment ab."""
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length2))
    cx, cy = ax + t * dx, ay + t * dy
    return ((px - cx) ** 2 + (py - cy) ** 2) ** 0.5


def render(strokes):
    """Coverage of each pixel by the thick strokes, as 0..255 bytes."""
    segments = [(a, b) for stroke in strokes for a, b in zip(stroke, stroke[1:])]
    pixels = bytearray(SIZE * SIZE)
    for y in range(SIZE):
        for x in range(SIZE):
            hits = 0
            for sy in range(SUBSAMPLES):
                for sx in range(SUBSAMPLES):
                    px = x + (sx + 0.5) / SUBSAMPLES
                    py = y + (sy + 0.5) / SUBSAMPLES
                    if any(distance_to_segment(px, py, *a, *b) <= HALF_WIDTH for a, b in segments):
                        hits += 1
            pixels[y * SIZE + x] = round(255 * hits / (SUBSAMPLES * SUBSAMPLES))
    return pixels


def main(argv):
    raw = "--raw" in argv
    paths = [a for a in argv if a != "--raw"]
    if len(paths) != 1:
        sys.exit(__doc__.strip().splitlines()[-1])
    pixels = render(SEVEN)
    header = b"" if raw else b"P5\n%d %d\n255\n" % (SIZE, SIZE)
    with open(paths[0], "wb") as f:
        f.write(header + bytes(pixels))


if __name__ == "__main__":
    main(sys.argv[1:])
