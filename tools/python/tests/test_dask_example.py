"""examples/dask_classify.py at scale: a few thousand PNGs written from the
MNIST training images (../shared/data beside the checkout) into a temporary
directory, classified by a 2-worker LocalCluster through the installed
package. Needs dask and distributed (test-wheel.sh installs them; skipped
otherwise) and the shared data (skipped without)."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys

import pytest

from conftest import REPO, child_env

IMAGES = int(os.environ.get("DGI_DASK_IMAGES", "3000"))
TRAIN = REPO.parent / "shared" / "data" / "mnist"


@pytest.mark.dask
def test_dask_example_classifies_a_directory(dgi, tmp_path, capsys):
    pytest.importorskip("distributed", reason="the Dask example needs dask and distributed")
    image = pytest.importorskip("PIL.Image")
    if not (TRAIN / "train-images-idx3-ubyte.gz").is_file():
        pytest.skip(f"no MNIST training set at {TRAIN}")
    pixels = gzip.open(TRAIN / "train-images-idx3-ubyte.gz").read()[16:16 + 784 * IMAGES]
    labels = gzip.open(TRAIN / "train-labels-idx1-ubyte.gz").read()[8:8 + IMAGES]
    folder = tmp_path / "images"
    for i in range(IMAGES):
        sub = folder / f"{i // 1000:02d}"  # a tree, as real collections are
        sub.mkdir(parents=True, exist_ok=True)
        image.frombytes("L", (28, 28), pixels[784 * i:784 * (i + 1)]).save(sub / f"train{i:05d}-{labels[i]}.png")
    example = REPO / "tools" / "python" / "examples" / "dask_classify.py"
    out = subprocess.run([sys.executable, str(example), str(folder), "--workers", "2", "--partition-size", "250",
                          "--out", str(tmp_path / "results.csv")],
                         env=child_env(), capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-4000:]
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    with capsys.disabled():
        print(f"\ndask_classify.py over {IMAGES} PNGs, 2 workers: {summary}")
    assert summary["images"] == summary["labelled"] == IMAGES
    assert summary["accuracy"] > 0.95, summary
    assert len((tmp_path / "results.csv").read_text().splitlines()) == IMAGES
