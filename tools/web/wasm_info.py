#!/usr/bin/env python3
"""Lists what a WebAssembly module imports and exports, and its section sizes.

Usage: wasm_info.py MODULE.wasm [--imports | --exports | --sections]

Standard library only, so that CI needs no wabt. With no option prints all
three. `--imports` prints one "module.name kind" line per import (nothing
for a module that imports nothing), which is how tools/web proves that the
runtime cannot allocate or call out: it has nothing to call.
"""
import sys

KINDS = {0: "func", 1: "table", 2: "memory", 3: "global", 4: "tag"}
SECTIONS = {0: "custom", 1: "type", 2: "import", 3: "function", 4: "table", 5: "memory",
            6: "global", 7: "export", 8: "start", 9: "element", 10: "code", 11: "data",
            12: "datacount", 13: "tag"}


def leb(b, i):
    result = shift = 0
    while True:
        byte = b[i]
        i += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return result, i


def name(b, i):
    n, i = leb(b, i)
    return b[i:i + n].decode("utf-8"), i + n


def skip_limits(b, i):
    flags, i = leb(b, i)
    _, i = leb(b, i)
    if flags & 1:
        _, i = leb(b, i)
    return i


def parse(b):
    if b[:4] != b"\0asm" or b[4:8] != b"\1\0\0\0":
        raise ValueError("not a WebAssembly 1.0 module")
    i, sections, imports, exports = 8, [], [], []
    while i < len(b):
        sid = b[i]
        size, j = leb(b, i + 1)
        end = j + size
        label = SECTIONS.get(sid, str(sid))
        if sid == 0:
            label = "custom:" + name(b, j)[0]
        sections.append((label, size))
        if sid == 2:
            count, j = leb(b, j)
            for _ in range(count):
                mod, j = name(b, j)
                field, j = name(b, j)
                kind = b[j]
                j += 1
                if kind == 0:
                    _, j = leb(b, j)
                elif kind == 1:
                    j = skip_limits(b, j + 1)
                elif kind == 2:
                    j = skip_limits(b, j)
                elif kind == 3:
                    j += 2
                elif kind == 4:
                    _, j = leb(b, j + 1)
                imports.append((mod + "." + field, KINDS.get(kind, str(kind))))
        elif sid == 7:
            count, j = leb(b, j)
            for _ in range(count):
                field, j = name(b, j)
                kind = b[j]
                _, j = leb(b, j + 1)
                exports.append((field, KINDS.get(kind, str(kind))))
        i = end
    return sections, imports, exports


def main(argv):
    if len(argv) < 2 or len(argv) > 3 or argv[1] in ("-h", "--help"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    with open(argv[1], "rb") as f:
        sections, imports, exports = parse(f.read())
    what = argv[2] if len(argv) == 3 else "--all"
    if what in ("--imports", "--all"):
        if what == "--all":
            print("imports: %d" % len(imports))
        for field, kind in imports:
            print("%s %s" % (field, kind))
    if what in ("--exports", "--all"):
        if what == "--all":
            print("exports: %d" % len(exports))
        for field, kind in exports:
            print("%s %s" % (field, kind))
    if what in ("--sections", "--all"):
        if what == "--all":
            print("sections:")
        for label, size in sections:
            print("%s %d" % (label, size))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
