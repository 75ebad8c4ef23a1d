#!/usr/bin/env python3
"""Writes the first convolution of a .dgi model, with the max-pool after it,
as a model of its own: conv2d, maxpool2d, flatten, and a dense layer to 10
classes with fixed small weights. The runtime runs a model only whole, so
tools/embedded/cmsis-nn.c measures this one to bound what the first layer
costs (everything it runs but the first layer is a 10-output dense layer)
and to compare it with CMSIS-NN's first layer, whose outputs it must also
equal. Written with tools/format/dgi.py, the independent reader and writer
of docs/FORMAT.md.

Usage: first-layer.py IN.dgi OUT.dgi
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "format"))
import dgi  # noqa: E402


def first_layer(model: dgi.Model) -> dgi.Model:
    conv, pool = model.layers[0], model.layers[1]
    if conv.kind != dgi.CONV2D or pool.kind != dgi.MAXPOOL2D:
        raise ValueError("the model does not start with conv2d and maxpool2d")
    zp = pool.out_zero_point
    n = pool.out_shape[0] * pool.out_shape[1] * pool.out_shape[2]
    flatten = dgi.Layer(dgi.FLATTEN, 0, zp, zp, pool.out_shape, (1, 1, n), out_scale=pool.out_scale)
    # Weights -7..7 in a fixed pattern; 1/2^13 keeps most outputs in range.
    dense = dgi.Layer(
        dgi.DENSE, 0, zp, 0, (1, 1, n), (1, 1, 10), out_scale=0.0625,
        weights=[(i * 37) % 15 - 7 for i in range(10 * n)], bias=[0] * 10,
        multipliers=[1 << 30] * 10, shifts=[12] * 10)
    return dgi.Model(
        name=model.name + " (first layer)", metadata="derived=first-layer.py\n",
        layers=[conv, pool, flatten, dense], softmax_beta=dgi.softmax_beta_for_scale(0.0625))


def main(argv) -> int:
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    with open(argv[1], "rb") as f:
        model = dgi.read(f.read())
    data = dgi.write(first_layer(model))
    dgi.read(data)  # what the writer made passes the reader's every check
    with open(argv[2], "wb") as f:
        f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
