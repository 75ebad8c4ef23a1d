#!/usr/bin/env python3
"""Classifies every image file under a directory with Dask distributed.

    pip install digitinfer-1.1.0-py3-none-manylinux_2_17_x86_64.whl \\
        "digitinfer[images]" dask==2026.8.0 distributed==2026.8.0
    python3 dask_classify.py IMAGES_DIR --workers 2 [--partition-size 250] [--out results.csv]

A LocalCluster of --workers processes (one thread each) runs the files in
partitions of --partition-size: each partition is read and preprocessed
(Pillow, dgi_preprocess) and classified by one dgi_classify_batch call.
Every worker opens the model once, when it starts (a WorkerPlugin), and
keeps it for all its partitions. Prints one JSON line: images, seconds,
images/s (cluster start-up excluded) and, when the file names end in the
digit ("...-7.png"), the accuracy. The same code runs on a real cluster:
pass --scheduler ADDRESS instead of --workers.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from typing import List, Optional, Tuple

from distributed import Client, LocalCluster, WorkerPlugin, get_worker

import dask.bag as db

EXTENSIONS = (".png", ".jpg", ".jpeg", ".pgm", ".pbm", ".ppm", ".bmp", ".gif", ".tif", ".tiff", ".webp")
PLUGIN = "digitinfer-model"


class ModelPlugin(WorkerPlugin):
    """Opens the model once per worker (model=None: the shipped one)."""

    name = PLUGIN

    def __init__(self, model: Optional[str] = None) -> None:
        self.path = model
        self.model = None

    def setup(self, worker) -> None:  # type: ignore[no-untyped-def]
        import digitinfer
        from PIL import Image

        self.model = digitinfer.Model(self.path)
        Image.init()  # Pillow's format plugins, loaded now rather than in the first task


Row = Tuple[str, int, float]  # (path, digit or -1 for no ink, confidence)


def classify_partition(paths: List[str]) -> List[Row]:
    """Runs on a worker: its model, one batch call for the partition. Files
    with nothing that looks like a digit get -1; others that cannot be read
    raise (and Dask reports them)."""
    import digitinfer

    model = get_worker().plugins[PLUGIN].model
    paths = list(paths)
    try:
        return [(p, r.digit, r.confidence) for p, r in zip(paths, model.classify_files(paths))]
    except digitinfer.NoInkError:  # one blank file: the partition file by file
        rows = []
        for p in paths:
            try:
                r = model.classify_file(p)
                rows.append((p, r.digit, r.confidence))
            except digitinfer.NoInkError:
                rows.append((p, -1, 0.0))
        return rows


def list_images(directory: str) -> List[str]:
    found = []
    for root, _, names in os.walk(directory):
        found += [os.path.join(root, n) for n in names if n.lower().endswith(EXTENSIONS)]
    return sorted(found)


def main() -> None:
    parser = argparse.ArgumentParser(description="Classify a directory of digit images with Dask.")
    parser.add_argument("directory")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="LocalCluster processes")
    parser.add_argument("--scheduler", help="an existing scheduler's address instead of a LocalCluster")
    parser.add_argument("--partition-size", type=int, default=250, help="files per task")
    parser.add_argument("--model", help="a .dgi file (default: the shipped model)")
    parser.add_argument("--out", help="write path,digit,confidence lines here (CSV)")
    args = parser.parse_args()

    paths = list_images(args.directory)
    if not paths:
        sys.exit(f"no image files under {args.directory}")
    cluster = None
    if args.scheduler:
        client = Client(args.scheduler)
    else:
        cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    try:
        client.register_plugin(ModelPlugin(args.model), name=PLUGIN)
        start = time.perf_counter()
        bag = db.from_sequence(paths, partition_size=args.partition_size)
        rows: List[Row] = bag.map_partitions(classify_partition).compute()
        seconds = time.perf_counter() - start
    finally:
        client.close()
        if cluster is not None:
            cluster.close()

    summary = {"images": len(rows), "seconds": round(seconds, 3), "images_per_s": round(len(rows) / seconds, 1),
               "workers": args.workers if cluster is not None else None,
               "partitions": -(-len(paths) // args.partition_size)}
    labelled = [(digit, int(m.group(1))) for path, digit, _ in rows
                if (m := re.search(r"-(\d)\.\w+$", os.path.basename(path)))]
    if labelled:
        summary["labelled"] = len(labelled)
        summary["accuracy"] = round(sum(d == want for d, want in labelled) / len(labelled), 4)
    if args.out:
        with open(args.out, "w") as f:
            f.writelines(f"{p},{d},{c:.4f}\n" for p, d, c in rows)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
